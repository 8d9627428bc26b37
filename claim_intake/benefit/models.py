"""What the eligibility check and the estimate take and produce. Immutable and JSON-serialisable."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from claim_intake.validators.models import Finding


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Enrolment(Frozen):
    plan: str
    start: date
    end: date
    paid_on: date | None = None


class Member(Frozen):
    member_id: str
    name: str
    id_number: str
    unit: str | None = None
    enrolments: tuple[Enrolment, ...] = ()


class Claimant(Frozen):
    """Who the claim says the claimant is (all optional: the documents say the rest)."""

    name: str | None = None
    id_number: str | None = None
    """Normalised (``normalise_id_number``)."""
    unit: str | None = None


class Step(Frozen):
    name: str
    value: str
    """A decimal string (``"1234.50"``), a ratio (``"0.13"``) or a text (a diagnosis)."""
    source: str
    """The document field (``settlement.self_pay``), the earlier step, the rule or the roster it
    came from."""
    document: str | None = None
    """The id of the document the value was read in, when it is a document field."""
    field: str | None = None


class PlanAmount(Frozen):
    """One plan's share, with the period its cap counts in (what later claims of the period see)."""

    plan: str
    amount: str
    period_start: date | None = None
    period_end: date | None = None


class Benefit(Frozen):
    amount: str
    plan: str
    """The plan, or the plans stacked (``住院医疗互助 + 大病补助``)."""
    rule_set_version: str
    steps: tuple[Step, ...]
    example: bool = False
    """Computed from example figures (the demo default or a published scheme as an example)."""
    parts: tuple[PlanAmount, ...] = ()


class Eligibility(Frozen):
    member_id: str | None
    """The roster's member the claim was matched to."""
    matched_by: str | None = None
    """id_number, masked_id_name, name_unit."""
    findings: tuple[Finding, ...] = ()
    benefit: Benefit | None = None


class Roster(Protocol):
    """The organisation's members, as the eligibility check asks for them (the service backs it
    with its database, the CLI with a roster file)."""

    def has_members(self) -> bool:
        """False for an organisation that keeps no roster here: nobody is then not_enrolled."""
        ...

    def by_id_number(self, id_number: str) -> Member | None: ...

    def by_name(self, name: str) -> list[Member]: ...

    def paid_in_period(self, member_id: str, plan: str, start: date, end: date) -> Decimal:
        """What the member's earlier claims got from ``plan`` in the period ``start``..``end``."""
        ...
