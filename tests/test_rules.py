"""Rule sets as data, and the findings they produce."""

from datetime import date
from pathlib import Path

import pytest

from claim_intake.errors import RuleSetError, UnknownClaimTypeError
from claim_intake.extract.models import DocType, Document, Field
from claim_intake.validators.assess import assess
from claim_intake.validators.models import (
    ClaimDocument,
    ClaimStatus,
    FindingCode,
    Severity,
    UnreadableFile,
)
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
            (
                "claim_type: inpatient\nversion: x\nrequired_documents: []\nmin_field_confidence: 0.5\n"
                "required_fields:\n  discharge_summary: [patient_nmae]\n"
            ),
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


class _Registry:
    def __init__(self, used: dict[tuple[str | None, str], list[str]]) -> None:
        self.used = used

    def claims_using(self, invoice) -> list[str]:
        return self.used.get((invoice.invoice_code, invoice.invoice_number), [])


def _codes(findings) -> list[tuple[str, str | None, str | None]]:
    return [(f.code.value, f.doc_type.value if f.doc_type else None, f.field) for f in findings]


def test_payment_parts_that_miss_the_total() -> None:
    parts = {"insurance_fund_paid": "800.00", "other_paid": "0.00", "personal_account_paid": "100.00"}
    docs = _complete()
    docs[0] = _doc(1, DocType.invoice_inpatient, INVOICE | parts | {"personal_cash_paid": "334.48"})
    assert _codes(assess(load_rule_set("inpatient"), docs).findings) == [
        ("amount_breakdown_mismatch", "invoice_inpatient", "total_amount")
    ]
    docs[0] = _doc(1, DocType.invoice_inpatient, INVOICE | parts | {"personal_cash_paid": "334.50"})
    assert assess(load_rule_set("inpatient"), docs).findings == ()


def test_items_that_do_not_add_up() -> None:
    items = [{"name": "床位费", "amount": "234.50"}, {"name": "西药费", "amount": "1000.00"}]
    docs = _complete()
    docs[2] = _doc(3, DocType.expense_list, {"total_amount": "1234.50", "patient_name": "张三"}, items=_field(items))
    assert assess(load_rule_set("inpatient"), docs).findings == ()
    items[1] = {"name": "西药费", "amount": "1100.00"}
    docs[2] = _doc(3, DocType.expense_list, {"total_amount": "1234.50", "patient_name": "张三"}, items=_field(items))
    assert _codes(assess(load_rule_set("inpatient"), docs).findings) == [("items_sum_mismatch", "expense_list", "items")]


def test_dates_inside_and_across_documents() -> None:
    docs = _complete()
    docs[1] = _doc(2, DocType.discharge_summary, SUMMARY | {"length_of_stay_days": 8})
    assert assess(load_rule_set("inpatient"), docs).findings == ()
    docs[1] = _doc(2, DocType.discharge_summary, SUMMARY | {"length_of_stay_days": 9})
    assert _codes(assess(load_rule_set("inpatient"), docs).findings) == [
        ("date_inconsistent", "discharge_summary", "length_of_stay_days")
    ]
    # The invoice's stay differs from the summary and the rest: the invoice is the one to ask about.
    docs = _complete()
    for i in (2, 3):
        docs[i] = _doc(i + 1, docs[i].document.doc_type, {"total_amount": "1234.50", "patient_name": "张三", "admission_date": "2026-10-12", "discharge_date": "2026-10-20"})
    docs[0] = _doc(1, DocType.invoice_inpatient, INVOICE | {"discharge_date": "2026-10-22"})
    assert _codes(assess(load_rule_set("inpatient"), docs).findings) == [
        ("date_inconsistent", "invoice_inpatient", "discharge_date")
    ]
    docs = _complete()
    docs[1] = _doc(2, DocType.discharge_summary, SUMMARY | {"discharge_date": "2026-10-02"})
    assert ("date_inconsistent", "discharge_summary", "discharge_date") in _codes(
        assess(load_rule_set("inpatient"), docs).findings
    )


def test_duplicate_invoice_in_the_claim_and_in_an_earlier_one() -> None:
    docs = _complete() + [_doc(5, DocType.invoice_inpatient, INVOICE)]
    findings = assess(load_rule_set("inpatient"), docs).findings
    assert _codes(findings) == [("duplicate_invoice", "invoice_inpatient", "invoice_number")]
    assert findings[0].documents == ("d5", "d1")
    registry = _Registry({(None, "0012345678"): ["claim-41"]})
    findings = assess(load_rule_set("inpatient"), _complete(), registry=registry).findings
    assert _codes(findings) == [("duplicate_invoice", "invoice_inpatient", "invoice_number")]
    assert "claim-41" in findings[0].message_staff


def test_late_submission() -> None:
    from datetime import date

    rules = load_rule_set("inpatient")
    on_time = assess(rules, _complete(), submitted_on=date(2027, 4, 18))  # 180 days after 2026-10-20
    assert on_time.findings == ()
    late = assess(rules, _complete(), submitted_on=date(2027, 4, 19))
    assert _codes(late.findings) == [("late_submission", None, None)]


