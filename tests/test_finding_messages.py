"""Finding messages come from validators/messages.yaml, filled in by the checks: the variants the
rule tests do not reach, word for word."""

from __future__ import annotations

import pytest

from claim_intake.extract.models import DocType, Document, Field
from claim_intake.validators.assess import assess
from claim_intake.validators.messages import Messages, builtin_messages
from claim_intake.validators.models import ClaimDocument, FindingCode
from claim_intake.validators.ruleset import load_rule_set


def _doc(n: int, doc_type: DocType, **values: str) -> ClaimDocument:
    fields = {k: Field(value=v, raw=v, confidence=0.99, page=1, box=(0, 0, 9, 9)) for k, v in values.items()}
    return ClaimDocument(id=f"d{n}", file=f"{n}.jpg", document=Document(doc_type=doc_type, confidence=0.9, pages=(1,), fields=fields))


def test_names_compared_with_the_first_document_when_no_claimant_is_given() -> None:
    docs = [_doc(1, DocType.discharge_summary, patient_name="张三"), _doc(2, DocType.settlement, patient_name="李四")]
    (finding,) = [f for f in assess(load_rule_set("inpatient"), docs).findings if f.code is FindingCode.name_mismatch]
    assert finding.message_staff == "医保结算单（文件“2.jpg”）上的姓名“李四”与文件“1.jpg”的“张三”不一致。"


def test_a_requirement_with_alternatives_asks_for_any_of_them() -> None:
    findings = assess(load_rule_set("accident"), [_doc(1, DocType.invoice_outpatient)]).findings
    asks = {f.message_claimant for f in findings if f.code is FindingCode.missing_document}
    assert any(a.startswith("请补充上传") and "中的任意一种材料的照片或PDF。" in a for a in asks), asks


def test_a_duplicate_within_the_claim_names_the_earlier_file() -> None:
    invoice = {"invoice_code": "45060121", "invoice_number": "0012345678"}
    docs = [_doc(1, DocType.invoice_inpatient, **invoice), _doc(2, DocType.invoice_inpatient, **invoice)]
    (finding,) = [f for f in assess(load_rule_set("inpatient"), docs).findings if f.code is FindingCode.duplicate_invoice]
    assert finding.message_staff == "票据 45060121/0012345678（文件“2.jpg”）与本申报中的文件“1.jpg”重复。"
    assert finding.message_claimant == "您上传的住院收费票据（票据号码 0012345678）在本次申报中重复上传，请删除重复的材料。"


def test_a_message_for_an_unknown_code_is_refused() -> None:
    raw = builtin_messages().model_dump(mode="json")
    raw["findings"]["no_such_code"] = {"staff": "x", "claimant": "y"}
    with pytest.raises(ValueError, match="no_such_code"):
        Messages.model_validate(raw)
