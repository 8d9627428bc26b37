"""``/v1/claims``: submit a claim, add documents, read, list, download an upload.

Uploads are screened and stored, rows committed, and the request answered 202 before any reading
starts: the executor reads and assesses afterwards, and the caller polls or takes a webhook.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from claim_intake.errors import InvalidRequestError, NotFoundError
from claim_intake.intake import erasure, lifecycle, payout
from claim_intake.intake.api.deps import (
    ERRORS,
    NO_NUL,
    UPLOAD_ERRORS,
    CallerDep,
    ServiceDep,
    SessionDep,
    UploaderDep,
    UploadFormDep,
    upload_body,
)
from claim_intake.intake.api.member_routes import claimant_identity
from claim_intake.intake.api.schemas import ClaimOut, ClaimPage, ClaimState
from claim_intake.intake.api.views import claim_summary, claim_view
from claim_intake.intake.auth import Caller
from claim_intake.intake.service import Service
from claim_intake.intake.store import claims as claim_ops
from claim_intake.intake.store.search import ClaimFilter
from claim_intake.intake.upload_form import files_of, text_of
from claim_intake.intake.uploads import screen_files
from claim_intake.validators.models import ClaimType

router = APIRouter(prefix="/v1/claims", tags=["claims"])


class SubmitFields(BaseModel):
    """The text fields of a submission (the form is read after authentication, so validated here)."""

    claim_type: str = Field(max_length=40)
    claimant_name: str | None = Field(default=None, max_length=100, pattern=NO_NUL)
    external_id: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    claimant_id_number: str | None = Field(default=None, max_length=40, pattern=NO_NUL)
    claimant_unit: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    member_id: str | None = Field(default=None, max_length=40, pattern=NO_NUL)


_SUBMIT_BODY = upload_body(
    claim_type={"type": "string", "enum": [t.value for t in ClaimType], "required": True},
    claimant_name={"type": "string", "maxLength": 100},
    external_id={"type": "string", "maxLength": 200, "description": "Your own reference."},
    claimant_id_number={"type": "string", "maxLength": 40,
                        "description": "The claimant's resident ID number (公民身份号码): matched against the roster."},
    claimant_unit={"type": "string", "maxLength": 200,
                   "description": "The claimant's unit (工作单位 / 基层工会): with the name, matched against the roster."},
    member_id={"type": "string", "maxLength": 40,
               "description": "The roster's member the claim is for (instead of claimant_id_number)."},
)


def _submit_fields(form: UploadFormDep) -> SubmitFields:
    try:
        return SubmitFields(**{name: value for name in SubmitFields.model_fields if (value := text_of(form, name))})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InvalidRequestError(problems) from exc


def _files(form: UploadFormDep) -> list[UploadFile]:
    files = files_of(form)
    if not files:
        raise InvalidRequestError("files: at least one file is required")
    return files


# The two upload routes are coroutines that block in one hop to an upload thread: a plain
# function endpoint takes a second hop to check its answer against the schema, and in a burst of
# uploads every hop is the event loop's time.

@router.post("", status_code=202, response_model=ClaimOut, responses=UPLOAD_ERRORS, openapi_extra=_SUBMIT_BODY)
async def submit_claim(
    service: ServiceDep,
    db: SessionDep,
    who: UploaderDep,
    form: UploadFormDep,
    idempotency_key: Annotated[str | None, Header(max_length=200, pattern=NO_NUL,
                                                  description="A retry with the same key returns the same claim.")] = None,
) -> dict:
    """Submit a claim. Answered as soon as the files are stored; reading happens afterwards."""
    fields, files = _submit_fields(form), _files(form)
    return await service.in_upload_thread(partial(_submit, service, db, who, fields, files, idempotency_key))


def _submit(service: Service, db: Session, who: Caller, fields: SubmitFields, files: list[UploadFile],
            idempotency_key: str | None) -> dict:
    existing = lifecycle.find_retry(db, who, idempotency_key)
    if existing is not None:
        lifecycle.audit(db, who, "claim.create", existing.id)
        db.commit()
        return claim_view(existing)
    service.settings.rule_set(fields.claim_type)  # unknown_claim_type before anything is stored
    id_number = claimant_identity(db, who, fields.claimant_id_number, fields.member_id)
    uploads = screen_files(files, service.settings.read.limits, service.settings.max_files_per_request)  # type: ignore[arg-type]
    keys = claim_ops.store_uploads(service.store, uploads)
    claim, queued = lifecycle.submit(
        db, who, claim_type=fields.claim_type, claimant_name=fields.claimant_name or None,
        external_id=fields.external_id or None, idempotency_key=idempotency_key, uploads=uploads, keys=keys,
        zone=service.zone, claimant_id_number=id_number, claimant_unit=fields.claimant_unit,
    )
    for document_id in queued:
        service.executor.submit_document(document_id)
    return claim_view(claim)


@router.post("/{claim_id}/documents", status_code=202, response_model=ClaimOut, responses=UPLOAD_ERRORS,
             openapi_extra=upload_body())
async def add_documents(service: ServiceDep, db: SessionDep, who: UploaderDep, claim_id: str,
                        form: UploadFormDep) -> dict:
    """More materials for a claim; the claim is assessed again over all its documents."""
    return await service.in_upload_thread(partial(_add_documents, service, db, who, claim_id, _files(form)))


def _add_documents(service: Service, db: Session, who: Caller, claim_id: str, files: list[UploadFile]) -> dict:
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
def read_claim(db: SessionDep, who: CallerDep, claim_id: str,
               reveal: Annotated[bool, Query(description="ID and bank numbers in full (audited); masked otherwise.")] = False,
               ) -> dict:
    """A claim: its status, documents with their fields, and findings."""
    claim = claim_ops.get_claim(db, who.organisation_id, claim_id)
    lifecycle.audit(db, who, "claim.reveal" if reveal else "claim.read", claim.id)
    db.commit()
    return claim_view(claim, reveal)


@router.delete("/{claim_id}", status_code=204, response_class=Response, responses=ERRORS)
def erase_claim(service: ServiceDep, who: CallerDep, claim_id: str) -> Response:
    """Erase the claim: its files, pages, text, fields and findings. What cannot be undone is
    recorded in the audit log (that it happened, by which key), and nothing of its content."""
    erasure.erase_claim(service.sessions, service.store, claim_id, organisation_id=who.organisation_id,
                        actor=who.api_key_id)
    return Response(status_code=204)


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
    decided = payout.decisions(db, rows)
    lifecycle.audit(db, who, "claim.list")
    db.commit()
    return {"items": [claim_summary(c, decided.get(c.id)) for c in rows], "next_cursor": next_cursor}


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
