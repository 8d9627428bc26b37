"""The checks. Each takes the claim as the rule set sees it and yields findings."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from claim_intake.extract.amount_words import AmountWordsError, parse_amount_words
from claim_intake.extract.models import DocType
from claim_intake.extract.models import Field as ExtractedField
from claim_intake.extract.templates import builtin_templates
from claim_intake.validators.messages import Messages
from claim_intake.validators.models import (
    ClaimDocument,
    Evidence,
    Finding,
    FindingCode,
    InvoiceRef,
    InvoiceRegistry,
    PoorImage,
    Severity,
    UnreadableFile,
)

if TYPE_CHECKING:
    from claim_intake.validators.ruleset import RuleSet

@dataclass(frozen=True)
class Claim:
    rules: RuleSet
    messages: Messages
    documents: tuple[ClaimDocument, ...]
    unreadable: tuple[UnreadableFile, ...]
    claimant_name: str | None
    submitted_on: date | None = None
    registry: InvoiceRegistry | None = None
    poor_images: tuple[PoorImage, ...] = ()


def _read(doc: ClaimDocument, name: str) -> ExtractedField | None:
    """A field whose value was read; an unread one (ink but no text) is for illegible_field only."""
    found = doc.document.fields.get(name)
    return found if found is not None and found.value != "" else None


def _label(doc_type: DocType, field: str) -> str:
    template = builtin_templates().get(doc_type)
    return template.label_of(field) if template else field


def unreadable_files(claim: Claim) -> Iterator[Finding]:
    for bad in claim.unreadable:
        staff, claimant = claim.messages.finding("unreadable_file", file=bad.file, code=bad.code, message=bad.message)
        yield Finding(
            code=FindingCode.unreadable_file,
            severity=Severity.follow_up,
            message_staff=staff,
            message_claimant=claimant,
        )


def poor_images(claim: Claim) -> Iterator[Finding]:
    """A photo to retake, with what is wrong with it in plain words: one finding per page."""
    for poor in claim.poor_images:
        docs = [d for d in claim.documents if d.file == poor.file and poor.page in d.document.pages]
        defects = [claim.messages.image_defects[d] for d in poor.defects]
        # A page read as nothing in particular (often because of the blur) is just "材料".
        known = [d for d in docs if d.document.doc_type is not DocType.other]
        doc_name = claim.messages.name(known[0].document.doc_type) if known else "材料"
        staff, claimant = claim.messages.finding(
            "poor_image", file=poor.file, page=poor.page, doc=doc_name, codes=", ".join(poor.defects),
            reasons="、".join(d.name for d in defects), advice="".join(d.advice for d in defects),
        )
        yield Finding(
            code=FindingCode.poor_image,
            severity=Severity.follow_up,
            doc_type=docs[0].document.doc_type if docs else None,
            documents=tuple(d.id for d in docs),
            evidence=tuple(Evidence(document=d.id, page=poor.page) for d in docs),
            message_staff=staff,
            message_claimant=claimant,
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
        staff, claimant = claim.messages.finding(
            "missing_document", names=names, codes=" / ".join(requirement.any_of),
            claim_type=claim.rules.claim_type.value, version=claim.rules.version,
        )
        yield Finding(
            code=FindingCode.missing_document,
            severity=Severity.blocking,
            doc_type=first,
            message_staff=staff,
            message_claimant=claim.messages.ask(first) if len(requirement.any_of) == 1 else claimant,
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
                staff, claimant = claim.messages.finding("missing_field", doc=doc_name, file=doc.file, pages=pages,
                                                         label=label, field=name)
                yield Finding(
                    code=FindingCode.missing_field,
                    severity=Severity.follow_up,
                    doc_type=doc_type,
                    field=name,
                    documents=(doc.id,),
                    evidence=(Evidence(document=doc.id, page=doc.document.pages[0]),),
                    message_staff=staff,
                    message_claimant=claimant,
                )
            elif found.confidence < claim.rules.min_field_confidence:
                staff, claimant = claim.messages.finding(
                    "illegible_field", doc=doc_name, file=doc.file, page=found.page, label=label, raw=found.raw,
                    confidence=found.confidence, threshold=claim.rules.min_field_confidence,
                )
                yield Finding(
                    code=FindingCode.illegible_field,
                    severity=Severity.follow_up,
                    doc_type=doc_type,
                    field=name,
                    documents=(doc.id,),
                    evidence=(Evidence(document=doc.id, page=found.page, box=found.box),),
                    message_staff=staff,
                    message_claimant=claimant,
                )


def amount_words(claim: Claim) -> Iterator[Finding]:
    """金额合计 大写 vs 小写 on every document that prints both."""
    for doc in claim.documents:
        words, figures = _read(doc, "total_amount_words"), _read(doc, "total_amount")
        if words is None or figures is None:
            continue
        try:
            from_words = parse_amount_words(str(words.value))
        except AmountWordsError:
            continue
        if from_words == Decimal(str(figures.value)):
            continue
        doc_name = claim.messages.name(doc.document.doc_type)
        staff, claimant = claim.messages.finding("amount_words_mismatch", doc=doc_name, file=doc.file, words=words.value,
                                                 from_words=from_words, figures=figures.value)
        yield Finding(
            code=FindingCode.amount_words_mismatch,
            severity=Severity.follow_up,
            doc_type=doc.document.doc_type,
            field="total_amount_words",
            documents=(doc.id,),
            evidence=tuple(
                Evidence(document=doc.id, page=f.page, box=f.box) for f in (words, figures)
            ),
            message_staff=staff,
            message_claimant=claimant,
        )


_NAME_FIELDS = ("payer_name", "patient_name")


def patient_names(claim: Claim) -> Iterator[Finding]:
    """The patient's name on every document against the claimant (or the first name seen)."""
    named = [
        (doc, field, found)
        for doc in claim.documents
        for field in _NAME_FIELDS
        if (found := _read(doc, field)) is not None
    ]
    if not named:
        return
    expected = claim.claimant_name or str(named[0][2].value)
    against = "name_mismatch.claimant" if claim.claimant_name else "name_mismatch.document"
    for doc, field, found in named:
        if str(found.value) == expected:
            continue
        doc_name = claim.messages.name(doc.document.doc_type)
        staff, claimant = claim.messages.finding(against, doc=doc_name, file=doc.file, found=found.value,
                                                 expected=expected, source=named[0][0].file)
        yield Finding(
            code=FindingCode.name_mismatch,
            severity=Severity.follow_up,
            doc_type=doc.document.doc_type,
            field=field,
            documents=(doc.id,),
            evidence=(Evidence(document=doc.id, page=found.page, box=found.box),),
            message_staff=staff,
            message_claimant=claimant,
        )


