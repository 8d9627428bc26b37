"""Console logins: throttled per account and per address before any password is checked, each
attempt in the login audit, and sessions kept server-side so that they can be ended.

Checking a password runs Argon2id at 64 MiB: a flood of guesses would cost that much memory and
CPU each. Throttled attempts are refused from the audit table alone, without Argon2. An account
with too many failures in the window is locked until the oldest of them leaves it (the message
says how long); an address with too many is refused the same way, whatever e-mail it tries.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from claim_intake.intake.store.db import LoginAttempt, StaffMember, StaffSession, utcnow

SUCCEEDED, FAILED, THROTTLED = "succeeded", "failed", "throttled"


@dataclass(frozen=True)
class LoginPolicy:
    window_s: float = 900.0
    max_account_failures: int = 5
    max_address_failures: int = 20


@dataclass(frozen=True)
class Throttle:
    scope: str
    """``account`` or ``address``."""
    retry_after_s: int


def _failures(session: Session, column: object, value: str, since: datetime) -> tuple[int, datetime | None]:
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.at))
        .where(column == value, LoginAttempt.outcome == FAILED, LoginAttempt.at >= since)  # type: ignore[operator]
    ).one()
    return int(count), oldest


def throttle(session: Session, email: str, address: str, policy: LoginPolicy) -> Throttle | None:
    """Whether this attempt is refused unchecked, and for how long."""
    now = utcnow()
    since = now - timedelta(seconds=policy.window_s)
    for scope, column, value, limit in (("account", LoginAttempt.email, email, policy.max_account_failures),
                                        ("address", LoginAttempt.address, address, policy.max_address_failures)):
        count, oldest = _failures(session, column, value, since)
        if count >= limit and oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            wait = oldest + timedelta(seconds=policy.window_s) - now
            return Throttle(scope, max(1, int(wait.total_seconds()) + 1))
    return None


def record(session: Session, email: str, address: str, outcome: str, staff_id: str | None = None) -> None:
    session.add(LoginAttempt(email=email[:320], address=address[:64], outcome=outcome, staff_id=staff_id))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, staff: StaffMember, address: str, hours: float) -> str:
    """A new server-side session; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(id=_digest(token), staff_id=staff.id, address=address[:64],
                             expires_at=utcnow() + timedelta(hours=hours)))
    return token


def session_staff(session: Session, token: str) -> StaffMember | None:
    row = session.get(StaffSession, _digest(token))
    if row is None or row.revoked_at is not None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=utcnow().tzinfo)
    if expires <= utcnow():
        return None
    return session.get(StaffMember, row.staff_id)


def end_session(session: Session, token: str) -> None:
    session.execute(update(StaffSession).where(StaffSession.id == _digest(token), StaffSession.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))


def revoke_sessions(session: Session, staff_id: str) -> int:
    """Ends every session of a staff member (an administrator's action, or a lost laptop):
    their next request asks them to log in. Returns how many were open."""
    return session.execute(
        update(StaffSession).where(StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
