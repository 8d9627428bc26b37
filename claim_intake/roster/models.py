"""What a roster file holds: one enrolment of one member per row."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RosterRow(Frozen):
    """A usable row: the member's details and one enrolment (a member enrolled in two plans, or
    in two years, has two rows)."""

    line: int
    """Where it is in the file (the header is a line too), for reports."""
    name: str
    id_number: str
    """Normalised: 18 characters, a final X upper-case."""
    phone: str | None = None
    unit: str | None = None
    bank: str | None = None
    account: str | None = None
    plan: str
    start: date
    end: date
    paid_on: date | None = None


class RowProblem(Frozen):
    line: int
    reason: str


class RosterFile(Frozen):
    rows: tuple[RosterRow, ...]
    problems: tuple[RowProblem, ...]