def unsupported_documents(claim: Claim) -> Iterator[Finding]:
    """Readable pages that are not claim material: for the record, not a gap."""
    for doc in claim.documents:
        if doc.document.doc_type is not DocType.other:
            continue
        pages = "、".join(str(p) for p in doc.document.pages)
        staff, claimant = claim.messages.finding("unsupported_document", file=doc.file, pages=pages)
        yield Finding(
            code=FindingCode.unsupported_document,
            severity=Severity.info,
            doc_type=DocType.other,
            documents=(doc.id,),
            evidence=(Evidence(document=doc.id, page=doc.document.pages[0]),),
            message_staff=staff,
            message_claimant=claimant,
        )


def _money(doc: ClaimDocument, name: str) -> Decimal | None:
    found = _read(doc, name)
    return Decimal(str(found.value)) if found is not None else None


def _evidence(doc: ClaimDocument, *names: str) -> tuple[Evidence, ...]:
    fields = [doc.document.fields[n] for n in names if n in doc.document.fields]
    return tuple(Evidence(document=doc.id, page=f.page, box=f.box) for f in fields) or (
        Evidence(document=doc.id, page=doc.document.pages[0]),
    )


_INVOICES = (DocType.invoice_inpatient, DocType.invoice_outpatient)
_PAYMENT_PARTS = ("insurance_fund_paid", "other_paid", "personal_account_paid", "personal_cash_paid")


