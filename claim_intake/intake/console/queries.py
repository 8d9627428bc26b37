"""What the console lists: the follow-up queue, always within one organisation (the dashboard's
figures are ``intake.figures``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from claim_intake.intake.lifecycle import ClaimState, is_open
from claim_intake.intake.member.tables import member_drafts
from claim_intake.intake.store.db import (
    ClaimAssignment,
    ClaimRow,
    FindingRow,
    FindingWaiver,
    StaffMember,
)

UNASSIGNED = "none"
QUEUE_LIMIT = 500
"""A queue longer than this is a staffing problem, not a paging one: the oldest are shown."""


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
        .where(ClaimRow.organisation_id == organisation_id, ClaimRow.status == ClaimState.needs_follow_up,
               ClaimRow.id.not_in(member_drafts()))
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
