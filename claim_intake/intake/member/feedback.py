"""What the member sees after each upload, in their words: what it was read as, the fields found,
and whether to retake it (a poor photo, the wrong document, another person's document); and what
the claim still lacks, in the words staff see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from claim_intake.extract.models import DocType
from claim_intake.extract.templates import builtin_templates
from claim_intake.intake.lifecycle import UNREAD, ClaimState, is_open
from claim_intake.intake.store.db import ClaimRow, DocumentRow
from claim_intake.intake.store.reads import file_report
from claim_intake.validators.messages import builtin_messages
from claim_intake.validators.ruleset import RuleSet

SHOWN_FIELDS = ("patient_name", "payer_name", "invoice_number", "total_amount", "admission_date", "discharge_date",
                "visit_date", "issue_date", "hospital", "payee", "discharge_diagnosis", "diagnosis")
"""The fields a member recognises on their paper, in this order."""
RETAKE = ("poor_image", "name_mismatch", "unreadable_file", "illegible_field", "missing_field")
"""Findings about one upload that the member can put right by sending it again."""
_SWAPPED = {DocType.invoice_outpatient: DocType.invoice_inpatient, DocType.invoice_inpatient: DocType.invoice_outpatient}

CLAIM_TYPE_WORDS = {
    "inpatient": ("住院", "因病住院治疗，出院后申请互助金"),
    "outpatient_special": ("门诊特殊病", "患门诊特殊病或慢性病（如透析、放化疗），在门诊治疗"),
    "accident": ("意外", "因意外受伤（如交通事故、摔伤）就医"),
}


@dataclass
class DocumentView:
    id: str
    filename: str
    reading: bool
    read_as: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def retake(self) -> bool:
        return bool(self.warnings)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "filename": self.filename, "reading": self.reading, "read_as": self.read_as,
                "fields": [{"label": k, "value": v} for k, v in self.fields], "warnings": self.warnings}


@dataclass
class Requirement:
    names: list[str]
    illustration: str
    """The document type whose picture shows what it looks like."""
    present: bool


def _about(finding: dict[str, Any], document_id: str) -> bool:
    return any(d == document_id or d.startswith(f"{document_id}#") for d in finding.get("documents") or ())


def _wrong_document(doc_type: DocType, rules: RuleSet) -> str | None:
    needed = [t for r in rules.required_documents for t in r.any_of]
    if doc_type in needed or doc_type is DocType.other:
        return None
    messages = builtin_messages()
    label = CLAIM_TYPE_WORDS[rules.claim_type.value][0]
    swapped = _SWAPPED.get(doc_type)
    wanted = messages.name(swapped) if swapped in needed else "、".join(dict.fromkeys(messages.name(t) for t in needed))
    return f"这是{messages.name(doc_type)}，{label}申报需要的是{wanted}。请确认是否拍错了材料，换成正确的重新上传。"


def document_view(row: DocumentRow, claim: ClaimRow, rules: RuleSet, waived: set[str]) -> DocumentView:
    view = DocumentView(id=row.id, filename=row.filename, reading=row.status in UNREAD)
    if view.reading:
        return view
    messages = builtin_messages()
    report = file_report(row)
    templates = builtin_templates()
    for document in report.documents:
        view.read_as.append(messages.name(document.doc_type))
        template = templates.get(document.doc_type)
        for name in SHOWN_FIELDS:
            found = document.fields.get(name)
            if found is not None and found.value not in ("", None):
                view.fields.append((template.label_of(name) if template else name, str(found.value)))
        if (wrong := _wrong_document(document.doc_type, rules)) is not None:
            view.warnings.append(wrong)
    for finding in claim.findings:
        body = finding.body
        if body["code"] in RETAKE + ("unsupported_document",) and _about(body, row.id) and (
                body["code"] == "unsupported_document" or is_open(body, waived)):
            view.warnings.append(body["message_claimant"])
    if row.error is not None and not any(f.body["code"] == "unreadable_file" and _about(f.body, row.id)
                                         for f in claim.findings):
        view.warnings.append("这个文件无法打开或识别，请重新拍照上传（照片或PDF）。")
    view.warnings = list(dict.fromkeys(view.warnings))
    return view


def requirements(claim: ClaimRow, rules: RuleSet) -> list[Requirement]:
    messages = builtin_messages()
    present = {part["doc_type"] for d in claim.documents for part in d.parts or ()}
    return [Requirement(names=[messages.name(t) for t in r.any_of], illustration=r.any_of[0].value,
                        present=bool(present.intersection(t.value for t in r.any_of)))
            for r in rules.required_documents]


def is_complete(claim: ClaimRow) -> bool:
    """齐全: assessed with nothing open."""
    return claim.status == ClaimState.complete
