"""Looking claims up for the edges, short of HTTP: every lookup scoped to the caller's
organisation, listing a page at a time, and storing uploads before their rows are written. What
happens to a claim is the lifecycle's (``lifecycle``)."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from claim_intake.errors import InvalidRequestError, NotFoundError
from claim_intake.intake.auth import Caller
from claim_intake.intake.store import search
from claim_intake.intake.store.db import ClaimRow, DocumentRow, keyring_of
from claim_intake.intake.store.objects import ObjectStore
from claim_intake.intake.uploads import Upload


def get_claim(session: Session, organisation_id: str, claim_id: str) -> ClaimRow:
    """Another organisation's claim does not exist, as far as the caller can tell."""
    claim = session.get(ClaimRow, claim_id)
    if claim is None or claim.organisation_id != organisation_id:
        raise NotFoundError(f"no claim {claim_id}")
    return claim


def get_document(session: Session, organisation_id: str, claim_id: str, document_id: str) -> DocumentRow:
    claim = get_claim(session, organisation_id, claim_id)
    document = next((d for d in claim.documents if d.id == document_id), None)
    if document is None:
        raise NotFoundError(f"no document {document_id} in claim {claim_id}")
    return document


def store_uploads(store: ObjectStore, uploads: list[Upload]) -> list[str | None]:
    """Bytes first, rows after: a claim in the database always has its files."""
    return [None if u.source is None else store.put_file(u.source) for u in uploads]


def _encode_cursor(claim: ClaimRow) -> str:
    raw = json.dumps([claim.created_at.isoformat(), claim.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, claim_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(created), str(claim_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidRequestError("invalid cursor: pass next_cursor from the previous page as it was") from exc


def list_claims(session: Session, caller: Caller, *, found: search.ClaimFilter, since: datetime | None,
                cursor: str | None, limit: int) -> tuple[list[ClaimRow], str | None]:
    """The claims ``found`` (``store.search``), newest first; the cursor is the position of the
    last claim shown (created_at, id)."""
    query = search.apply(select(ClaimRow), caller.organisation_id, found, keyring_of(session))
    if since:
        # A time without a zone is taken as UTC, the zone every timestamp is stored in.
        try:
            utc = since.astimezone(UTC) if since.tzinfo else since.replace(tzinfo=UTC)
        except OverflowError as exc:
            raise InvalidRequestError(f"since: {since} is out of range") from exc
        query = query.where(ClaimRow.created_at >= utc)
    if cursor:
        created, claim_id = _decode_cursor(cursor)
        query = query.where(or_(ClaimRow.created_at < created, and_(ClaimRow.created_at == created, ClaimRow.id < claim_id)))
    rows = list(session.scalars(query.order_by(ClaimRow.created_at.desc(), ClaimRow.id.desc()).limit(limit + 1)))
    next_cursor = _encode_cursor(rows[limit - 1]) if len(rows) > limit else None
    return rows[:limit], next_cursor
