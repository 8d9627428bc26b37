"""``/v1/claims``: submit a claim, add documents, read, list, download an upload.

Uploads are screened and stored, rows committed, and the request answered 202 before any reading
starts: the executor reads and assesses afterwards, and the caller polls or takes a webhook.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Header, Query, Response

from claim_intake.errors import NotFoundError
from claim_intake.intake import lifecycle
from claim_intake.intake.api.deps import (
    ERRORS,
    NO_NUL,
    UPLOAD_ERRORS,
    CallerDep,
    Files,
    ServiceDep,
    SessionDep,
)
from claim_intake.intake.api.member_routes import claimant_identity
from claim_intake.intake.api.schemas import ClaimOut, ClaimPage, ClaimState
from claim_intake.intake.api.views import claim_summary, claim_view
from claim_intake.intake.store import claims as claim_ops
from claim_intake.intake.store.search import ClaimFilter
from claim_intake.intake.uploads import screen_files
from claim_intake.validators.models import ClaimType

router = APIRouter(prefix="/v1/claims", tags=["claims"])


@router.post("", status_code=202, response_model=ClaimOut, responses=UPLOAD_ERRORS)
def submit_claim(
    service: ServiceDep,
    db: SessionDep,
    who: CallerDep,
    files: Files,
    claim_type: Annotated[str, Form(max_length=40, json_schema_extra={"enum": [t.value for t in ClaimType]})],
    claimant_name: Annotated[str | None, Form(max_length=100, pattern=NO_NUL)] = None,
    external_id: Annotated[str | None, Form(max_length=200, pattern=NO_NUL, description="Your own reference.")] = None,
    claimant_id_number: Annotated[str | None, Form(max_length=40, pattern=NO_NUL, description=(
        "The claimant's resident ID number (公民身份号码): matched against the roster."))] = None,
    claimant_unit: Annotated[str | None, Form(max_length=200, pattern=NO_NUL, description=(
        "The claimant's unit (工作单位 / 基层工会): with the name, matched against the roster."))] = None,
    member_id: Annotated[str | None, Form(max_length=40, pattern=NO_NUL, description=(
        "The roster's member the claim is for (instead of claimant_id_number)."))] = None,
    idempotency_key: Annotated[str | None, Header(max_length=200, pattern=NO_NUL,
                                                  description="A retry with the same key returns the same claim.")] = None,
) -> dict:
    """Submit a claim. Answered as soon as the files are stored; reading happens afterwards."""
    existing = lifecycle.find_retry(db, who, idempotency_key)
    if existing is not None:
        lifecycle.audit(db, who, "claim.create", existing.id)
        db.commit()
        return claim_view(existing)
    service.settings.rule_set(claim_type)  # unknown_claim_type before anything is stored
    id_number = claimant_identity(db, who, claimant_id_number or None, member_id or None)
    uploads = screen_files(files, service.settings.read.limits, service.settings.max_files_per_request)  # type: ignore[arg-type]
    keys = claim_ops.store_uploads(service.store, uploads)
    claim, queued = lifecycle.submit(
        db, who, claim_type=claim_type, claimant_name=claimant_name or None,
        external_id=external_id or None, idempotency_key=idempotency_key, uploads=uploads, keys=keys,
        zone=service.zone, claimant_id_number=id_number, claimant_unit=claimant_unit or None,
    )
    for document_id in queued:
        service.executor.submit_document(document_id)
    return claim_view(claim)


@router.post("/{claim_id}/documents", status_code=202, response_model=ClaimOut, responses=UPLOAD_ERRORS)
def add_documents(service: ServiceDep, db: SessionDep, who: CallerDep, claim_id: str, files: Files) -> dict:
    """More materials for a claim; the claim is assessed again over all its documents."""
    claim = claim_ops.get_claim(db, who.organisation_id, claim_id)
    uploads = screen_files(files, service.settings.read.limits, service.settings.max_files_per_request)  # type: ignore[arg-type]
    keys = claim_ops.store_uploads(service.store, uploads)
    change, queued = lifecycle.add_documents(db, who, claim, uploads, keys)
    db.commit()
    service.publish(change)
    for document_id in queued:
        service.executor.submit_document(document_id)
    return claim_view(claim)


@router.get("/{claim_id}", response_model=ClaimOut, responses=ERRORS)
def read_claim(db: SessionDep, who: CallerDep, claim_id: str) -> dict:
    """A claim: its status, documents with their fields, and findings."""
    claim = claim_ops.get_claim(db, who.organisation_id, claim_id)
    lifecycle.audit(db, who, "claim.read", claim.id)
    db.commit()
    return claim_view(claim)


@router.get("", response_model=ClaimPage, responses=ERRORS)
def list_claims(
    service: ServiceDep,
    db: SessionDep,
    who: CallerDep,
    status: ClaimState | None = None,
    claim_type: ClaimType | None = None,
    since: Annotated[datetime | None, Query(description="Submitted at or after (ISO 8601).")] = None,
    q: Annotated[str | None, Query(max_length=200, pattern=NO_NUL,
                                   description="Claimant name (part of it), ID number, invoice number, claim id or your reference.")] = None,
    submitted_from: Annotated[date | None, Query(description="Submitted on or after this day.")] = None,
    submitted_to: Annotated[date | None, Query(description="Submitted on or before this day.")] = None,
    unit: Annotated[str | None, Query(max_length=200, pattern=NO_NUL,
                                      description="The claimant's unit (工作单位 / 基层工会), or part of it.")] = None,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> dict:
    """The organisation's claims, newest first, a page at a time, filtered and searched."""
    rows, next_cursor = claim_ops.list_claims(
        db, who, since=since, cursor=cursor, limit=service.settings.page_size,
        found=ClaimFilter(q=q, status=status, claim_type=claim_type, submitted_from=submitted_from,
                          submitted_to=submitted_to, unit=unit),
    )
    lifecycle.audit(db, who, "claim.list")
    db.commit()
    return {"items": [claim_summary(c) for c in rows], "next_cursor": next_cursor}


@router.get(
    "/{claim_id}/documents/{document_id}/file",
    responses={**ERRORS, 200: {"content": {"application/octet-stream": {}}, "description": "The upload as sent."}},
    response_class=Response,
)
def download(service: ServiceDep, db: SessionDep, who: CallerDep, claim_id: str, document_id: str) -> Response:
    """The original upload, byte for byte."""
    document = claim_ops.get_document(db, who.organisation_id, claim_id, document_id)
    if document.sha256 is None:
        raise NotFoundError(f"document {document_id} was refused at intake; nothing was stored")
    data = service.store.get(document.sha256)
    lifecycle.audit(db, who, "document.download", claim_id, document_id)
    db.commit()
    disposition = f"attachment; filename*=UTF-8''{quote(document.filename)}"
    return Response(data, media_type=document.content_type, headers={"Content-Disposition": disposition})