def test_unsupported_document_is_recorded_but_does_not_block() -> None:
    docs = _complete() + [_doc(5, DocType.other, {})]
    result = assess(load_rule_set("inpatient"), docs)
    assert _codes(result.findings) == [("unsupported_document", "other", None)]
    assert result.findings[0].severity is Severity.info
    assert result.status is ClaimStatus.complete


def _without(values: dict, *names: str) -> dict:
    return {k: v for k, v in values.items() if k not in names}


def test_a_stay_date_one_reading_missed_is_read_from_another_document() -> None:
    documents = _complete()
    documents[0] = _doc(1, DocType.invoice_inpatient, _without(INVOICE, "admission_date"))
    result = assess(load_rule_set("inpatient"), documents, claimant_name="张三")
    assert result.status is ClaimStatus.complete
    assert not [f for f in result.findings if f.field == "admission_date"]


def test_a_stay_date_no_document_states_is_still_missing() -> None:
    documents = _complete()
    documents[0] = _doc(1, DocType.invoice_inpatient, _without(INVOICE, "admission_date"))
    documents[1] = _doc(2, DocType.discharge_summary, _without(SUMMARY, "admission_date"))
    result = assess(load_rule_set("inpatient"), documents, claimant_name="张三")
    missing = {(f.code, f.doc_type, f.field) for f in result.findings}
    assert (FindingCode.missing_field, DocType.invoice_inpatient, "admission_date") in missing
    assert (FindingCode.missing_field, DocType.discharge_summary, "admission_date") in missing


def test_a_name_is_not_taken_from_another_document() -> None:
    documents = _complete()
    documents[0] = _doc(1, DocType.invoice_inpatient, _without(INVOICE, "payer_name"))
    result = assess(load_rule_set("inpatient"), documents, claimant_name="张三")
    assert (FindingCode.missing_field, "payer_name") in {(f.code, f.field) for f in result.findings}


def test_a_finding_on_low_confidence_text_says_so() -> None:
    documents = _complete()
    documents[0] = _doc(1, DocType.invoice_inpatient, INVOICE, total_amount_words=_field("壹仟贰佰叁拾伍圆伍角", 0.55))
    result = assess(load_rule_set("inpatient"), documents, claimant_name="张三")
    [mismatch] = [f for f in result.findings if f.code is FindingCode.amount_words_mismatch]
    assert "置信度低" in mismatch.message_staff and "total_amount_words（0.55）" in mismatch.message_staff


def test_a_finding_on_confident_text_does_not_hedge() -> None:
    documents = _complete()
    documents[0] = _doc(1, DocType.invoice_inpatient, INVOICE, total_amount_words=_field("壹仟贰佰叁拾伍圆伍角", 0.97))
    result = assess(load_rule_set("inpatient"), documents, claimant_name="张三")
    [mismatch] = [f for f in result.findings if f.code is FindingCode.amount_words_mismatch]
    assert "置信度低" not in mismatch.message_staff


def test_supplied_by_must_name_real_fields(tmp_path: Path) -> None:
    text = Path("claim_intake/validators/rules/inpatient.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "inpatient.yaml"
    broken.write_text(text.replace("discharge_summary.admission_date", "discharge_summary.admitted_on", 1), encoding="utf-8")
    with pytest.raises(RuleSetError, match="discharge_summary.admitted_on"):
        load_rule_set_file(broken)


OUTPATIENT = {
    "invoice_number": "1739594786",
    "issue_date": "2026-08-31",
    "payer_name": "周芳",
    "total_amount": "363.24",
    "total_amount_words": "叁佰陆拾叁元贰角肆分",
    "payee": "上海市北浦区眼科医院",
}
CERTIFICATE = {"patient_name": "周芳", "diagnosis": "青光眼", "issue_date": "2026-08-31"}


def _sheets(second_number: str, second_date: str = "2026-08-31") -> list[ClaimDocument]:
    continued = _without(OUTPATIENT, "total_amount", "total_amount_words", "payee") | {
        "invoice_number": second_number, "issue_date": second_date,
    }
    return [
        _doc(1, DocType.invoice_outpatient, OUTPATIENT),
        _doc(2, DocType.invoice_outpatient, continued),
        _doc(3, DocType.diagnosis_certificate, CERTIFICATE),
    ]


def test_the_sheets_of_one_payment_state_its_totals_once() -> None:
    result = assess(load_rule_set("outpatient_special"), _sheets("1739594787"), claimant_name="周芳", submitted_on=date(2026, 9, 2))
    assert result.status is ClaimStatus.complete, result.findings


def test_an_unrelated_invoice_without_totals_is_still_asked_for() -> None:
    for documents in (_sheets("1739594900"), _sheets("1739594787", second_date="2026-09-01")):
        result = assess(load_rule_set("outpatient_special"), documents, claimant_name="周芳", submitted_on=date(2026, 9, 2))
        gaps = {(f.code, f.field, f.documents) for f in result.findings}
        assert (FindingCode.missing_field, "total_amount", ("d2",)) in gaps
