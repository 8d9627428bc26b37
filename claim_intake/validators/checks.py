"""The checks. Each takes the claim as the rule set sees it and yields findings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from claim_intake.extract.amount_words import AmountWordsError, parse_amount_words
from claim_intake.extract.models import DocType
from claim_intake.extract.templates import builtin_templates
from claim_intake.validators.messages import Messages
from claim_intake.validators.models import (
    ClaimDocument,
    Evidence,
    Finding,
    FindingCode,
    InvoiceRegistry,
    Severity,
    UnreadableFile,
)

if TYPE_CHECKING:
    from claim_intake.validators.ruleset import RuleSet

# Where a document should have held a required field, the claimant re-photographs it; what to
# say depends on whether the field was not there at all or there but unclear.
_RETAKE = "请重新拍摄并上传{doc}的清晰照片，确保“{label}”一栏完整、清楚、无遮挡。"


@dataclass(frozen=True)
class Claim:
    rules: RuleSet
    messages: Messages
    documents: tuple[ClaimDocument, ...]
    unreadable: tuple[UnreadableFile, ...]
    claimant_name: str | None
    submitted_on: date | None = None
    registry: InvoiceRegistry | None = None


def _label(doc_type: DocType, field: str) -> str:
    template = builtin_templates().get(doc_type)
    return template.label_of(field) if template else field


def unreadable_files(claim: Claim) -> Iterator[Finding]:
    for bad in claim.unreadable:
        yield Finding(
            code=FindingCode.unreadable_file,
            severity=Severity.follow_up,
            message_staff=f"文件“{bad.file}”无法读取（{bad.code}）：{bad.message}",
            message_claimant=(
                f"您上传的文件“{bad.file}”无法打开或识别。请重新拍照上传（JPG/PNG照片或PDF），"
                "确保文件完整、未加密。"
            ),
        )


def missing_documents(claim: Claim) -> Iterator[Finding]:
    present = {doc.document.doc_type for doc in claim.documents}
    for requirement in claim.rules.required_documents:
        if present.intersection(requirement.any_of):
            continue
        names = claim.messages.alternatives_joiner.join(
            claim.messages.name(t) for t in requirement.any_of
        )
        first = requirement.any_of[0]
        claimant = (
            claim.messages.ask(first)
            if len(requirement.any_of) == 1
            else f"请补充上传{names}中的任意一种材料的照片或PDF。"
        )
        yield Finding(
            code=FindingCode.missing_document,
            severity=Severity.blocking,
            doc_type=first,
            message_staff=(
                f"缺少必需材料：{names}（{' / '.join(requirement.any_of)}）。"
                f"{claim.rules.claim_type.value} 规则集 {claim.rules.version} 要求提供。"
            ),
            message_claimant=claimant,
        )


def missing_and_illegible_fields(claim: Claim) -> Iterator[Finding]:
    for doc in claim.documents:
        doc_type = doc.document.doc_type
        for name in claim.rules.required_fields.get(doc_type, ()):
            label = _label(doc_type, name)
            doc_name = claim.messages.name(doc_type)
            pages = "、".join(str(p) for p in doc.document.pages)
            found = doc.document.fields.get(name)
            if found is None:
                yield Finding(
                    code=FindingCode.missing_field,
                    severity=Severity.follow_up,
                    doc_type=doc_type,
                    field=name,
                    documents=(doc.id,),
                    evidence=(Evidence(document=doc.id, page=doc.document.pages[0]),),
                    message_staff=(
                        f"{doc_name}（文件“{doc.file}”第{pages}页）未识别到“{label}”（{name}）。"
                    ),
                    message_claimant=_RETAKE.format(doc=doc_name, label=label),
                )
            elif found.confidence < claim.rules.min_field_confidence:
                yield Finding(
                    code=FindingCode.illegible_field,
                    severity=Severity.follow_up,
                    doc_type=doc_type,
                    field=name,
                    documents=(doc.id,),
                    evidence=(Evidence(document=doc.id, page=found.page, box=found.box),),
                    message_staff=(
                        f"{doc_name}（文件“{doc.file}”第{found.page}页）的“{label}”识别为"
                        f"“{found.raw}”，置信度 {found.confidence:.2f} 低于"
                        f" {claim.rules.min_field_confidence:.2f}，请核对。"
                    ),
                    message_claimant=_RETAKE.format(doc=doc_name, label=label),
                )


def amount_words(claim: Claim) -> Iterator[Finding]:
    """金额合计 大写 vs 小写 on every document that prints both."""
    for doc in claim.documents:
        fields = doc.document.fields
        words, figures = fields.get("total_amount_words"), fields.get("total_amount")
        if words is None or figures is None:
            continue
        try:
            from_words = parse_amount_words(str(words.value))
        except AmountWordsError:
            continue
        if from_words == Decimal(str(figures.value)):
            continue
        doc_name = claim.messages.name(doc.document.doc_type)
        yield Finding(
            code=FindingCode.amount_words_mismatch,
            severity=Severity.follow_up,
            doc_type=doc.document.doc_type,
            field="total_amount_words",
            documents=(doc.id,),
            evidence=tuple(
                Evidence(document=doc.id, page=f.page, box=f.box) for f in (words, figures)
            ),
            message_staff=(
                f"{doc_name}（文件“{doc.file}”）金额合计大写“{words.value}”（{from_words}）"
                f"与小写 {figures.value} 不一致。"
            ),
            message_claimant=(
                f"您的{doc_name}上大写金额与小写金额不一致。请重新拍摄票据金额合计一栏的清晰照片；"
                "如票据本身有误，请到开票医院更正后重新上传。"
            ),
        )


_NAME_FIELDS = ("payer_name", "patient_name")


def patient_names(claim: Claim) -> Iterator[Finding]:
    """The patient's name on every document against the claimant (or the first name seen)."""
    named = [
        (doc, field, doc.document.fields[field])
        for doc in claim.documents
        for field in _NAME_FIELDS
        if field in doc.document.fields
    ]
    if not named:
        return
    expected = claim.claimant_name or str(named[0][2].value)
    source = "申报人" if claim.claimant_name else f"文件“{named[0][0].file}”"
    for doc, field, found in named:
        if str(found.value) == expected:
            continue
        doc_name = claim.messages.name(doc.document.doc_type)
        yield Finding(
            code=FindingCode.name_mismatch,
            severity=Severity.follow_up,
            doc_type=doc.document.doc_type,
            field=field,
            documents=(doc.id,),
            evidence=(Evidence(document=doc.id, page=found.page, box=found.box),),
            message_staff=(
                f"{doc_name}（文件“{doc.file}”）上的姓名“{found.value}”与{source}的“{expected}”不一致。"
            ),
            message_claimant=(
                f"您的{doc_name}上的患者姓名为“{found.value}”，与申报人“{expected}”不一致。"
                "请确认是否上传了本人的材料；如为本人材料，请联系工会工作人员说明情况。"
            ),
        )


ALWAYS: tuple[Callable[[Claim], Iterator[Finding]], ...] = (
    unreadable_files,
    missing_documents,
    missing_and_illegible_fields,
)
OPTIONAL: dict[str, Callable[[Claim], Iterator[Finding]]] = {
    "amount_words": amount_words,
    "patient_names": patient_names,
}
