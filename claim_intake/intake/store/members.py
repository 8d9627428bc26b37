"""The roster in the database: a bulk, idempotent import, and the roster the eligibility check
reads (``claim_intake.benefit.models.Roster``).

An import compares the file with what is stored and writes only the differences, a few
statements for the whole file: a changed member is updated and the values it had are kept in
``member_history``; members and enrolments the file does not mention are left as they are (a
file may be one year's list).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, selectinload, sessionmaker

from claim_intake.benefit.models import Enrolment, Member
from claim_intake.intake.store.db import (
    ClaimRow,
    EnrolmentRow,
    MemberChange,
    MemberRow,
    Organisation,
    new_id,
    utcnow,
)
from claim_intake.roster.models import RosterFile, RosterRow, RowProblem

DETAILS = ("name", "phone", "unit", "bank", "account")
_ENROLMENT = ("end", "paid_on")
COUNTED_STATUSES = ("complete", "approved", "paid")
"""An earlier claim counts against a period's cap once it is assessed complete (it is to be paid)
and while it is approved or paid; a claim still missing materials, or rejected, does not. A
complete claim counts its estimate, an approved or paid one the amount approved
(``counted_parts``)."""
DECIDED_AMOUNT = ("approved", "paid")
FEN = Decimal("0.01")


@dataclass
class ImportReport:
    members_added: int = 0
    members_updated: int = 0
    members_unchanged: int = 0
    enrolments_added: int = 0
    enrolments_updated: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.members_added or self.members_updated or self.enrolments_added or self.enrolments_updated)

    def as_dict(self) -> dict[str, Any]:
        return {
            "members_added": self.members_added, "members_updated": self.members_updated,
            "members_unchanged": self.members_unchanged, "enrolments_added": self.enrolments_added,
            "enrolments_updated": self.enrolments_updated,
            "problems": [p.model_dump() for p in self.problems],
        }


def organisation_id(session: Session, name: str, create: bool = False) -> str | None:
    found = session.scalar(select(Organisation.id).where(Organisation.name == name))
    if found is None and create:
        found = new_id("org")
        session.add(Organisation(id=found, name=name))
        session.flush()
    return found


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def import_roster(session: Session, org_id: str, roster: RosterFile, source: str) -> ImportReport:
    """Writes the differences between ``roster`` and the stored members of the organisation
    (the caller commits)."""
    report = ImportReport(problems=list(roster.problems))
    source = source.replace("\x00", "")[:300]
    firsts: dict[str, RosterRow] = {}
    for row in roster.rows:
        firsts.setdefault(row.id_number, row)
    stored = {r.id_number: r for r in session.execute(
        select(MemberRow.id, MemberRow.id_number, *(getattr(MemberRow, f) for f in DETAILS))
        .where(MemberRow.organisation_id == org_id))}
    now = utcnow()
    member_ids: dict[str, str] = {}
    added, updated, history = [], [], []
    for id_number, row in firsts.items():
        current = {f: getattr(row, f) for f in DETAILS}
        old = stored.get(id_number)
        if old is None:
            member_ids[id_number] = new_id("mem")
            added.append({"id": member_ids[id_number], "organisation_id": org_id, "id_number": id_number,
                          "created_at": now, "updated_at": now, **current})
            continue
        member_ids[id_number] = old.id
        previous = {f: getattr(old, f) for f in DETAILS}
        if previous == current:
            report.members_unchanged += 1
            continue
        differ = [f for f in DETAILS if previous[f] != current[f]]
        updated.append({"id": old.id, "updated_at": now, **current})
        history.append({"member_id": old.id, "source": source, "at": now,
                        "previous": {f: previous[f] for f in differ}, "current": {f: current[f] for f in differ}})
    enrolled = {(r.member_id, r.plan, r.start): r for r in session.execute(
        select(EnrolmentRow.id, EnrolmentRow.member_id, EnrolmentRow.plan, EnrolmentRow.start, EnrolmentRow.end,
               EnrolmentRow.paid_on)
        .join(MemberRow, MemberRow.id == EnrolmentRow.member_id).where(MemberRow.organisation_id == org_id))}
    new_enrolments, changed_enrolments = [], []
    for row in roster.rows:
        member_id = member_ids[row.id_number]
        old = enrolled.get((member_id, row.plan, row.start))
        if old is None:
            new_enrolments.append({"member_id": member_id, "plan": row.plan, "start": row.start, "end": row.end,
                                   "paid_on": row.paid_on})
        elif (old.end, old.paid_on) != (row.end, row.paid_on):
            changed_enrolments.append({"id": old.id, "end": row.end, "paid_on": row.paid_on})
            history.append({"member_id": member_id, "source": source, "at": now,
                            "previous": {"plan": row.plan, "start": _iso(row.start), "end": _iso(old.end),
                                         "paid_on": _iso(old.paid_on)},
                            "current": {"plan": row.plan, "start": _iso(row.start), "end": _iso(row.end),
                                        "paid_on": _iso(row.paid_on)}})
    # Bulk statements: executemany / multi-row VALUES, not an ORM object per row.
    if added:
        session.execute(insert(MemberRow), added)
    if updated:
        session.execute(update(MemberRow), updated)
    if new_enrolments:
        session.execute(insert(EnrolmentRow), new_enrolments)
    if changed_enrolments:
        session.execute(update(EnrolmentRow), changed_enrolments)
    if history:
        session.execute(insert(MemberChange), history)
    report.members_added, report.members_updated = len(added), len(updated)
    report.enrolments_added, report.enrolments_updated = len(new_enrolments), len(changed_enrolments)
    return report


def member_model(row: MemberRow) -> Member:
    return Member(member_id=row.id, name=row.name, id_number=row.id_number, unit=row.unit,
                  enrolments=tuple(Enrolment(plan=e.plan, start=e.start, end=e.end, paid_on=e.paid_on)
                                   for e in row.enrolments))


def counted_parts(benefit: dict[str, Any] | None, status: str,
                  approved_fen: int | None) -> list[tuple[str, str | None, Decimal]]:
    """What an earlier claim counts against its plans' period caps: ``(plan, period_start,
    amount)`` per part of its estimate. Once approved (or paid) the approved amount counts, not the
    estimate: prorated across the estimate's parts by their amounts, each share rounded to the fen
    and the last part taking what rounding left, so that the shares add up to the approval. An
    estimate of 0 puts the whole approval on its first part."""
    parts = list((benefit or {}).get("parts") or ())
    estimated = [Decimal(str(p["amount"])) for p in parts]
    if status not in DECIDED_AMOUNT or approved_fen is None or not parts:
        return [(p["plan"], p.get("period_start"), a) for p, a in zip(parts, estimated, strict=True)]
    approved = (Decimal(approved_fen) / 100).quantize(FEN)
    total = sum(estimated, Decimal(0))
    if total <= 0:
        shares = [approved] + [Decimal("0.00")] * (len(parts) - 1)
    else:
        shares = [(approved * a / total).quantize(FEN, rounding=ROUND_HALF_UP) for a in estimated[:-1]]
        shares.append(approved - sum(shares, Decimal("0.00")))
    return [(p["plan"], p.get("period_start"), share) for p, share in zip(parts, shares, strict=True)]


class DbRoster:
    """The organisation's roster, for the assessment of one claim: earlier claims of the member
    (submitted before this one) count against a period's cap, as the invoice registry counts
    earlier invoices."""

    def __init__(self, sessions: sessionmaker[Session], organisation_id: str, claim_id: str) -> None:
        self._sessions = sessions
        self._organisation_id = organisation_id
        self._claim_id = claim_id

    def _members(self, *where: Any) -> list[Member]:
        with self._sessions() as session:
            rows = session.scalars(select(MemberRow).options(selectinload(MemberRow.enrolments))
                                   .where(MemberRow.organisation_id == self._organisation_id, *where))
            return [member_model(r) for r in rows]

    def has_members(self) -> bool:
        with self._sessions() as session:
            return session.scalar(select(MemberRow.id).where(MemberRow.organisation_id == self._organisation_id)
                                  .limit(1)) is not None

    def by_id_number(self, id_number: str) -> Member | None:
        return next(iter(self._members(MemberRow.id_number == id_number)), None)

    def by_name(self, name: str) -> list[Member]:
        return self._members(MemberRow.name == name)

    def paid_in_period(self, member_id: str, plan: str, start: date, end: date) -> Decimal:
        submitted = select(ClaimRow.created_at).where(ClaimRow.id == self._claim_id).scalar_subquery()
        with self._sessions() as session:
            earlier = session.execute(
                select(ClaimRow.benefit, ClaimRow.status, ClaimRow.approved_fen).where(
                    ClaimRow.organisation_id == self._organisation_id, ClaimRow.member_id == member_id,
                    ClaimRow.id != self._claim_id, ClaimRow.created_at < submitted,
                    ClaimRow.status.in_(COUNTED_STATUSES))).all()
        return sum((amount for benefit, status, approved_fen in earlier
                    for part_plan, period_start, amount in counted_parts(benefit, status, approved_fen)
                    if part_plan == plan and period_start
                    and start <= date.fromisoformat(period_start) <= end), Decimal("0.00"))


def find_member(session: Session, org_id: str, member_id: str) -> MemberRow | None:
    return session.scalar(select(MemberRow).options(selectinload(MemberRow.enrolments))
                          .where(MemberRow.organisation_id == org_id, MemberRow.id == member_id))


def member_history(session: Session, member_id: str) -> list[MemberChange]:
    return list(session.scalars(select(MemberChange).where(MemberChange.member_id == member_id)
                                .order_by(MemberChange.id)))
