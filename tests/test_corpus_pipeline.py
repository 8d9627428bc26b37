"""Every bundle of the committed corpus through the whole pipeline.

Fast: replayed OCR answers recorded from the real engine on these files (tests/record_replays.py)
check that each bundle yields exactly the findings it was built for. Real: one real OCR run per
document type checks the fields a member of staff reads first.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from claim_intake.evaluation.score import values_match
from claim_intake.evaluation.truth import Bundle, EarlierInvoices, load_corpus
from claim_intake.ocr.engine import rapidocr_engine
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import EngineFactory
from claim_intake.ocr.replay import ReplayEngine
from claim_intake.pipeline import ClaimReport, assess_claim, read_upload
from claim_intake.validators.ruleset import load_rule_set

ROOT = Path(__file__).resolve().parent.parent
CORPUS = load_corpus(ROOT / "samples" / "corpus")
REPLAY = ReplayEngine(ROOT / "tests" / "recordings" / "corpus.json")


def _run(bundle: Bundle, engine: EngineFactory) -> ClaimReport:
    files = [read_upload(p.name, p.read_bytes(), ReadOptions(), engine) for p in bundle.files]
    return assess_claim(
        files,
        load_rule_set(bundle.claim_type),
        bundle.claimant_name,
        bundle.submitted_on,
        EarlierInvoices(bundle.earlier_invoices),
    )


def test_the_corpus_covers_every_finding_code() -> None:
    from claim_intake.benefit.eligibility import FINDINGS as ROSTER_FINDINGS
    from claim_intake.validators.models import FindingCode

    built_for = {f.code for bundle in CORPUS for f in bundle.findings}
    # duplicate_image compares with pages the service stored for earlier claims: tests/service.
    assert built_for == {code.value for code in FindingCode if code not in ROSTER_FINDINGS} - {FindingCode.duplicate_image}


BEYOND_OCR: dict[str, str] = {}
"""Bundles whose expected findings the pipeline does not reach yet, and why: reported as xfail,
never as a pass."""


@pytest.mark.parametrize(
    "bundle",
    [
        pytest.param(b, marks=pytest.mark.xfail(strict=True, reason=BEYOND_OCR[b.name])) if b.name in BEYOND_OCR else b
        for b in CORPUS
    ],
    ids=[b.name for b in CORPUS],
)
def test_bundle_yields_exactly_its_findings(bundle: Bundle) -> None:
    report = _run(bundle, lambda: REPLAY)
    found = Counter((f.code.value, f.doc_type.value if f.doc_type else None) for f in report.assessment.findings)
    assert found == Counter((f.code, f.doc_type) for f in bundle.findings)
    for finding in report.assessment.findings:
        assert finding.message_claimant and finding.message_staff
    expected_status = "needs_follow_up" if any(
        f.severity.value != "info" for f in report.assessment.findings
    ) else "complete"
    assert report.assessment.status == expected_status


# One bundle per document type, read for real.
REAL = {
    "inpatient_complete_scans_with_cards": {"invoice_inpatient", "discharge_summary", "expense_list", "settlement", "id_card", "bank_card"},
    "outpatient_special_with_lab_report": {"invoice_outpatient", "diagnosis_certificate", "other"},
    "accident_missing_accident_proof": {"invoice_outpatient", "diagnosis_certificate"},
}


@pytest.mark.ocr
@pytest.mark.parametrize("name", sorted(REAL))
def test_fields_of_each_document_type_on_a_real_ocr_run(name: str) -> None:
    bundle = next(b for b in CORPUS if b.name == name)
    engine = rapidocr_engine(ReadOptions().rapidocr)
    report = _run(bundle, lambda: engine)
    seen = set()
    for truth in bundle.documents:
        (found,) = [d for d in report.documents if d.file == truth.file and truth.pages[0] in d.document.pages]
        assert found.document.doc_type == truth.doc_type, truth.file
        seen.add(truth.doc_type)
        wrong = {
            name: (found.document.fields.get(name).value if name in found.document.fields else None, value)
            for name, value in truth.fields.items()
            if not values_match(value, found.document.fields[name].value if name in found.document.fields else None)
        }
        # OCR may miscount a masked ID's asterisks; every other value must be read exactly.
        wrong.pop("payer_id", None)
        assert wrong == {}, truth.file
    assert REAL[name] <= seen


def test_the_corpus_has_the_application_form_read() -> None:
    bundle = next(b for b in CORPUS if b.name == "inpatient_complete_photos")
    report = _run(bundle, lambda: REPLAY)
    form = next(d for d in report.documents if d.document.doc_type == "application_form")
    assert form.document.fields["applicant_name"].value == bundle.claimant_name
