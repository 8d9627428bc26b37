"""The database behind the workers' jobs: what ``claim_intake.workers.jobs.JobStore`` asks for."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import ParamSpec, TypeVar

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from claim_intake.benefit.models import Claimant
from claim_intake.errors import DatabaseUnavailableError
from claim_intake.extract.models import DocType
from claim_intake.intake import lifecycle
from claim_intake.intake.lifecycle import UNREAD, ClaimState, DocumentState
from claim_intake.intake.metrics import Metrics
from claim_intake.intake.store.db import (
    ClaimRow,
    DocumentRow,
    InvoiceUse,
    utcnow,
)
from claim_intake.intake.store.members import DbRoster
from claim_intake.intake.store.reads import file_report
from claim_intake.pipeline import ClaimReport, FileError, FileReport
from claim_intake.validators.models import InvoiceRef
from claim_intake.workers.jobs import ClaimToAssess, StatusChanged, StoredFile, Upload

_T = TypeVar("_T")
_P = ParamSpec("_P")


def _database_errors(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """The database out of reach becomes the retryable DatabaseUnavailableError: the workers'
    reading policy waits for it rather than failing the document."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return method(*args, **kwargs)
        except (OperationalError, InterfaceError, DisconnectionError) as exc:
            raise DatabaseUnavailableError(f"the database is unavailable: {exc}") from exc

    return wrapper
_INVOICES = (DocType.invoice_inpatient, DocType.invoice_outpatient)


class DbInvoiceRegistry:
    """Invoices of the organisation's earlier claims, for the duplicate check.

    Only claims submitted before this one count: when the earlier claim is assessed again (a
    follow-up upload), the later claim that repeats its invoice is the duplicate, not it.
    """

    def __init__(self, sessions: sessionmaker[Session], organisation_id: str, claim_id: str) -> None:
        self._sessions = sessions
        self._organisation_id = organisation_id
        self._claim_id = claim_id

    def claims_using(self, invoice: InvoiceRef) -> list[str]:
        submitted = select(ClaimRow.created_at).where(ClaimRow.id == self._claim_id).scalar_subquery()
        query = (
            select(InvoiceUse.claim_id)
            .join(ClaimRow, ClaimRow.id == InvoiceUse.claim_id)
            .where(
                InvoiceUse.organisation_id == self._organisation_id,
                InvoiceUse.invoice_number == invoice.invoice_number,
                InvoiceUse.invoice_code == (invoice.invoice_code or ""),
                InvoiceUse.claim_id != self._claim_id,
                ClaimRow.created_at < submitted,
            )
            .distinct()
            .order_by(InvoiceUse.claim_id)
        )
        with self._sessions() as session:
            return list(session.scalars(query))


