"""Values staff type in for a field: checked and normalised as extraction would have produced
them, and laid over what was extracted on every later assessment of the claim."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from claim_intake.errors import InvalidRequestError
from claim_intake.extract.models import DocType, Field, FieldValue
from claim_intake.extract.normalize import parse_date, parse_integer, parse_money
from claim_intake.extract.templates import FieldType, builtin_templates


class CorrectionError(InvalidRequestError):
    """The typed value is not a valid value of the field (a date that is not a date...)."""

    code = "invalid_correction"


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
