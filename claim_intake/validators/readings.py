"""What one reading of a document missed, the claim as a whole may still hold.

A required field counts as missing only where the claim lacks it: where the rule set lets
another document state it (the stay's dates on the discharge summary as well as on the invoice),
a reading that missed it on one document asks nothing of the claimant. And a finding that rests
on text read with low confidence says so to staff, who then look at the page before they call.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from claim_intake.extract.models import Field
from claim_intake.validators.messages import Messages
from claim_intake.validators.models import ClaimDocument, Finding, FindingCode
from claim_intake.validators.ruleset import FieldRef, RuleSet

_FIELD_GAPS = (FindingCode.missing_field, FindingCode.illegible_field)
_RELATED = {
    "total_amount_words": ("total_amount",),
    "total_amount": ("total_amount_words", "items"),
    "items": ("total_amount",),
}
"""Fields a finding on one of them also rests on (大写 against 小写, charge lines against total)."""


def _confident(field: Field | None, rules: RuleSet) -> bool:
    return field is not None and field.value != "" and field.confidence >= rules.min_field_confidence


def _supplied(rules: RuleSet, documents: Sequence[ClaimDocument], doc_id: str, name: str) -> bool:
    refs: Sequence[FieldRef] = rules.supplied_by.get(name, ())
    return any(
        doc.id != doc_id
        and doc.document.doc_type is ref.doc_type
        and _confident(doc.document.fields.get(ref.field), rules)
        for doc in documents
        for ref in refs
    )


SHEET_FIELDS = frozenset({
    "total_amount", "total_amount_words", "items", "payee",
    "insurance_fund_paid", "other_paid", "personal_account_paid", "personal_cash_paid", "self_pay", "self_expense",
})
"""What a payment printed over several invoice sheets states once, on one of them."""
MAX_SHEET_GAP = 9
"""Sheets of one payment are numbered one after the other."""


def _number(doc: ClaimDocument) -> int | None:
    found = doc.document.fields.get("invoice_number")
    return int(found.value) if found is not None and isinstance(found.value, str) and found.value.isdigit() else None


def _same_payment(a: ClaimDocument, b: ClaimDocument) -> bool:
    """Two invoice sheets of one payment: one type, the same day and payer, numbered in sequence."""
    if a.id == b.id or a.document.doc_type is not b.document.doc_type:
        return False
    for name in ("issue_date", "payer_name"):
        x, y = a.document.fields.get(name), b.document.fields.get(name)
        if x is None or y is None or not x.value or x.value != y.value:
            return False
    m, n = _number(a), _number(b)
    return m is not None and n is not None and 0 < abs(m - n) <= MAX_SHEET_GAP


def _on_a_sister_sheet(rules: RuleSet, documents: Sequence[ClaimDocument], doc_id: str, name: str) -> bool:
    doc = next((d for d in documents if d.id == doc_id), None)
    return (
        doc is not None
        and name in SHEET_FIELDS
        and any(_same_payment(doc, other) and _confident(other.document.fields.get(name), rules) for other in documents)
    )


def without_gaps_the_claim_fills(
    findings: Iterable[Finding], rules: RuleSet, documents: Sequence[ClaimDocument]
) -> list[Finding]:
    """Drops missing_field / illegible_field where another document of the claim states the field:
    one the rule set names for it, or another sheet of the same payment (the totals of a payment
    printed over three invoice sheets stand on one of them)."""
    return [
        f
        for f in findings
        if not (
            f.code in _FIELD_GAPS
            and f.field is not None
            and len(f.documents) == 1
            and (
                _supplied(rules, documents, f.documents[0], f.field)
                or _on_a_sister_sheet(rules, documents, f.documents[0], f.field)
            )
        )
    ]


def noting_low_confidence(
    findings: Iterable[Finding], rules: RuleSet, documents: Sequence[ClaimDocument], messages: Messages
) -> list[Finding]:
    """A finding raised from text read below the rule set's confidence says so to staff."""
    by_id = {doc.id: doc for doc in documents}
    noted = []
    for finding in findings:
        if finding.code in _FIELD_GAPS or finding.field is None:
            noted.append(finding)
            continue
        names = (finding.field, *_RELATED.get(finding.field, ()))
        doubtful = [
            (field_name, found)
            for doc_id in finding.documents
            if doc_id in by_id
            for field_name in names
            if (found := by_id[doc_id].document.fields.get(field_name)) is not None
            and found.confidence < rules.min_field_confidence
        ]
        if doubtful:
            detail = "、".join(f"{name}（{found.confidence:.2f}）" for name, found in doubtful)
            note = messages.low_confidence_note.format(fields=detail)
            finding = finding.model_copy(update={"message_staff": f"{finding.message_staff}{note}"})
        noted.append(finding)
    return noted
