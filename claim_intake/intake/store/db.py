"""The service's tables (SQLAlchemy 2) and the database connection for SQLite or PostgreSQL.

The schema itself is created by the Alembic migrations in ``intake/migrations``; these classes are
how the code reads and writes it. Names follow the domain reference.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    sessionmaker,
)
from sqlalchemy.pool import NullPool

from claim_intake.intake.settings import Settings
from claim_intake.intake.store.crypto import Keyring, keyring_from_settings, open_text, seal_text
from claim_intake.intake.store.sqlite_writes import BUSY_TIMEOUT_S, WriterConnection


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


class UtcDateTime(TypeDecorator[datetime]):
    """SQLite forgets the zone; every timestamp here is UTC, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def keyring_of(bind: Engine | Session | Any) -> Keyring | None:
    """The keyring of an engine (``open_database``), of a session's engine, or of a dialect.

    It rides on the engine's dialect: the one object a column type is handed on every read and
    write, and one per engine, so no process-wide state (tests run services with different keys)."""
    if isinstance(bind, Session):
        bind = bind.get_bind()
    dialect = bind.dialect if isinstance(bind, Engine) else bind
    return getattr(dialect, "claim_intake_keyring", None)


class SealedText(TypeDecorator[str]):
    """Text encrypted with the engine's keyring (``crypto.seal_text``); in the clear without one.
    Personal data only: nothing may filter or sort on it in SQL."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        keyring = keyring_of(dialect)
        return seal_text(value, keyring) if value is not None and keyring else value

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return open_text(value, keyring_of(dialect)) if value is not None else None


class SealedJSON(TypeDecorator[Any]):
    """A JSON value kept as sealed text (``SealedText``); ``None`` is stored as JSON ``null``."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str:
        text = json.dumps(value, ensure_ascii=False)
        keyring = keyring_of(dialect)
        return seal_text(text, keyring) if keyring else text

    def process_result_value(self, value: str | float | None, dialect: Any) -> Any:
        if not isinstance(value, str):
            # SQLite gives a column declared JSON numeric affinity: the text of a JSON number comes
            # back as that number (its type was left as created, migration 0010).
            return value
        return json.loads(open_text(value, keyring_of(dialect)))


class Base(DeclarativeBase):
    pass


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    """The key's public prefix: finds the row without storing the secret part."""
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    """A staff member's own key: the API's staff actions (approval, payouts) act as them, with
    their role. None: the organisation's key (an intake system), which cannot act as staff."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class ClaimRow(Base):
    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("organisation_id", "idempotency_key", name="uq_claims_idempotency"),
        Index("ix_claims_listing", "organisation_id", "created_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    claim_type: Mapped[str] = mapped_column(String(40))
    claimant_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    external_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    rule_set_version: Mapped[str | None] = mapped_column(String(40), nullable=True)
    claimant_id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    """As the submitter gave it (normalised): the first thing the roster is matched on."""
    claimant_unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    member_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    """The roster's member the last assessment matched the claim to."""
    benefit: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """The last assessment's estimate: ``{amount, plan, rule_set_version, steps, example, parts}``
    (``claim_intake.benefit.models.Benefit``); None when there is none (no match, an amount unread)."""
    submitted_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    approved_fen: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The amount staff approved, in fen (integer: no float ever holds money)."""
    approved_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    payout_account: Mapped[str | None] = mapped_column(SealedText(), nullable=True)
    """The bank account staff entered on approval (``payout.payout_account`` reads it)."""
    member: Mapped[MemberRow | None] = relationship(
        primaryjoin="foreign(ClaimRow.member_id) == MemberRow.id", viewonly=True, lazy="selectin")
    """The roster's member the last assessment matched (none without a roster or a match)."""

    documents: Mapped[list[DocumentRow]] = relationship(
        back_populates="claim", order_by="DocumentRow.position"
    )
    findings: Mapped[list[FindingRow]] = relationship(order_by="FindingRow.position")


class DocumentRow(Base):
    """One uploaded file. What was found in it (usually one document, sometimes several) is in
    ``parts`` and its ``fields``."""

    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    """Upload order within the claim: the order in which the claim is assessed."""
    filename: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The storage key; None for a file refused at intake (nothing stored)."""
    status: Mapped[str] = mapped_column(String(20), index=True)
    error: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Per document found in the file: doc_type, confidence, pages."""
    read_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Reads started: more than one means a reader died or was retried."""
    released_reads: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Reads handed back because storage or the database was unavailable: not the file's fault."""
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    """Whoever holds ``task_id`` has the document until then: queued with a broker, or reading.
    Past it, the reconciler presumes the work lost and hands the document out again."""
    task_id: Mapped[str | None] = mapped_column(String(64), nullable=True)

    claim: Mapped[ClaimRow] = relationship(back_populates="documents")
    fields: Mapped[list[FieldRow]] = relationship(order_by="FieldRow.id")
    pages: Mapped[list[PageRow]] = relationship(order_by="PageRow.number")
    corrections: Mapped[list[FieldCorrection]] = relationship(order_by="FieldCorrection.id")


class PageRow(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(20))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(SealedText())
    source_width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The upload's size in pixels (a PDF page: at the render resolution): the frame of field
    boxes and ``lines``. None for pages read before the console existed."""
    lines: Mapped[list[dict[str, Any]] | None] = mapped_column(SealedJSON(), nullable=True)
    """The OCR lines: ``{"text", "confidence", "box"}``, the box in the upload's pixels."""
    image_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    """The page image's perceptual hash (``ocr.image_hash``): what ``duplicate_image`` compares."""
    quality: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """The photo's measured quality (``ocr.quality.ImageQuality``); None for a text layer."""


class FieldRow(Base):
    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    part: Mapped[int] = mapped_column(Integer)
    """Index into the document's ``parts``."""
    name: Mapped[str] = mapped_column(String(60))
    value: Mapped[Any] = mapped_column(SealedJSON())
    raw: Mapped[str] = mapped_column(SealedText())
    lookup: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    """An ID number's keyed digest (``crypto.lookups``): the search by ID number, the value being
    sealed. None for other fields."""
    confidence: Mapped[float] = mapped_column(Float)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    box: Mapped[list[float] | None] = mapped_column(JSON, nullable=True)


class FindingRow(Base):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(20))
    body: Mapped[dict[str, Any]] = mapped_column(SealedJSON())
    """The finding as the API shows it (documents point at document ids)."""


class StatusChange(Base):
    __tablename__ = "claim_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    api_key_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    claim_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    document_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class InvoiceUse(Base):
    """Which claim includes which invoice: the duplicate check across claims reads this."""

    __tablename__ = "invoices_used"
    __table_args__ = (Index("ix_invoices_used_lookup", "organisation_id", "invoice_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"))
    invoice_code: Mapped[str] = mapped_column(String(40))
    """'' for older provincial bills, which have no 票据代码."""
    invoice_number: Mapped[str] = mapped_column(String(40))


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    """Kept in the clear: signing needs it."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id"), index=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"))
    event: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    """pending, delivered or failed."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    response_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


# --- The staff console (``intake/web``): who reviews, and what they decided --------------------

class StaffMember(Base):
    __tablename__ = "staff"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    """Stored lower-case: the login name."""
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="admin", server_default="admin")
    """reviewer, approver or admin (``intake.roles``)."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    totp_secret: Mapped[str | None] = mapped_column(SealedText(), nullable=True)
    """Two-step login's secret (``console.two_step``); None: off."""
    totp_pending: Mapped[str | None] = mapped_column(SealedText(), nullable=True)
    """A secret shown and not yet confirmed with a code."""
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """The time step of the last code accepted: no code is accepted twice."""


class LoginAttempt(Base):
    """Every console login tried: the login audit, and what throttling counts."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_email_at", "email", "at"),
                      Index("ix_login_attempts_address_at", "address", "at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(320))
    address: Mapped[str] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))
    """``succeeded``, ``failed`` (a wrong e-mail or password), or ``throttled`` (not checked)."""
    staff_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StaffSession(Base):
    """A staff login, server-side: the cookie carries only its id, so logging out or an
    administrator's revocation ends it at once, wherever the cookie is."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    """sha256 of the token the cookie holds: a database read leaks no usable session."""
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class FollowUpLinkRow(Base):
    """A follow-up link handed to a claimant: the signed token names this row, so that a link can
    be revoked (by staff, or by the next link of the claim) and its uploads counted."""

    __tablename__ = "follow_up_links"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    staff_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    uploads: Mapped[int] = mapped_column(Integer, default=0)


class ClaimAssignment(Base):
    """Who on the staff follows the claim up; a claim without a row is unassigned."""

    __tablename__ = "claim_assignments"

    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class FieldCorrection(Base):
    """A value a member of staff read on the page themselves. Every assessment of the claim uses
    the latest correction of a field instead of what was extracted; older ones stay as history."""

    __tablename__ = "field_corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id"), index=True)
    part: Mapped[int] = mapped_column(Integer)
    """Index into the document's ``parts``, as for ``FieldRow``."""
    name: Mapped[str] = mapped_column(String(60))
    value: Mapped[Any] = mapped_column(SealedJSON())
    """Normalised like an extracted value."""
    raw: Mapped[str] = mapped_column(SealedText())
    """As typed."""
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class FindingWaiver(Base):
    """A finding staff decided not to pursue. It is matched by ``finding_key`` on every later
    assessment, so that a waived finding stays waived when the claim is assessed again."""

    __tablename__ = "finding_waivers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    finding_key: Mapped[str] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ClaimEvent(Base):
    """The claim's history as staff see it: who did what, and when."""

    __tablename__ = "claim_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), index=True)
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    """None: the claimant, through a follow-up link."""
    action: Mapped[str] = mapped_column(String(40))
    """field.corrected, finding.waived, claim.assigned, contact.logged, link.created,
    claimant.uploaded."""
    detail: Mapped[dict[str, Any]] = mapped_column(SealedJSON(), default=dict)
    """A corrected value among others: sealed."""
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


# --- The member roster (参保/参互名单) -----------------------------------------------------------

class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("organisation_id", "id_number", name="uq_members_id_number"),
        Index("ix_members_name", "organisation_id", "name"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    """The ``member_id``."""
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    id_number: Mapped[str] = mapped_column(String(18))
    """Normalised (18 characters, X upper-case) for matching; shown masked."""
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    bank: Mapped[str | None] = mapped_column(String(100), nullable=True)
    account: Mapped[str | None] = mapped_column(SealedText(), nullable=True)
    """Kept whole for the bank's payment file (sealed); shown masked."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    enrolments: Mapped[list[EnrolmentRow]] = relationship(order_by="EnrolmentRow.start")


class EnrolmentRow(Base):
    __tablename__ = "enrolments"
    __table_args__ = (UniqueConstraint("member_id", "plan", "start", name="uq_enrolments"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    plan: Mapped[str] = mapped_column(String(100))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)


class MemberChange(Base):
    """A member or enrolment that a roster import changed: what it was, what it became."""

    __tablename__ = "member_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.id"), index=True)
    source: Mapped[str] = mapped_column(String(300))
    """The file imported."""
    previous: Mapped[dict[str, Any]] = mapped_column(SealedJSON())
    current: Mapped[dict[str, Any]] = mapped_column(SealedJSON())
    """Both sealed: they hold accounts and ID numbers."""
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


# --- Payouts: approved claims gathered for the bank --------------------------------------------

class PayoutBatch(Base):
    __tablename__ = "payout_batches"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    paid_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"), nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    claims: Mapped[list[ClaimRow]] = relationship(secondary="payout_batch_claims", order_by="ClaimRow.approved_at")
    erasures: Mapped[list[PayoutBatchErasure]] = relationship(order_by="PayoutBatchErasure.id")


class PayoutBatchErasure(Base):
    """A claim of the batch that was erased since: that it was there and its amount, nothing of the
    person (the column is not ``claim_id``, which erasure deletes by)."""

    __tablename__ = "payout_batch_erasures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("payout_batches.id"), index=True)
    erased_claim: Mapped[str] = mapped_column(String(40))
    approved_fen: Mapped[int | None] = mapped_column(Integer, nullable=True)
    erased_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PayoutBatchClaim(Base):
    """A claim is in one batch at most (the primary key)."""

    __tablename__ = "payout_batch_claims"

    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("payout_batches.id"), index=True)


def open_database(url: str, pooled: bool = True, keyring: Keyring | None = None) -> Engine:
    """``keyring`` seals the personal data columns (``SealedText``, ``SealedJSON``). SQLite gets a
    folder, cross-thread use (the executor's threads share it), WAL, a busy timeout, and this
    process's writers queued on a lock (``sqlite_writes``) so that the API and the executor can
    write at the same time without sleeping in SQLite's busy handler. ``pooled`` False: no
    connection kept open (a Celery worker's parent, whose children are forked after it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url, poolclass=NullPool) if not pooled else create_engine(url, pool_pre_ping=True)
        engine.dialect.claim_intake_keyring = keyring  # type: ignore[attr-defined]
        return engine
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    db = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_S,
                                          "factory": WriterConnection})

    @event.listens_for(db, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cursor.close()

    db.dialect.claim_intake_keyring = keyring  # type: ignore[attr-defined]
    return db


def open_service_database(settings: Settings, pooled: bool = True) -> Engine:
    """The configured database, sealing with the keys of ``storage_keys`` when set."""
    return open_database(settings.resolved_database_url, pooled, keyring_from_settings(settings))


def make_sessions(db: Engine) -> sessionmaker:
    return sessionmaker(db, expire_on_commit=False)
