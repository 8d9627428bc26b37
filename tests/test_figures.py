"""The dashboard's figures from a status history written out by hand, and the arithmetic checked."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from claim_intake.intake.figures import figures, p95, to_csv
from claim_intake.intake.store.db import (
    ClaimRow,
    Organisation,
    StatusChange,
    make_sessions,
    open_database,
)
from claim_intake.intake.store.migrate import upgrade

ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, 2 March


def _claim(session, n: int, history: list[tuple[str, float]], status: str, fen: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """``history``: (status, hours after submission)."""
    claim = ClaimRow(id=f"clm_{n}", organisation_id="org_a", claim_type="inpatient", status=status,
                     submitted_on=T0.astimezone(ZONE).date(), created_at=T0, updated_at=T0, approved_fen=fen)
    session.add(claim)
    session.add_all(StatusChange(claim_id=claim.id, status=s, reason="x", at=T0 + timedelta(hours=h)) for s, h in history)


def test_times_to_each_stage_counts_and_sums_by_month(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'f.db'}")
    upgrade(db)
    with make_sessions(db).begin() as session:
        session.add(Organisation(id="org_a", name="a"))
        session.flush()
        _claim(session, 1, [("processing", 0), ("complete", 2), ("approved", 26), ("paid", 50)], "paid", 120050)
        _claim(session, 2, [("processing", 0), ("complete", 4), ("approved", 30), ("paid", 96)], "paid", 80000)
        _claim(session, 3, [("processing", 0), ("complete", 10), ("approved", 40)], "approved", 5000)
        # Approved, then reversed: complete again, no longer counted as approved.
        _claim(session, 4, [("processing", 0), ("complete", 6), ("approved", 8), ("complete", 12)], "complete")
        _claim(session, 5, [("processing", 0), ("needs_follow_up", 1)], "needs_follow_up")
    with make_sessions(db)() as session:
        f = figures(session, "org_a", ZONE, T0 + timedelta(days=2))

    overall = {s.stage: s for s in f.overall}
    # To complete: 2, 4, 10, 12 hours -> median 7, p95 the largest of four (nearest rank 4).
    assert (overall["complete"].count, overall["complete"].median_hours, overall["complete"].p95_hours) == (4, 7.0, 12.0)
    assert (overall["approved"].count, overall["approved"].median_hours) == (3, 30.0)
    assert (overall["paid"].count, overall["paid"].median_hours, overall["paid"].p95_hours) == (2, 73.0, 96.0)
    assert [(m.month, m.claims, m.payouts, m.payout_sum) for m in f.per_month] == [("2026-03", 5, 2, "2000.50")]
    assert f.open_by_age == {"lt1d": 0, "1to3d": 1, "3to7d": 0, "ge7d": 0}
    assert (f.by_status["paid"], f.by_status["approved"], f.by_status["complete"]) == (2, 1, 1)

    rows = list(csv.reader(io.StringIO(to_csv(f).decode("utf-8-sig"))))
    assert ["payouts", "2026-03", "2", "", "", "2000.50", ""] in rows
    assert ["to_paid", "all", "2", "73.0", "96.0", "", ""] in rows


def test_p95_is_a_value_that_occurred() -> None:
    assert p95([1.0]) == 1.0
    assert p95([float(n) for n in range(1, 101)]) == 95.0
    assert p95([float(n) for n in range(1, 21)]) == 19.0

