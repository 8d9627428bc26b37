"""Scoring on hand-made cases, and the eval command on the demo bundles with replayed OCR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claim_intake.evaluation.baseline import compare
from claim_intake.evaluation.real import evaluate_real, load_labels
from claim_intake.evaluation.run import evaluate
from claim_intake.evaluation.score import Scores, char_recall, values_match
from claim_intake.evaluation.truth import TruthDocument, TruthFinding
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.replay import ReplayEngine
from claim_intake.validators.ruleset import load_rule_set

ROOT = Path(__file__).resolve().parent.parent


def test_values_match() -> None:
    assert values_match("1234.50", "1234.50")
    assert not values_match("1234.50", "1234.05")
    assert not values_match("1234.50", None)
    assert values_match("1.腰椎间盘突出症（L4/5）", "1.腰椎间盘突出症(L4/5)")  # width is not a reading error
    assert values_match(8, 8) and not values_match(8, "8")
    assert values_match(True, True) and not values_match(True, False)
    items = [{"name": "床位费", "amount": "10.00"}, {"name": "西药费", "amount": "5.00"}]
    assert values_match(items, list(reversed(items)))
    assert not values_match(items, items[:1])


def test_char_recall() -> None:
    assert char_recall("金额合计1234.50", "金额合计1234.50") == 1.0
    assert char_recall("金额合计", "金额") == 0.5
    assert char_recall("ab", "ba") == 1.0


def test_document_and_finding_scores() -> None:
    scores = Scores()
    truth = TruthDocument(file="a.jpg", pages=(1,), doc_type="invoice_inpatient", capture="photo",
                          fields={"total_amount": "10.00", "payer_name": "张三"})
    scores.score_document("b1", truth, ("invoice_inpatient", {"total_amount": "10.00", "payer_name": "张二"}))
    scores.score_document("b2", truth, None)
    assert (scores.doc_type.right, scores.doc_type.total) == (1, 2)
    assert scores.fields.rate == 0.25
    assert scores.by_field["total_amount"].rate == 0.5
    assert scores.fields_by_capture["photo"].total == 4
    scores.score_findings(
        "b1",
        [TruthFinding(code="missing_document", doc_type="settlement"), TruthFinding(code="missing_document", doc_type="expense_list")],
        [("missing_document", "settlement"), ("missing_field", "invoice_inpatient")],
    )
    table = scores.findings_table()
    assert table["missing_document"] == {"expected": 2, "found": 1, "precision": 1.0, "recall": 0.5}
    assert table["missing_field"] == {"expected": 0, "found": 1, "precision": 0.0, "recall": None}


def test_baseline_comparison_flags_drops_beyond_tolerance() -> None:
    def report(field_accuracy: float, seconds: float) -> dict:
        return {
            "doc_type_accuracy": 1.0,
            "field_accuracy": field_accuracy,
            "per_capture": {},
            "findings": {"missing_document": {"precision": 1.0, "recall": 1.0}},
            "seconds_per_page": {"median": seconds},
        }

    ok = compare(report(0.95, 2.0), report(0.945, 2.4), tolerance=0.01, speed_tolerance=0.3)
    assert not any(c.regressed for c in ok)
    worse = compare(report(0.95, 2.0), report(0.93, 2.7), tolerance=0.01, speed_tolerance=0.3)
    assert {c.metric for c in worse if c.regressed} == {"field_accuracy", "seconds_per_page.median"}


def test_evaluate_demo_bundles_with_replayed_ocr() -> None:
    replay = ReplayEngine(ROOT / "tests" / "recordings" / "sample_bundles.json")
    report = evaluate(ROOT / "samples" / "bundles", ReadOptions(), lambda: replay, load_rule_set)
    assert report["bundles"] == 2 and report["pages"] == 7
    assert report["doc_type_accuracy"] == 1.0
    assert report["field_accuracy"] == 1.0
    assert report["findings"]["missing_document"]["recall"] == 1.0
    assert set(report["per_capture"]) == {"clean", "photo", "scan", "text_pdf"}
    json.dumps(report)  # --json prints it as is


def _labels_from_bundle(tmp_path: Path, edit=lambda fields: fields) -> Path:
    """A labels file of the real development set's shape, for the demo bundle's photographed invoice."""
    truth = json.loads((ROOT / "samples" / "bundles" / "inpatient_complete.expected.json").read_text(encoding="utf-8"))
    invoice = next(d for d in truth["documents"] if d["file"] == "01_invoice.jpg")
    label = {
        "file": "01_invoice.jpg", "doc_type": invoice["doc_type"], "capture": "photo", "orientation": 0,
        "fields": edit(dict(invoice["fields"])), "unsure": ["payer_id"],
    }
    path = tmp_path / "labels.json"
    path.write_text(json.dumps([label], ensure_ascii=False), encoding="utf-8")
    return path


def test_eval_real_scores_read_against_a_labels_file(tmp_path: Path) -> None:
    replay = ReplayEngine(ROOT / "tests" / "recordings" / "sample_bundles.json")
    images = ROOT / "samples" / "bundles" / "inpatient_complete"
    report = evaluate_real(images, load_labels(_labels_from_bundle(tmp_path)), ReadOptions(), lambda: replay)
    assert report["images"] == 1 and report["doc_type_accuracy"] == 1.0
    assert report["key_field_accuracy"] == 1.0
    assert "payer_id" not in report["per_field"]  # unsure fields are left out


def test_eval_real_lists_what_it_got_wrong(tmp_path: Path) -> None:
    replay = ReplayEngine(ROOT / "tests" / "recordings" / "sample_bundles.json")
    images = ROOT / "samples" / "bundles" / "inpatient_complete"
    wrong = _labels_from_bundle(tmp_path, lambda fields: fields | {"invoice_number": "0000000001", "visit_date": "2026-10-29"})
    report = evaluate_real(images, load_labels(wrong), ReadOptions(), lambda: replay)
    misses = {(m["field"], m["expected"]) for m in report["misses"]}
    assert ("invoice_number", "0000000001") in misses
    assert report["per_field"]["invoice_number"]["right"] == 0
    assert report["key_field_accuracy"] < 1.0


def test_eval_real_without_the_images_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="none of the 1 labelled images"):
        evaluate_real(tmp_path, load_labels(_labels_from_bundle(tmp_path)), ReadOptions(), lambda: None)
