"""What staff decide about a claim and how assessments honour it: a corrected field replaces what
was extracted, and a waived finding no longer keeps the claim open.

Pure functions over plain values: the job store calls them on every assessment (embedded
executor or task runner alike), the console to show which findings are waived.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from claim_intake.extract.models import DocType, Field, FieldValue
from claim_intake.extract.normalize import parse_date, parse_integer, parse_money
from claim_intake.extract.templates import FieldType, builtin_templates
from claim_intake.validators.models import Severity

OPEN_SEVERITIES = (Severity.blocking.value, Severity.follow_up.value)


class CorrectionError(ValueError):
    """The typed value is not a valid value of the field (a date that is not a date...)."""


def finding_key(finding: Mapping[str, Any]) -> str:
    """What identifies a finding across assessments of the same claim: its code and what it is
    about. Findings about no document (an unreadable file, a late submission) are told apart by
    their claimant text, which names the file."""
    parts = [finding["code"], finding.get("doc_type") or "", finding.get("field") or "",
             ",".join(finding.get("documents") or ())]
    if not finding.get("documents") and not finding.get("doc_type"):
        parts.append(hashlib.sha256(finding["message_claimant"].encode()).hexdigest()[:16])
    return "|".join(parts)


def is_open(finding: Mapping[str, Any], waived: set[str]) -> bool:
    return finding["severity"] in OPEN_SEVERITIES and finding_key(finding) not in waived


def status_after_waivers(findings: Iterable[Mapping[str, Any]], waived: set[str], internal_errors: bool = False) -> str:
    """``internal_errors``: some document could not be read through a bug; staff must look."""
    return "needs_follow_up" if internal_errors or any(is_open(f, waived) for f in findings) else "complete"


def _field_type(doc_type: str, name: str) -> FieldType | None:
    template = builtin_templates().get(DocType(doc_type))
    if template is None:
        return None
    for spec_name, spec in template.fields.items():
        if name in spec.targets:
            return FieldType.date  # the two ends of a range are dates
        if name == spec_name:
            return spec.type
    return None


def correctable_fields(doc_type: str) -> list[str]:
    """The fields staff may type in for a document type (charge lines are not typed in)."""
    template = builtin_templates().get(DocType(doc_type))
    if template is None:
        return []
    return [n for n in template.output_names() if _field_type(doc_type, n) is not FieldType.items]


def normalise_correction(doc_type: str, name: str, typed: str) -> FieldValue:
    """A typed value -> the field's normalised form, as extraction would have produced it."""
    text = typed.strip()
    if not text:
        raise CorrectionError("empty value")
    kind = _field_type(doc_type, name)
    if kind is None or kind is FieldType.items:
        raise CorrectionError(f"{name} cannot be corrected on a {doc_type}")
    if kind is FieldType.money:
        value: FieldValue | None = parse_money(text)
    elif kind is FieldType.date:
        value = parse_date(text)
    elif kind is FieldType.integer:
        value = parse_integer(text)
    elif kind is FieldType.presence:
        value = {"true": True, "是": True, "有": True, "false": False, "否": False, "无": False}.get(text.lower())
    elif kind is FieldType.name:
        value = "".join(text.split())  # names are compared as printed: no spaces
    else:
        value = text
    if value is None:
        raise CorrectionError(f"“{text}” is not a valid {kind.value}")
    return value


def apply_corrections(fields: Sequence[dict[str, Field]], corrections: Iterable[Any]) -> None:
    """Overlays corrections (rows with part, name, value, raw; oldest first, so the latest wins)
    onto each part's extracted fields, in place. A corrected field keeps where it was read, so
    its evidence still points at the page."""
    for correction in corrections:
        if not 0 <= correction.part < len(fields):
            continue  # the file was read again into fewer documents: the correction no longer applies
        extracted = fields[correction.part].get(correction.name)
        fields[correction.part][correction.name] = Field(
            value=correction.value, raw=correction.raw, confidence=1.0,
            page=extracted.page if extracted else None, box=extracted.box if extracted else None,
        )