def amount_breakdown(claim: Claim) -> Iterator[Finding]:
    """医保统筹 + 其他 + 个人账户 + 个人现金 = 金额合计, to the fen, where all four are printed."""
    for doc in claim.documents:
        if doc.document.doc_type not in _INVOICES:
            continue
        total = _money(doc, "total_amount")
        parts = [_money(doc, name) for name in _PAYMENT_PARTS]
        if total is None or any(part is None for part in parts) or sum(parts) == total:
            continue
        doc_name = claim.messages.name(doc.document.doc_type)
        staff, claimant = claim.messages.finding("amount_breakdown_mismatch", doc=doc_name, file=doc.file,
                                                 parts=sum(parts), total=total, difference=sum(parts) - total)
        yield Finding(
            code=FindingCode.amount_breakdown_mismatch,
            severity=Severity.follow_up,
            doc_type=doc.document.doc_type,
            field="total_amount",
            documents=(doc.id,),
            evidence=_evidence(doc, "total_amount", *_PAYMENT_PARTS),
            message_staff=staff,
            message_claimant=claimant,
        )


def items_sum(claim: Claim) -> Iterator[Finding]:
    """The charge lines add up to the total, on invoices and expense lists."""
    for doc in claim.documents:
        items = _read(doc, "items")
        total = _money(doc, "total_amount")
        if items is None or total is None or not isinstance(items.value, list):
            continue
        counted = sum((Decimal(item["amount"]) for item in items.value), Decimal(0))
        if counted == total:
            continue
        doc_name = claim.messages.name(doc.document.doc_type)
        staff, claimant = claim.messages.finding("items_sum_mismatch", doc=doc_name, file=doc.file,
                                                 count=len(items.value), counted=counted, total=total,
                                                 difference=counted - total)
        yield Finding(
            code=FindingCode.items_sum_mismatch,
            severity=Severity.follow_up,
            doc_type=doc.document.doc_type,
            field="items",
            documents=(doc.id,),
            evidence=_evidence(doc, "items", "total_amount"),
            message_staff=staff,
            message_claimant=claimant,
        )


_STAY_FIELDS = ("admission_date", "discharge_date")
_STAY_DOCS = (DocType.invoice_inpatient, DocType.discharge_summary, DocType.expense_list, DocType.settlement)


def _date(doc: ClaimDocument, name: str) -> date | None:
    found = _read(doc, name)
    return date.fromisoformat(str(found.value)) if found is not None else None


def _date_finding(claim: Claim, doc: ClaimDocument, field: str, variant: str, **values: object) -> Finding:
    staff, claimant = claim.messages.finding(f"date_inconsistent.{variant}", doc=claim.messages.name(doc.document.doc_type),
                                             file=doc.file, **values)
    return Finding(
        code=FindingCode.date_inconsistent,
        severity=Severity.follow_up,
        doc_type=doc.document.doc_type,
        field=field,
        documents=(doc.id,),
        evidence=_evidence(doc, field),
        message_staff=staff,
        message_claimant=claimant,
    )


def dates(claim: Claim) -> Iterator[Finding]:
    """Each document's own dates, then the stay across documents.

    Across documents the reference is the date most documents agree on (the discharge summary's
    where they split evenly): the document that disagrees is the one to ask about.
    """
    flagged: set[tuple[str, str]] = set()
    for doc in claim.documents:
        admitted, discharged = _date(doc, "admission_date"), _date(doc, "discharge_date")
        if admitted and discharged and discharged < admitted:
            flagged.add((doc.id, "discharge_date"))
            yield _date_finding(claim, doc, "discharge_date", "discharge_before_admission",
                                discharged=discharged, admitted=admitted)
        days = _read(doc, "length_of_stay_days")
        stay = (discharged - admitted).days if admitted and discharged else None
        if days is not None and stay is not None and stay >= 0 and int(days.value) != stay:
            flagged.add((doc.id, "length_of_stay_days"))
            yield _date_finding(claim, doc, "length_of_stay_days", "length_of_stay",
                                days=days.value, admitted=admitted, discharged=discharged, stay=stay)
        issued, visited = _date(doc, "issue_date"), _date(doc, "visit_date")
        if issued and visited and issued < visited:
            yield _date_finding(claim, doc, "issue_date", "issue_before_visit", issued=issued, visited=visited)
    for field in _STAY_FIELDS:
        values = [(doc, _date(doc, field)) for doc in claim.documents if doc.document.doc_type in _STAY_DOCS]
        values = [(doc, value) for doc, value in values if value is not None]
        if len({value for _, value in values}) < 2:
            continue
        # A date its own document already contradicts does not vote.
        counts: dict[date, int] = {}
        for doc, value in values:
            if (doc.id, field) not in flagged:
                counts[value] = counts.get(value, 0) + 1
        summary = next((v for d, v in values if d.document.doc_type is DocType.discharge_summary), None)
        reference = max(counts, key=lambda v: (counts[v], v == summary))
        for doc, value in values:
            if value == reference or (doc.id, field) in flagged:
                continue
            yield _date_finding(claim, doc, field, field, value=value, reference=reference)


