"""The programme's figures, measured from the claims' status history: time from submission to
complete, to approved and to paid (median and p95, by the month the stage was reached), claims
and payouts per month (count and sum), and open follow-ups by age. The console's dashboard, the
API (JSON) and the CSV export all show these."""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claim_intake.intake.lifecycle import ClaimState
from claim_intake.intake.store.db import ClaimRow, StatusChange

STAGES = (ClaimState.complete, ClaimState.approved, ClaimState.paid)
REACHED: dict[ClaimState, frozenset[str]] = {
    ClaimState.complete: frozenset({ClaimState.complete, ClaimState.approved, ClaimState.paid}),
    ClaimState.approved: frozenset({ClaimState.approved, ClaimState.paid}),
    ClaimState.paid: frozenset({ClaimState.paid}),
}
"""A claim counts for a stage while it is at it or past it (a reversed approval no longer counts)."""
AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("lt1d", timedelta(days=1)),
    ("1to3d", timedelta(days=3)),
    ("3to7d", timedelta(days=7)),
    ("ge7d", None),
)


class StageTimes(BaseModel):
    stage: str
    month: str
    count: int
    median_hours: float
    p95_hours: float


class MonthCount(BaseModel):
    month: str
    claims: int
    payouts: int
    payout_sum: str
    """Yuan, two decimals."""


class Figures(BaseModel):
    overall: list[StageTimes]
    """Each stage over every month (``month`` "all")."""
    times: list[StageTimes]
    per_month: list[MonthCount]
    open_by_age: dict[str, int]
    by_status: dict[str, int]


def p95(values: list[float]) -> float:
    """Nearest rank: a value that occurred, the smallest with 95% at or below it."""
    ordered = sorted(values)
    return ordered[max(math.ceil(0.95 * len(ordered)) - 1, 0)]


def age_bucket(age: timedelta) -> str:
    for name, limit in AGE_BUCKETS:
        if limit is None or age < limit:
            return name
    raise AssertionError("the last bucket has no limit")


def _times(stage: str, month: str, hours: list[float]) -> StageTimes:
    return StageTimes(stage=stage, month=month, count=len(hours), median_hours=round(statistics.median(hours), 2),
                      p95_hours=round(p95(hours), 2))


def _month(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%Y-%m")


def figures(session: Session, organisation_id: str, zone: ZoneInfo, now: datetime) -> Figures:
    claims = {row.id: row for row in session.execute(
        select(ClaimRow.id, ClaimRow.status, ClaimRow.created_at, ClaimRow.submitted_on, ClaimRow.approved_fen)
        .where(ClaimRow.organisation_id == organisation_id)
    )}
    # The latest time each claim reached each stage (an upload or a reversal may have reopened it).
    reached = session.execute(
        select(StatusChange.claim_id, StatusChange.status, func.max(StatusChange.at))
        .join(ClaimRow, ClaimRow.id == StatusChange.claim_id)
        .where(ClaimRow.organisation_id == organisation_id, StatusChange.status.in_([s.value for s in STAGES]))
        .group_by(StatusChange.claim_id, StatusChange.status)
    ).all()
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    paid: dict[str, list[int]] = defaultdict(list)
    for claim_id, status, at in reached:
        claim = claims[claim_id]
        stage = ClaimState(status)
        if claim.status not in REACHED[stage]:
            continue
        hours[(stage.value, _month(at, zone))].append((at - claim.created_at).total_seconds() / 3600)
        if stage is ClaimState.paid:
            paid[_month(at, zone)].append(claim.approved_fen or 0)
    submitted: dict[str, int] = defaultdict(int)
    for claim in claims.values():
        submitted[claim.submitted_on.strftime("%Y-%m")] += 1
    buckets = {name: 0 for name, _ in AGE_BUCKETS}
    by_status = {s.value: 0 for s in ClaimState}
    for claim in claims.values():
        by_status[claim.status] = by_status.get(claim.status, 0) + 1
        if claim.status == ClaimState.needs_follow_up:
            buckets[age_bucket(now - claim.created_at)] += 1
    order = {s.value: n for n, s in enumerate(STAGES)}
    times = [_times(stage, month, v) for (stage, month), v in sorted(hours.items(), key=lambda kv: (kv[0][1], order[kv[0][0]]))]
    every: dict[str, list[float]] = defaultdict(list)
    for (stage, _), v in hours.items():
        every[stage].extend(v)
    overall = [_times(s.value, "all", every[s.value]) for s in STAGES if every[s.value]]
    months = sorted(set(submitted) | set(paid))
    per_month = [MonthCount(month=m, claims=submitted.get(m, 0), payouts=len(paid.get(m, ())),
                            payout_sum=str((Decimal(sum(paid.get(m, ()))) / 100).quantize(Decimal("0.01"))))
                 for m in months]
    return Figures(overall=overall, times=times, per_month=per_month, open_by_age=buckets, by_status=by_status)


def to_csv(f: Figures) -> bytes:
    """One table: a row per stage and month, then a row per month of claims and payouts, then the
    open follow-ups by age."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["figure", "month", "count", "median_hours", "p95_hours", "sum_yuan", "bucket"])
    for t in [*f.overall, *f.times]:
        writer.writerow([f"to_{t.stage}", t.month, t.count, t.median_hours, t.p95_hours, "", ""])
    for m in f.per_month:
        writer.writerow(["claims", m.month, m.claims, "", "", "", ""])
        writer.writerow(["payouts", m.month, m.payouts, "", "", m.payout_sum, ""])
    for bucket, n in f.open_by_age.items():
        writer.writerow(["open_follow_ups", "", n, "", "", "", bucket])
    return out.getvalue().encode("utf-8-sig")
