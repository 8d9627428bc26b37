"""What the console lists: the follow-up queue and the dashboard, always within one organisation."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claim_intake.intake.lifecycle import ClaimState, is_open
from claim_intake.intake.store.db import (
    ClaimAssignment,
    ClaimRow,
    FindingRow,
    FindingWaiver,
    StaffMember,
    StatusChange,
)

UNASSIGNED = "none"
QUEUE_LIMIT = 500
"""A queue longer than this is a staffing problem, not a paging one: the oldest are shown."""

AGE_BUCKETS: tuple[tuple[str, timedelta | None], ...] = (
    ("lt1d", timedelta(days=1)),
    ("1to3d", timedelta(days=3)),
    ("3to7d", timedelta(days=7)),
    ("ge7d", None),
)


@dataclass
class QueueItem:
    claim: ClaimRow
    open_findings: list[dict[str, Any]]
    assignee: StaffMember | None


def waived_keys(session: Session, claim_ids: list[str]) -> dict[str, set[str]]:
    waived: dict[str, set[str]] = defaultdict(set)
    if claim_ids:
        rows = session.execute(
            select(FindingWaiver.claim_id, FindingWaiver.finding_key).where(FindingWaiver.claim_id.in_(claim_ids))
        )
        for claim_id, key in rows:
            waived[claim_id].add(key)
    return waived


def follow_up_queue(
    session: Session, organisation_id: str, *, claim_type: str | None = None, code: str | None = None,
    assignee: str | None = None,
) -> list[QueueItem]:
    """Claims that need follow-up, oldest first. ``assignee`` is a staff id or ``UNASSIGNED``."""
    query = (
        select(ClaimRow, StaffMember)
        .outerjoin(ClaimAssignment, ClaimAssignment.claim_id == ClaimRow.id)
        .outerjoin(StaffMember, StaffMember.id == ClaimAssignment.staff_id)
        .where(ClaimRow.organisation_id == organisation_id, ClaimRow.status == ClaimState.needs_follow_up)
    )
    if claim_type:
        query = query.where(ClaimRow.claim_type == claim_type)
    if assignee == UNASSIGNED:
        query = query.where(ClaimAssignment.staff_id.is_(None))
    elif assignee:
        query = query.where(ClaimAssignment.staff_id == assignee)
    if code:
        query = query.where(ClaimRow.findings.any(FindingRow.code == code))
    rows = session.execute(query.order_by(ClaimRow.created_at, ClaimRow.id).limit(QUEUE_LIMIT)).all()
    claims = [claim for claim, _ in rows]
    waived = waived_keys(session, [c.id for c in claims])
    findings: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if claims:
        for row in session.scalars(
            select(FindingRow).where(FindingRow.claim_id.in_([c.id for c in claims])).order_by(FindingRow.position)
        ):
            if is_open(row.body, waived[row.claim_id]):
                findings[row.claim_id].append(row.body)
    items = [QueueItem(claim, findings[claim.id], staff) for claim, staff in rows]
    # A finding code asked for must still be open: a waived one no longer puts the claim here.
    return [i for i in items if not code or any(f["code"] == code for f in i.open_findings)]


def staff_of(session: Session, organisation_id: str) -> list[StaffMember]:
    return list(session.scalars(
        select(StaffMember).where(StaffMember.organisation_id == organisation_id).order_by(StaffMember.email)
    ))


@dataclass
class Dashboard:
    by_status: dict[str, int]
    median_to_complete: timedelta | None
    open_by_age: dict[str, int] = field(default_factory=dict)


def age_bucket(age: timedelta) -> str:
    for name, limit in AGE_BUCKETS:
        if limit is None or age < limit:
            return name
    raise AssertionError("the last bucket has no limit")


def dashboard(session: Session, organisation_id: str, now: datetime) -> Dashboard:
    counts = dict(session.execute(
        select(ClaimRow.status, func.count()).where(ClaimRow.organisation_id == organisation_id).group_by(ClaimRow.status)
    ).all())
    # Submission to complete: from the claim's arrival to the latest time it became complete,
    # for the claims complete now (a claim reopened by an upload counts from its final completion).
    completed = session.execute(
        select(ClaimRow.created_at, func.max(StatusChange.at))
        .join(StatusChange, StatusChange.claim_id == ClaimRow.id)
        .where(ClaimRow.organisation_id == organisation_id, ClaimRow.status == ClaimState.complete,
               StatusChange.status == ClaimState.complete)
        .group_by(ClaimRow.id, ClaimRow.created_at)
    ).all()
    durations = [done - created for created, done in completed]
    waiting = session.scalars(
        select(ClaimRow.created_at).where(ClaimRow.organisation_id == organisation_id, ClaimRow.status == ClaimState.needs_follow_up)
    )
    buckets = {name: 0 for name, _ in AGE_BUCKETS}
    for created in waiting:
        buckets[age_bucket(now - created)] += 1
    return Dashboard(
        by_status={s.value: counts.get(s.value, 0) for s in ClaimState},
        median_to_complete=statistics.median(durations) if durations else None,
        open_by_age=buckets,
    )