def _invoice_ref(doc: ClaimDocument) -> InvoiceRef | None:
    number = _read(doc, "invoice_number")
    if doc.document.doc_type not in _INVOICES or number is None:
        return None
    code = _read(doc, "invoice_code")
    return InvoiceRef(invoice_code=str(code.value) if code else None, invoice_number=str(number.value))


def duplicate_invoices(claim: Claim) -> Iterator[Finding]:
    """The same invoice twice in this claim, or already used by an earlier claim."""
    seen: dict[InvoiceRef, ClaimDocument] = {}
    for doc in claim.documents:
        ref = _invoice_ref(doc)
        if ref is None:
            continue
        doc_name = claim.messages.name(doc.document.doc_type)
        label = f"{ref.invoice_code or ''}/{ref.invoice_number}".lstrip("/")
        earlier = seen.get(ref)
        others = claim.registry.claims_using(ref) if claim.registry else []
        if earlier is None:
            seen[ref] = doc
        if earlier is None and not others:
            continue
        staff, claimant = claim.messages.finding(
            "duplicate_invoice.in_claim" if earlier else "duplicate_invoice.earlier_claim", doc=doc_name,
            file=doc.file, label=label, number=ref.invoice_number, earlier=earlier.file if earlier else None,
            claims=", ".join(others),
        )
        yield Finding(
            code=FindingCode.duplicate_invoice,
            severity=Severity.follow_up,
            doc_type=doc.document.doc_type,
            field="invoice_number",
            documents=(doc.id,) + ((earlier.id,) if earlier else ()),
            evidence=_evidence(doc, "invoice_code", "invoice_number"),
            message_staff=staff,
            message_claimant=claimant,
        )


def late_submission(claim: Claim) -> Iterator[Finding]:
    """Submitted later than the rule set allows after discharge or the last visit."""
    if claim.rules.submission_deadline_days is None or claim.submitted_on is None:
        return
    ends = [
        value
        for doc in claim.documents
        for name in ("discharge_date", "visit_date")
        if (value := _date(doc, name)) is not None
    ]
    if not ends:
        return
    last = max(ends)
    late = (claim.submitted_on - last).days - claim.rules.submission_deadline_days
    if late <= 0:
        return
    staff, claimant = claim.messages.finding(
        FindingCode.late_submission, submitted_on=claim.submitted_on, last=last,
        days=(claim.submitted_on - last).days, deadline=claim.rules.submission_deadline_days, late=late,
    )
    yield Finding(
        code=FindingCode.late_submission,
        severity=Severity.follow_up,
        message_staff=staff,
        message_claimant=claimant,
    )


ALWAYS: tuple[Callable[[Claim], Iterator[Finding]], ...] = (
    unreadable_files,
    poor_images,
    missing_documents,
    missing_and_illegible_fields,
)
OPTIONAL: dict[str, Callable[[Claim], Iterator[Finding]]] = {
    "unsupported_documents": unsupported_documents,
    "amount_words": amount_words,
    "amount_breakdown": amount_breakdown,
    "items_sum": items_sum,
    "patient_names": patient_names,
    "dates": dates,
    "duplicate_invoices": duplicate_invoices,
    "late_submission": late_submission,
}
