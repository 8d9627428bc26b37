"""A roster held in memory: the CLI's ``--roster FILE``, and the tests' fast double of the
database roster (``intake/store/members.py``, tested against the same cases)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from claim_intake.benefit.models import Benefit, Enrolment, Member
from claim_intake.roster.models import RosterRow


class MemoryRoster:
    def __init__(self, members: Iterable[Member]) -> None:
        self._members = {m.member_id: m for m in members}
        self._by_id = {m.id_number: m for m in self._members.values()}
        self._by_name: dict[str, list[Member]] = defaultdict(list)
        for member in self._members.values():
            self._by_name[member.name].append(member)
        self._paid: list[tuple[str, str, date | None, Decimal]] = []

    @classmethod
    def from_rows(cls, rows: Iterable[RosterRow]) -> MemoryRoster:
        """Members by ID number; the first row of each names them (``line-N``)."""
        members: dict[str, Member] = {}
        for row in rows:
            member = members.get(row.id_number) or Member(
                member_id=f"line-{row.line}", name=row.name, id_number=row.id_number, unit=row.unit)
            enrolment = Enrolment(plan=row.plan, start=row.start, end=row.end, paid_on=row.paid_on)
            members[row.id_number] = member.model_copy(update={"enrolments": (*member.enrolments, enrolment)})
        return cls(members.values())

    def has_members(self) -> bool:
        return bool(self._members)

    def by_id_number(self, id_number: str) -> Member | None:
        return self._by_id.get(id_number)

    def by_name(self, name: str) -> list[Member]:
        return list(self._by_name.get(name, ()))

    def record(self, member_id: str, benefit: Benefit) -> None:
        """A claim of the member was paid ``benefit``: later claims of its periods count it."""
        for part in benefit.parts:
            self._paid.append((member_id, part.plan, part.period_start, Decimal(part.amount)))

    def paid_in_period(self, member_id: str, plan: str, start: date, end: date) -> Decimal:
        return sum((amount for m, p, period_start, amount in self._paid
                    if m == member_id and p == plan and period_start is not None and start <= period_start <= end),
                   Decimal("0.00"))