class SqlJobStore:
    """Leases and the races between readers; what each outcome records is the lifecycle's."""

    def __init__(self, sessions: sessionmaker[Session], metrics: Metrics) -> None:
        self._sessions = sessions
        self._metrics = metrics

    # Every lease change is one conditional UPDATE: the database decides between two processes
    # racing for the same document, whatever each of them read before.

    @_database_errors
    def start_reading(self, document_id: str, holder: str, lease_s: float) -> Upload | None:
        now = utcnow()
        with self._sessions.begin() as session:
            taken = session.execute(
                update(DocumentRow)
                .where(
                    DocumentRow.id == document_id,
                    DocumentRow.sha256.is_not(None),
                    or_(
                        DocumentRow.status == DocumentState.queued,
                        and_(DocumentRow.status == DocumentState.reading, _free_for(holder, now)),
                    ),
                )
                .values(status=DocumentState.reading.value, task_id=holder, lease_until=now + timedelta(seconds=lease_s),
                        attempts=DocumentRow.attempts + 1)
            ).rowcount
            if not taken:
                return None
            row = session.get_one(DocumentRow, document_id)
            assert row.sha256 is not None
            return Upload(document_id=row.id, claim_id=row.claim_id, filename=row.filename, storage_key=row.sha256,
                          attempts=row.attempts, released_reads=row.released_reads)

    @_database_errors
    def renew_lease(self, document_id: str, holder: str, lease_s: float) -> bool:
        with self._sessions.begin() as session:
            return bool(session.execute(
                update(DocumentRow)
                .where(DocumentRow.id == document_id, DocumentRow.status == DocumentState.reading, DocumentRow.task_id == holder)
                .values(lease_until=utcnow() + timedelta(seconds=lease_s))
            ).rowcount)

    @_database_errors
    def requeue(self, document_id: str, holder: str, lease_s: float, counted: bool = True) -> None:
        released = DocumentRow.released_reads + (0 if counted else 1)
        with self._sessions.begin() as session:
            session.execute(
                update(DocumentRow)
                .where(DocumentRow.id == document_id, DocumentRow.status == DocumentState.reading, DocumentRow.task_id == holder)
                .values(status=DocumentState.queued.value, lease_until=utcnow() + timedelta(seconds=lease_s), released_reads=released)
            )

    @_database_errors
    def hand_out(self, document_id: str, task_id: str, lease_s: float) -> bool:
        """Records that ``task_id`` was (about to be) sent for the document; False when it is
        read, or spoken for by a live lease (queued with the broker, or being read)."""
        now = utcnow()
        with self._sessions.begin() as session:
            return bool(session.execute(
                update(DocumentRow)
                .where(DocumentRow.id == document_id, DocumentRow.status.in_(UNREAD),
                       or_(DocumentRow.lease_until.is_(None), DocumentRow.lease_until < now))
                .values(status=DocumentState.queued.value, task_id=task_id, lease_until=now + timedelta(seconds=lease_s))
            ).rowcount)

    @_database_errors
    def mark_received(self, document_id: str, task_id: str, lease_s: float) -> bool:
        """A worker took ``task_id``'s message off the queue: the document's hand-out lease (the
        long queue lease) becomes one reader's lease from now, so that a worker killed before it
        starts reading loses the document within ``lease_s``, not the queue lease. False when the
        document was handed to another task meanwhile (nothing to change)."""
        with self._sessions.begin() as session:
            return bool(session.execute(
                update(DocumentRow)
                .where(DocumentRow.id == document_id, DocumentRow.status == DocumentState.queued,
                       DocumentRow.task_id == task_id)
                .values(lease_until=utcnow() + timedelta(seconds=lease_s))
            ).rowcount)

    @_database_errors
    def lost_documents(self, unclaimed_after_s: float) -> list[str]:
        """Unread documents whose lease ran out, and those never handed out (the API process
        died between its commit and its enqueue) after ``unclaimed_after_s``; oldest claim first."""
        now = utcnow()
        with self._sessions() as session:
            return list(session.scalars(
                select(DocumentRow.id).join(ClaimRow)
                .where(DocumentRow.status.in_(UNREAD), DocumentRow.sha256.is_not(None), or_(
                    DocumentRow.lease_until < now,
                    and_(DocumentRow.lease_until.is_(None),
                         DocumentRow.created_at < now - timedelta(seconds=unclaimed_after_s)),
                ))
                .order_by(ClaimRow.created_at, DocumentRow.position)
            ))

    @_database_errors
    def unassessed_claims(self) -> list[str]:
        """Claims still processing with every document read: their assessment was lost or is
        under way (assessing twice stores it once)."""
        with self._sessions() as session:
            return list(session.scalars(
                select(ClaimRow.id).where(ClaimRow.status == ClaimState.processing,
                                       ~ClaimRow.documents.any(DocumentRow.status.in_(UNREAD)))
                .order_by(ClaimRow.created_at)
            ))

    @_database_errors
    def save_read(self, document_id: str, report: FileReport, holder: str) -> bool:
        with self._sessions.begin() as session:
            # Taking the row first locks it: no hand-out can slip in between check and write.
            held = session.execute(
                update(DocumentRow)
                .where(DocumentRow.id == document_id, DocumentRow.status == DocumentState.reading, DocumentRow.task_id == holder)
                .values(lease_until=None)
            ).rowcount
            if not held:
                return False
            row = session.get_one(DocumentRow, document_id)
            lifecycle.document_read(session, row, report, session.get_one(ClaimRow, row.claim_id).organisation_id)
        self._metrics.documents_read.labels(outcome=row.status).inc()
        self._metrics.read_seconds.observe(report.seconds)
        return True

    @_database_errors
    def fail_reading(self, document_id: str, error: FileError, holder: str) -> str | None:
        with self._sessions.begin() as session:
            failed = session.execute(
                update(DocumentRow)
                .where(DocumentRow.id == document_id, DocumentRow.status.in_(UNREAD),
                       or_(DocumentRow.task_id == holder, DocumentRow.task_id.is_(None)))
                .values(status=DocumentState.failed.value, error=error.model_dump(mode="json", exclude_none=True),
                        read_at=utcnow(), lease_until=None)
            ).rowcount
            if not failed:
                return None
            claim_id = session.get_one(DocumentRow, document_id).claim_id
        self._metrics.documents_read.labels(outcome=DocumentState.failed.value).inc()
        return claim_id

    @_database_errors
    def claim_to_assess(self, claim_id: str) -> ClaimToAssess | None:
        with self._sessions() as session:
            claim = session.get(ClaimRow, claim_id)
            # Not processing: already assessed since its last change (a duplicate job).
            if claim is None or claim.status != ClaimState.processing or any(d.status in UNREAD for d in claim.documents):
                return None
            return ClaimToAssess(
                claim_id=claim.id,
                claim_type=claim.claim_type,
                claimant_name=claim.claimant_name,
                submitted_on=claim.submitted_on,
                files=tuple(StoredFile(d.id, file_report(d)) for d in claim.documents),
                registry=DbInvoiceRegistry(self._sessions, claim.organisation_id, claim.id),
                roster=DbRoster(self._sessions, claim.organisation_id, claim.id),
                claimant=Claimant(name=claim.claimant_name, id_number=claim.claimant_id_number,
                                  unit=claim.claimant_unit),
            )

    @_database_errors
    def save_assessment(self, claim: ClaimToAssess, report: ClaimReport) -> StatusChanged | None:
        with self._sessions.begin() as session:
            # A write first: it waits for (and then sees) a concurrent assessment of the same
            # claim, on SQLite too, so that one change of the claim is assessed once.
            still_processing = session.execute(
                update(ClaimRow).where(ClaimRow.id == claim.claim_id, ClaimRow.status == ClaimState.processing)
                .values(updated_at=utcnow())
            ).rowcount
            if not still_processing:
                return None
            row = session.get_one(ClaimRow, claim.claim_id, with_for_update=True)
            current = tuple(d.id for d in row.documents)
            if current != tuple(f.document_id for f in claim.files) or any(d.status in UNREAD for d in row.documents):
                return None
            change = lifecycle.assess(session, row, [(f.document_id, f.report) for f in claim.files], report)
            status = row.status
        self._metrics.claims_assessed.labels(status=status).inc()
        return change


def _free_for(holder: str, now: datetime) -> ColumnElement[bool]:
    """A document being read that ``holder`` may take: its lease ran out (or never existed: a
    row from before leases), or it is ``holder``'s own (the same task delivered again)."""
    return or_(DocumentRow.lease_until.is_(None), DocumentRow.lease_until < now, DocumentRow.task_id == holder)
