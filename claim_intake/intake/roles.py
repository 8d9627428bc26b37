"""Staff roles. A reviewer follows claims up (corrections, waivers, contacts, links); an approver
also decides (approve, reject, reverse) and pays (payout batches); an admin may do everything.
Each new action says which roles may take it, through ``require``."""

from __future__ import annotations

from enum import StrEnum

from claim_intake.errors import ForbiddenError
from claim_intake.intake.store.db import StaffMember


class Role(StrEnum):
    reviewer = "reviewer"
    approver = "approver"
    admin = "admin"


DECIDERS = frozenset({Role.approver, Role.admin})
"""Who approves, rejects, reverses and pays."""

REVEALERS = DECIDERS
"""Who may see a claim's full ID and bank numbers in the console (each time audited): those who
pay it, checking the account and the person against the roster. Reviewers see them masked."""

ADMINS = frozenset({Role.admin})
"""Who erases a claim from the console."""


def require(staff: StaffMember, allowed: frozenset[Role], action: str) -> None:
    if staff.role not in allowed:
        raise ForbiddenError(f"{action}: a {staff.role} may not; it needs one of {', '.join(sorted(allowed))}")
