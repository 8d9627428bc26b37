"""Types the validation stage takes and produces. Immutable and JSON-serialisable."""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from claim_intake.extract.models import DocType, Document
from claim_intake.ocr.models import Box


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClaimType(StrEnum):
    inpatient = "inpatient"
    outpatient_special = "outpatient_special"
    accident = "accident"


class Severity(StrEnum):
    blocking = "blocking"
    follow_up = "follow_up"
    info = "info"


class FindingCode(StrEnum):
    missing_document = "missing_document"
    missing_field = "missing_field"
    illegible_field = "illegible_field"
    unreadable_file = "unreadable_file"
    unsupported_document = "unsupported_document"
    amount_words_mismatch = "amount_words_mismatch"
    amount_breakdown_mismatch = "amount_breakdown_mismatch"
    items_sum_mismatch = "items_sum_mismatch"
    name_mismatch = "name_mismatch"
    date_inconsistent = "date_inconsistent"
    duplicate_invoice = "duplicate_invoice"
    duplicate_image = "duplicate_image"
    """Raised by the service (``intake.duplicates``), which keeps the earlier claims' page images' hashes."""
    late_submission = "late_submission"
    not_enrolled = "not_enrolled"
    outside_coverage = "outside_coverage"
    benefit_cap_reached = "benefit_cap_reached"
    poor_image = "poor_image"


class ClaimStatus(StrEnum):
    complete = "complete"
    needs_follow_up = "needs_follow_up"


class ClaimDocument(Frozen):
    """A document as the claim knows it: an id to point findings at, and where it came from."""

    id: str
    file: str
    document: Document


class InvoiceRef(Frozen):
    """An invoice as the duplicate check knows it: 票据代码 (older bills have none) + 票据号码."""

    invoice_code: str | None
    invoice_number: str


class UnreadableFile(Frozen):
    file: str
    code: str
    message: str


class PoorImage(Frozen):
    """A page whose photo is too poor to read reliably, and why (``ocr.quality.Defect`` values)."""

    file: str
    page: int
    defects: tuple[str, ...]


class Evidence(Frozen):
    document: str
    page: int | None = None
    box: Box | None = None


class Finding(Frozen):
    code: FindingCode
    severity: Severity
    doc_type: DocType | None = None
    field: str | None = None
    documents: tuple[str, ...] = ()
    """Ids of the documents concerned."""
    evidence: tuple[Evidence, ...] = ()
    message_staff: str
    message_claimant: str


class Assessment(Frozen):
    claim_type: ClaimType
    status: ClaimStatus
    findings: tuple[Finding, ...]
    rule_set_version: str


class InvoiceRegistry(Protocol):
    """Invoices already used by earlier claims; the service backs it with its database."""

    def claims_using(self, invoice: InvoiceRef) -> list[str]:
        """Ids of other claims that already include this invoice."""
        ...
