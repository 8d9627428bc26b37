"""Erasing personal data: a claim on request (API, CLI), claims past the retention period (beat,
``claim-intake retention``), and stored objects no claim refers to any more (the sweep).

A claim's erasure removes every row that belongs to it or to its documents, found from the
schema itself (every table with a ``claim_id`` or ``document_id`` column, dependants first), so
tables added later are covered too; only the audit log is kept, which holds ids and actions, never
content, and gains a ``claim.erase`` entry. Stored objects are shared by content hash (the same
photo in two claims, even two organisations, is one object): an object is deleted only when no
remaining document refers to it, its reference count being the documents that name it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from claim_intake.errors import NotFoundError
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.db import (
    AuditEntry,
    Base,
    ClaimRow,
    DocumentRow,
    PayoutBatchClaim,
    PayoutBatchErasure,
    utcnow,
)
from claim_intake.intake.store.objects import ObjectStore

log = logging.getLogger(__name__)

KEPT_TABLES = {"audit_log"}
"""What erasure leaves: who did what to which id, and when (no content)."""
SWEEP_GRACE_S = 3600.0
"""An object younger than this may belong to an upload whose rows are not committed yet."""


@dataclass(frozen=True)
class Erased:
    claim_id: str
    documents: int
    objects_deleted: int
    objects_kept: int
    """Objects still referred to by another claim's documents."""


def _delete_rows(session: Session, claim_id: str, document_ids: list[str]) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in KEPT_TABLES or table.name in (DocumentRow.__tablename__, ClaimRow.__tablename__):
            continue
        conditions = []
        if "document_id" in table.c and document_ids:
            conditions.append(table.c.document_id.in_(document_ids))
        if "claim_id" in table.c:
            conditions.append(table.c.claim_id == claim_id)
        if conditions:
            session.execute(delete(table).where(or_(*conditions)))
    session.execute(delete(DocumentRow).where(DocumentRow.claim_id == claim_id))
    session.execute(delete(ClaimRow).where(ClaimRow.id == claim_id))


def delete_unreferenced(sessions: sessionmaker[Session], store: ObjectStore, keys: Iterable[str]) -> tuple[int, int]:
    """Deletes the objects of ``keys`` that no document refers to; (deleted, kept)."""
    deleted = kept = 0
    for key in set(keys):
        with sessions() as session:
            references = session.scalar(select(func.count()).where(DocumentRow.sha256 == key))
        if references:
            kept += 1
            continue
        store.delete(key)
        deleted += 1
    return deleted, kept


def erase_claim(sessions: sessionmaker[Session], store: ObjectStore, claim_id: str, *, organisation_id: str | None,
                actor: str) -> Erased:
    """Erases the claim (of ``organisation_id``; None: any, for the operator's CLI and retention).
    ``actor``: an API key id, ``cli`` or ``retention``, for the audit log."""
    with sessions.begin() as session:
        claim = session.get(ClaimRow, claim_id, with_for_update=True)
        if claim is None or (organisation_id is not None and claim.organisation_id != organisation_id):
            raise NotFoundError(f"no claim {claim_id}")
        documents = list(session.scalars(select(DocumentRow).where(DocumentRow.claim_id == claim_id)))
        keys = [d.sha256 for d in documents if d.sha256]
        organisation = claim.organisation_id
        batch_id = session.scalar(select(PayoutBatchClaim.batch_id).where(PayoutBatchClaim.claim_id == claim_id))
        if batch_id is not None:  # the batch's record of what it held outlives the claim
            session.add(PayoutBatchErasure(batch_id=batch_id, erased_claim=claim_id, approved_fen=claim.approved_fen))
        _delete_rows(session, claim_id, [d.id for d in documents])
        session.add(AuditEntry(organisation_id=organisation, api_key_id=actor[:40], action="claim.erase",
                               claim_id=claim_id))
    # Rows first: a failure here leaves objects for the sweep, never rows without their files.
    deleted, kept = delete_unreferenced(sessions, store, keys)
    log.info("claim %s erased by %s: %d document(s), %d object(s) deleted, %d shared kept",
             claim_id, actor, len(documents), deleted, kept)
    return Erased(claim_id, len(documents), deleted, kept)


def expired_claims(session: Session, days: float, states: Iterable[str]) -> list[str]:
    cutoff = utcnow() - timedelta(days=days)
    return list(session.scalars(
        select(ClaimRow.id).where(ClaimRow.status.in_(list(states)), ClaimRow.updated_at < cutoff)
        .order_by(ClaimRow.updated_at)
    ))


def apply_retention(sessions: sessionmaker[Session], store: ObjectStore, days: float | None,
                    states: Iterable[str]) -> list[Erased]:
    """Erases the claims that have been in one of ``states`` (final ones) for more than ``days``;
    nothing when no retention is set."""
    if days is None:
        return []
    with sessions() as session:
        claim_ids = expired_claims(session, days, states)
    return [erase_claim(sessions, store, claim_id, organisation_id=None, actor="retention") for claim_id in claim_ids]


def housekeeping(sessions: sessionmaker[Session], store: ObjectStore, settings: Settings) -> None:
    """Retention, then the orphan sweep: what beat runs hourly (``QUEUE__HOUSEKEEPING_EVERY_S``),
    and the embedded service itself without a beat."""
    apply_retention(sessions, store, settings.retention_days, settings.retention_states)
    sweep_orphans(sessions, store)


def sweep_orphans(sessions: sessionmaker[Session], store: ObjectStore, grace_s: float = SWEEP_GRACE_S) -> int:
    """Deletes stored objects that no document refers to (uploads of failed requests, erasures
    interrupted between rows and objects), older than ``grace_s``. Returns how many."""
    deleted, _ = delete_unreferenced(sessions, store, store.keys_older_than(grace_s))
    if deleted:
        log.info("orphan sweep: %d object(s) deleted", deleted)
    return deleted
