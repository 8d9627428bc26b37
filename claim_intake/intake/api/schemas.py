"""The API's response bodies, for the OpenAPI document. The JSON itself is built by ``views``
from the same pieces as the CLI's (``Document.export``, findings as the validators dump them)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from pydantic import Field as PydanticField

from claim_intake.benefit.models import Benefit
from claim_intake.extract.models import DocType, Document, Field
from claim_intake.intake.lifecycle import ClaimState, DocumentState
from claim_intake.intake.payout import Decision
from claim_intake.validators.models import ClaimType, Finding


class ErrorBody(BaseModel):
    code: str
    message: str
    reason: str | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class FileErrorOut(BaseModel):
    code: str
    reason: str | None = None
    message: str


class DocumentOut(BaseModel):
    id: str
    filename: str
    content_type: str | None
    size: int
    sha256: str | None
    status: DocumentState
    doc_type: DocType | None
    """The (first) document found in the file; null until read, or when unreadable."""
    fields: dict[str, Field]
    error: FileErrorOut | None
    documents: list[Document]
    """Every document found in the file, as ``claim-intake read --json`` prints them."""


class ClaimSummary(BaseModel):
    id: str
    external_id: str | None
    claim_type: ClaimType
    status: ClaimState
    submitted_on: date
    created_at: datetime
    updated_at: datetime
    decision: Decision | None = PydanticField(
        default=None, description="Staff's decision: null while undecided (and after a reversed approval).")


class ClaimOut(ClaimSummary):
    claimant_name: str | None
    claimant_id_number: str | None = PydanticField(description="As submitted, masked.")
    claimant_unit: str | None
    member_id: str | None = PydanticField(description="The roster's member the claim was matched to.")
    benefit: Benefit | None = PydanticField(
        description="The estimate: amount, plan(s), benefit rule set version and the steps of the calculation.")
    rule_set_version: str | None
    documents: list[DocumentOut]
    findings: list[Finding]
    approved_amount: str | None = PydanticField(default=None, description="Yuan, once approved (approved, paid).")
    approved_at: datetime | None = None


class ClaimPage(BaseModel):
    items: list[ClaimSummary]
    next_cursor: str | None = PydanticField(description="Pass as `cursor` for the next page; null on the last.")


class WebhookIn(BaseModel):
    url: str = PydanticField(max_length=2000, pattern=r"^https?://[^\s\x00]+$")
    secret: str | None = PydanticField(
        default=None, min_length=16, max_length=200, pattern=r"^[^\x00]+$",
        description="Signs each delivery (HMAC-SHA256); generated when omitted.",
    )


class WebhookOut(BaseModel):
    id: str
    url: str
    created_at: datetime
    secret: str | None = PydanticField(default=None, description="Shown only when the webhook is created.")


class DeliveryOut(BaseModel):
    id: str
    claim_id: str
    event: str
    status: str
    attempts: int
    response_status: int | None
    error: str | None
    created_at: datetime
    finished_at: datetime | None
