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


def without_gaps_the_claim_fills(
    findings: Iterable[Finding], rules: RuleSet, documents: Sequence[ClaimDocument]
) -> list[Finding]:
    """Drops missing_field / illegible_field where another document of the claim states the field."""
    return [
        f
        for f in findings
        if not (
            f.code in _FIELD_GAPS
            and f.field is not None
            and len(f.documents) == 1
            and _supplied(rules, documents, f.documents[0], f.field)
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
