"""One-time codes sent to a member's phone: six digits, only a keyed hash is stored, expiring,
single-use, and a few wrong tries spend a code."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from claim_intake.intake.member.notify import Notifier, code_text
from claim_intake.intake.member.tables import MemberCode
from claim_intake.intake.store.db import utcnow

MAX_TRIES = 5


def _hash(secret: str, organisation_id: str, phone: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{organisation_id}:{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def issue(session: Session, notifier: Notifier, secret: str, organisation_id: str, phone: str,
          minutes: float, claim_id: str | None = None) -> None:
    """A new code, sent; earlier unused codes of the phone stop working."""
    now = utcnow()
    for old in session.scalars(select(MemberCode).where(MemberCode.organisation_id == organisation_id,
                                                        MemberCode.phone == phone, MemberCode.used_at.is_(None))):
        old.used_at = now
    code = f"{secrets.randbelow(1_000_000):06d}"
    session.add(MemberCode(organisation_id=organisation_id, phone=phone, code_hash=_hash(secret, organisation_id, phone, code),
                           expires_at=now + timedelta(minutes=minutes), attempts=0))
    notifier.send(session, organisation_id, phone, "code", code_text(code, round(minutes)), claim_id)


def verify(session: Session, secret: str, organisation_id: str, phone: str, code: str) -> bool:
    """True once for the right code before it expires. The caller commits (a wrong try counts)."""
    now = utcnow()
    row = session.scalar(select(MemberCode).where(MemberCode.organisation_id == organisation_id,
                                                  MemberCode.phone == phone, MemberCode.used_at.is_(None))
                         .order_by(MemberCode.id.desc()).limit(1))
    if row is None or row.expires_at <= now:
        return False
    row.attempts += 1
    if row.attempts >= MAX_TRIES:
        row.used_at = now
    if not hmac.compare_digest(row.code_hash, _hash(secret, organisation_id, phone, code.strip())):
        return False
    row.used_at = now
    return True
