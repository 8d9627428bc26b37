"""Types the extraction stage produces. Immutable and JSON-serialisable."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from claim_intake.ocr.models import Box


class DocType(StrEnum):
    invoice_inpatient = "invoice_inpatient"
    invoice_outpatient = "invoice_outpatient"
    discharge_summary = "discharge_summary"
    expense_list = "expense_list"
    settlement = "settlement"
    diagnosis_certificate = "diagnosis_certificate"
    accident_proof = "accident_proof"
    id_card = "id_card"
    bank_card = "bank_card"
    application_form = "application_form"
    other = "other"


FieldValue = str | int | bool | list[dict[str, str]]


class Field(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    value: FieldValue
    """Normalised: dates YYYY-MM-DD, money "1234.50", days int, names as printed."""
    raw: str
    confidence: float = PydanticField(ge=0.0, le=1.0)
    page: int | None = PydanticField(default=None, ge=1)
    """1-based page number within the file; None for an absence (doctor_signed false)."""
    box: Box | None = None


class Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_type: DocType
    confidence: float = PydanticField(ge=0.0, le=1.0)
    pages: tuple[int, ...]
    """1-based page numbers within the file."""
    fields: dict[str, Field] = PydanticField(default_factory=dict)

    def export(self) -> dict[str, Any]:
        """The JSON shape callers rely on (CLI ``read --json``, the API's documents)."""
        return {
            "doc_type": self.doc_type.value,
            "confidence": self.confidence,
            "pages": list(self.pages),
            "fields": {name: field.model_dump(mode="json") for name, field in self.fields.items()},
        }
