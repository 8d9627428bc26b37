"""The whole pipeline on the sample claims: replayed OCR (fast) and the real engine (the same test).

The replayed answers were recorded from the real engine on these very files
(tests/record_replays.py), so both variants must agree with the ground truth.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claim_intake.ocr.engine import rapidocr_engine
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import EngineFactory
from claim_intake.ocr.replay import ReplayEngine
from claim_intake.pipeline import assess_claim, read_upload
from claim_intake.validators.ruleset import load_rule_set

ROOT = Path(__file__).resolve().parent.parent
BUNDLES = ROOT / "samples" / "bundles"
RECORDING = ROOT / "tests" / "recordings" / "sample_bundles.json"

# What a member of staff checks first on each document.
KEY_FIELDS = {
    "invoice_inpatient": [
        "invoice_code", "invoice_number", "issue_date", "payer_name", "total_amount",
        "total_amount_words", "admission_date", "discharge_date", "payee",
    ],
    "discharge_summary": ["patient_name", "admission_date", "discharge_date", "length_of_stay_days", "doctor_signed"],
    "expense_list": ["patient_name", "total_amount"],
    "settlement": ["patient_name", "total_amount"],
}


@pytest.fixture(params=["replay", pytest.param("real", marks=pytest.mark.ocr)])
def engine(request: pytest.FixtureRequest) -> EngineFactory:
    if request.param == "real":
        real = rapidocr_engine(ReadOptions().rapidocr)
        return lambda: real
    replay = ReplayEngine(RECORDING)
    return lambda: replay


def _process(bundle: str, engine: EngineFactory):
    folder = BUNDLES / bundle
    expected = json.loads((BUNDLES / f"{bundle}.expected.json").read_text(encoding="utf-8"))
    files = [read_upload(p.name, p.read_bytes(), ReadOptions(), engine) for p in sorted(folder.iterdir())]
    report = assess_claim(files, load_rule_set(expected["claim_type"]), expected["claimant_name"])
    return report, expected


def _check_documents(report, expected) -> None:
    for truth in expected["documents"]:
        (found,) = [d for d in report.documents if d.file == truth["file"]]
        assert found.document.doc_type == truth["doc_type"], truth["file"]
        assert list(found.document.pages) == truth["pages"]
        for name in KEY_FIELDS[truth["doc_type"]]:
            assert name in found.document.fields, (truth["file"], name)
            assert found.document.fields[name].value == truth["fields"][name], (truth["file"], name)


def test_complete_inpatient_claim(engine: EngineFactory) -> None:
    report, expected = _process("inpatient_complete", engine)
    _check_documents(report, expected)
    assert report.assessment.findings == ()
    assert report.assessment.status == "complete"


def test_claim_without_discharge_summary(engine: EngineFactory) -> None:
    report, expected = _process("inpatient_missing_discharge_summary", engine)
    _check_documents(report, expected)
    assert [(f.code, f.doc_type) for f in report.assessment.findings] == [
        (e["code"], e["doc_type"]) for e in expected["findings"]
    ]
    (finding,) = report.assessment.findings
    assert finding.severity == "blocking"
    assert "出院小结" in finding.message_claimant
    assert report.assessment.status == "needs_follow_up"


def test_photo_boxes_map_back_to_the_upload(engine: EngineFactory) -> None:
    """The photo is flattened before reading; field boxes still point into the photo itself."""
    report, _ = _process("inpatient_complete", engine)
    invoice = next(d for d in report.files if d.file == "01_invoice.jpg")
    page = invoice.pages[0]
    assert "perspective" in [t.name for t in page.transforms]
    total = invoice.documents[0].fields["total_amount"]
    x0, y0, x1, y1 = total.box
    assert 0 <= x0 < x1 <= page.source_width and 0 <= y0 < y1 <= page.source_height
    # The photo has a desk border: the sheet (and every value on it) is inside, not at the edge.
    assert x0 > 0.02 * page.source_width and y0 > 0.02 * page.source_height
