"""What the API does with claims, short of HTTP: recording claims and documents, scoping every
lookup to the caller's organisation, the audit log, listing."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claim_intake.errors import InvalidRequestError, NotFoundError
from claim_intake.intake.auth import Caller
from claim_intake.intake.db import AuditEntry, Claim, Document, StatusChange, new_id, utcnow
from claim_intake.intake.storage import ObjectStore
from claim_intake.intake.uploads import Upload


def audit(session: Session, caller: Caller, action: str, claim_id: str | None = None,
          document_id: str | None = None) -> None:
    session.add(AuditEntry(organisation_id=caller.organisation_id, api_key_id=caller.api_key_id,
                           action=action, claim_id=claim_id, document_id=document_id))


def get_claim(session: Session, caller: Caller, claim_id: str) -> Claim:
    """Another organisation's claim does not exist, as far as the caller can tell."""
    claim = session.get(Claim, claim_id)
    if claim is None or claim.organisation_id != caller.organisation_id:
        raise NotFoundError(f"no claim {claim_id}")
    return claim


def get_document(session: Session, caller: Caller, claim_id: str, document_id: str) -> Document:
    claim = get_claim(session, caller, claim_id)
    document = next((d for d in claim.documents if d.id == document_id), None)
    if document is None:
        raise NotFoundError(f"no document {document_id} in claim {claim_id}")
    return document


def find_retry(session: Session, caller: Caller, idempotency_key: str | None) -> Claim | None:
    if idempotency_key is None:
        return None
    return session.scalar(
        select(Claim).where(Claim.organisation_id == caller.organisation_id,
                            Claim.idempotency_key == idempotency_key)
    )


def store_uploads(store: ObjectStore, uploads: list[Upload]) -> list[str | None]:
    """Bytes first, rows after: a claim in the database always has its files."""
    return [None if u.error else store.put(u.data) for u in uploads]


def _add_documents(session: Session, claim: Claim, uploads: list[Upload], keys: list[str | None]) -> list[str]:
    """Returns the ids of the documents to read."""
    position = len(claim.documents)
    queued = []
    for n, (upload, key) in enumerate(zip(uploads, keys, strict=True)):
        document = Document(
            id=new_id("doc"), claim_id=claim.id, position=position + n, filename=upload.filename,
            content_type=upload.content_type, size=upload.size, sha256=key,
            status="failed" if upload.error else "queued",
            error=upload.error.to_dict() if upload.error else None, parts=[],
        )
        session.add(document)
        claim.documents.append(document)
        if not upload.error:
            queued.append(document.id)
    return queued


def create_claim(
    session: Session,
    caller: Caller,
    *,
    claim_type: str,
    claimant_name: str | None,
    external_id: str | None,
    idempotency_key: str | None,
    uploads: list[Upload],
    keys: list[str | None],
    zone: ZoneInfo,
) -> tuple[Claim, list[str]]:
    """A new claim (committed) and the documents to read. A concurrent retry with the same
    Idempotency-Key that won the race is returned instead, with nothing to read."""
    now = utcnow()
    claim = Claim(
        id=new_id("clm"), organisation_id=caller.organisation_id, claim_type=claim_type,
        claimant_name=claimant_name, external_id=external_id, idempotency_key=idempotency_key,
        status="processing", submitted_on=now.astimezone(zone).date(), created_at=now, updated_at=now,
    )
    session.add(claim)
    queued = _add_documents(session, claim, uploads, keys)
    session.add(StatusChange(claim_id=claim.id, status="processing", reason="submitted"))
    audit(session, caller, "claim.create", claim.id)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find_retry(session, caller, idempotency_key)
        if existing is None:
            raise
        return existing, []
    return claim, queued


def add_documents(session: Session, caller: Caller, claim: Claim, uploads: list[Upload],
                  keys: list[str | None]) -> tuple[str, list[str]]:
    """More materials for a claim: it is processing again until they are read. Returns the
    previous status and the documents to read."""
    previous = claim.status
    queued = _add_documents(session, claim, uploads, keys)
    if queued and previous != "processing":
        claim.status = "processing"
        session.add(StatusChange(claim_id=claim.id, status="processing", reason="documents_added"))
    claim.updated_at = utcnow()
    audit(session, caller, "claim.upload", claim.id)
    session.commit()
    return previous, queued


def _encode_cursor(claim: Claim) -> str:
    raw = json.dumps([claim.created_at.isoformat(), claim.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, claim_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(created), str(claim_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidRequestError("invalid cursor: pass next_cursor from the previous page as it was") from exc


def list_claims(session: Session, caller: Caller, *, status: str | None, claim_type: str | None,
                since: datetime | None, cursor: str | None, limit: int) -> tuple[list[Claim], str | None]:
    """Newest first; the cursor is the position of the last claim shown (created_at, id)."""
    query = select(Claim).where(Claim.organisation_id == caller.organisation_id)
    if status:
        query = query.where(Claim.status == status)
    if claim_type:
        query = query.where(Claim.claim_type == claim_type)
    if since:
        # A time without a zone is taken as UTC, the zone every timestamp is stored in.
        try:
            utc = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        except OverflowError as exc:
            raise InvalidRequestError(f"since: {since} is out of range") from exc
        query = query.where(Claim.created_at >= utc)
    if cursor:
        created, claim_id = _decode_cursor(cursor)
        query = query.where(or_(Claim.created_at < created, and_(Claim.created_at == created, Claim.id < claim_id)))
    rows = list(session.scalars(query.order_by(Claim.created_at.desc(), Claim.id.desc()).limit(limit + 1)))
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor
