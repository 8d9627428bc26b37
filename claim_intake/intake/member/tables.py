"""The member pages' tables. The schema is migration ``0009_member``'s."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Select, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from claim_intake.intake.store.db import Base, SealedText, UtcDateTime, utcnow


class MemberPortal(Base):
    """An organisation's public entry point: ``/m/<slug>``, and the QR code of it on a poster."""

    __tablename__ = "member_portals"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    """Random: the link cannot be guessed from the organisation's name."""
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    require_code: Mapped[bool] = mapped_column(Boolean, default=False)
    """A one-time code sent to the phone before anything is shown."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class MemberClaim(Base):
    """What the member filled in for a claim; the claim itself is a ``claims`` row."""

    __tablename__ = "member_claims"
    __table_args__ = (Index("ix_member_claims_member", "organisation_id", "id_number"),)

    claim_id: Mapped[str] = mapped_column(ForeignKey("claims.id"), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(String(50))
    id_number: Mapped[str] = mapped_column(String(18))
    phone: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(200))
    hospital: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    """Admission (住院) or the visit (门诊, 意外)."""
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    """Discharge (住院); None otherwise."""
    description: Mapped[str] = mapped_column(SealedText(), default="")
    bank_account: Mapped[str | None] = mapped_column(SealedText(), nullable=True)
    """None: the account on the member's enrolment."""
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    """None while the member is still adding materials."""


class MemberCode(Base):
    """A one-time code sent to a phone: only its hash is kept; it expires and works once."""

    __tablename__ = "member_codes"
    __table_args__ = (Index("ix_member_codes_phone", "organisation_id", "phone"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Notification(Base):
    """A message to a member: the outbox staff see and resend, whatever carried it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_listing", "organisation_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    claim_id: Mapped[str | None] = mapped_column(ForeignKey("claims.id"), nullable=True)
    phone: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    """``sent``, or ``failed`` (``error`` says why); ``kept`` by the outbox alone."""
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class RateCounter(Base):
    """Hits of one key (``ip:…``, ``phone:…``) in its current window."""

    __tablename__ = "rate_counters"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime())
    count: Mapped[int] = mapped_column(Integer, default=0)


def member_drafts() -> Select[tuple[str]]:
    """The claims a member is still putting together on the phone (not submitted yet): staff do
    not chase those, so the follow-up queue and the claims lists leave them out."""
    return select(MemberClaim.claim_id).where(MemberClaim.submitted_at.is_(None))
