"""Rate limits on the member's public pages: a fixed-window counter per key in the database, so
that every process serving the pages counts together."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from claim_intake.errors import RateLimitedError
from claim_intake.intake.member.tables import RateCounter
from claim_intake.intake.store.db import utcnow


def hit(session: Session, key: str, limit: int, window_s: float) -> None:
    """Counts one request for ``key`` (``ip:1.2.3.4``, ``phone:138…``); raises RateLimitedError
    past ``limit`` in the window. Committed at once: a refused request still counts."""
    now = utcnow()
    row = session.get(RateCounter, key, with_for_update=True)
    if row is None:
        row = RateCounter(key=key, window_start=now, count=0)
        session.add(row)
    elif now - row.window_start >= timedelta(seconds=window_s):
        row.window_start, row.count = now, 0
    row.count += 1
    session.commit()
    if row.count > limit:
        raise RateLimitedError("too many requests: try again in a few minutes")
