"""Rule sets as data, and the findings they produce."""

from pathlib import Path

import pytest

from claim_intake.errors import RuleSetError, UnknownClaimTypeError
from claim_intake.extract.models import DocType, Document, Field
from claim_intake.validators.assess import assess
from claim_intake.validators.models import ClaimDocument, ClaimStatus, FindingCode, Severity, UnreadableFile
from claim_intake.validators.ruleset import load_rule_set, load_rule_set_file


def _field(value, confidence: float = 0.99) -> Field:
    return Field(value=value, raw=str(value), confidence=confidence, page=1, box=(0, 0, 10, 10))


INVOICE = {
    "invoice_number": "0012345678",
    "issue_date": "2026-10-28",
    "payer_name": "张三",
    "total_amount": "1234.50",
    "total_amount_words": "壹仟贰佰叁拾肆圆伍角",
    "payee": "南宁市第一人民医院",
    "admission_date": "2026-10-12",
    "discharge_date": "2026-10-20",
}
SUMMARY = {
    "patient_name": "张三",
    "admission_date": "2026-10-12",
    "discharge_date": "2026-10-20",
    "discharge_diagnosis": "1.冠心病",
}


def _doc(n: int, doc_type: DocType, values: dict, **overrides) -> ClaimDocument:
    fields = {k: _field(v) for k, v in values.items()} | overrides
    return ClaimDocument(id=f"d{n}", file=f"{n}.jpg", document=Document(doc_type=doc_type, confidence=0.9, pages=(1,), fields=fields))


def _complete() -> list[ClaimDocument]:
    return [
        _doc(1, DocType.invoice_inpatient, INVOICE),
        _doc(2, DocType.discharge_summary, SUMMARY),
        _doc(3, DocType.expense_list, {"total_amount": "1234.50", "patient_name": "张三"}),
        _doc(4, DocType.settlement, {"total_amount": "1234.50", "patient_name": "张三"}),
    ]


def test_complete_claim_has_no_findings() -> None:
    result = assess(load_rule_set("inpatient"), _complete(), claimant_name="张三")
    assert result.findings == ()
    assert result.status is ClaimStatus.complete
    assert result.rule_set_version


def test_missing_discharge_summary() -> None:
    docs = [d for d in _complete() if d.document.doc_type is not DocType.discharge_summary]
    result = assess(load_rule_set("inpatient"), docs)
    (finding,) = result.findings
    assert (finding.code, finding.severity, finding.doc_type) == (
        FindingCode.missing_document,
        Severity.blocking,
        DocType.discharge_summary,
    )
    assert "出院小结" in finding.message_claimant
    assert result.status is ClaimStatus.needs_follow_up


def test_alternatives_satisfy_a_requirement() -> None:
    docs = [
        _doc(1, DocType.invoice_outpatient, {}),
        _doc(2, DocType.diagnosis_certificate, {}),
        _doc(3, DocType.accident_proof, {}),
    ]
    result = assess(load_rule_set("accident"), docs)
    assert FindingCode.missing_document not in {f.code for f in result.findings}


def test_missing_and_illegible_fields() -> None:
    values = {k: v for k, v in INVOICE.items() if k != "payee"}
    docs = _complete()
    docs[0] = _doc(1, DocType.invoice_inpatient, values, total_amount=_field("1234.50", confidence=0.4))
    findings = assess(load_rule_set("inpatient"), docs).findings
    assert {(f.code, f.field) for f in findings} == {
        (FindingCode.missing_field, "payee"),
        (FindingCode.illegible_field, "total_amount"),
    }
    illegible = next(f for f in findings if f.code is FindingCode.illegible_field)
    assert illegible.evidence[0].box == (0, 0, 10, 10)
    assert "金额合计（小写）" in illegible.message_claimant


def test_amount_words_disagree_with_figures() -> None:
    docs = _complete()
    docs[0] = _doc(1, DocType.invoice_inpatient, INVOICE | {"total_amount": "1243.50"})
    (finding,) = assess(load_rule_set("inpatient"), docs).findings
    assert finding.code is FindingCode.amount_words_mismatch
    assert finding.documents == ("d1",)


def test_name_differs_from_the_claimant() -> None:
    findings = assess(load_rule_set("inpatient"), _complete(), claimant_name="李四").findings
    assert {f.code for f in findings} == {FindingCode.name_mismatch}
    assert len(findings) == 4  # every document names 张三


def test_unreadable_file_is_a_finding_and_the_rest_is_assessed() -> None:
    bad = UnreadableFile(file="scan.pdf", code="encrypted_pdf", message="password")
    findings = assess(load_rule_set("inpatient"), _complete(), [bad]).findings
    assert [f.code for f in findings] == [FindingCode.unreadable_file]
    assert "scan.pdf" in findings[0].message_claimant


def test_unknown_claim_type() -> None:
    with pytest.raises(UnknownClaimTypeError):
        load_rule_set("dental")


def test_an_organisation_replaces_a_rule_set(tmp_path: Path) -> None:
    (tmp_path / "inpatient.yaml").write_text(
        "claim_type: inpatient\nversion: org-7\nrequired_documents:\n  - any_of: [invoice_inpatient]\n"
        "min_field_confidence: 0.5\n",
        encoding="utf-8",
    )
    rules = load_rule_set("inpatient", tmp_path)
    assert rules.version == "org-7"
    docs = [_doc(1, DocType.invoice_inpatient, {})]
    assert assess(rules, docs).status is ClaimStatus.complete


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("claim_type: inpatient\nversion: x\nrequired_documents: []\nmin_field_confidence: 2\n", "min_field_confidence"),
        (
            "claim_type: inpatient\nversion: x\nrequired_documents: []\nmin_field_confidence: 0.5\n"
            "required_fields:\n  discharge_summary: [patient_nmae]\n",
            "unknown field(s) patient_nmae",
        ),
        ("claim_type: inpatient\nversion: x\nrequired_documents:\n  - any_of: [receipt]\nmin_field_confidence: 0.5\n", "any_of"),
        ("claim_type: inpatient\nversion: x\nrequired_documents: []\nmin_field_confidence: 0.5\nchecks: [magic]\n", "unknown check(s) magic"),
        ("claim_type: [inpatient\n", "cannot be read"),
    ],
)
def test_broken_rule_file_names_the_file_and_the_problem(tmp_path: Path, body: str, problem: str) -> None:
    path = tmp_path / "inpatient.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RuleSetError) as err:
        load_rule_set_file(path)
    assert str(path) in err.value.message
    assert problem in err.value.message
