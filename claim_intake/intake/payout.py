"""From a complete claim to a paid one: approval, rejection, the reversal of an approval, and
payout batches. Each use case checks the staff member's role, moves the claim through the
lifecycle (``lifecycle.staff_move``: the status history, the claim's history and the audit log)
and returns the status changes for the caller to publish once committed. The caller owns the
transaction, as with ``lifecycle``.

What comes from the member roster and the benefit estimate is read through ``estimate_amount``,
``payee_name`` and ``payout_account`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from claim_intake.errors import (
    DutySeparationError,
    InvalidRequestError,
    InvalidTransitionError,
    NotFoundError,
)
from claim_intake.intake.auth import Caller
from claim_intake.intake.lifecycle import ClaimState, Reason, audit, staff_move
from claim_intake.intake.roles import DECIDERS, require
from claim_intake.intake.store.db import (
    ClaimEvent,
    ClaimRow,
    PayoutBatch,
    PayoutBatchClaim,
    StaffMember,
    new_id,
    utcnow,
)
from claim_intake.intake.store.reads import file_report
from claim_intake.roster.identity import mask_account
from claim_intake.workers.jobs import StatusChanged

FEN = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000.00")
"""No single payout of the programme comes near ¥10 million: a larger one is a typing slip."""
MAX_REASON = 1000
MAX_ACCOUNT = 64


# --- what other parts of the service provide ------------------------------------------------------

def estimate_amount(claim: ClaimRow) -> Decimal | None:
    """The benefit estimate of the claim's assessment, when it has one."""
    if not claim.benefit or claim.benefit.get("amount") is None:
        return None
    return Decimal(str(claim.benefit["amount"]))


def payee_name(claim: ClaimRow) -> str:
    """Who is paid: the roster's member the claim was matched to, else the claimant as submitted."""
    return claim.member.name if claim.member else claim.claimant_name or ""


_ACCOUNT_FIELDS = (("bank_card", "card_number"), ("application_form", "account_number"))


def account_on_documents(claim: ClaimRow) -> str | None:
    """The account the claimant gave on a bank card photo or the application form (as corrected)."""
    for doc_type, name in _ACCOUNT_FIELDS:
        for document in claim.documents:
            if document.status != "read":
                continue
            for part in file_report(document).documents:
                field = part.fields.get(name)
                if part.doc_type == doc_type and field is not None and field.value:
                    return "".join(str(field.value).split())
    return None


def payout_account(claim: ClaimRow) -> str:
    """The account paid into: as recorded on approval, else the matched member's on the roster;
    '' when none."""
    return claim.payout_account or (claim.member.account if claim.member else None) or ""


# --- amounts ----------------------------------------------------------------------------------------

def parse_amount(text: str) -> Decimal:
    """Yuan as staff type them ("1,234.5", "¥800") -> a Decimal of whole fen."""
    cleaned = text.strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:
        raise InvalidRequestError(f"amount: {text!r} is not an amount in yuan") from exc
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidRequestError(f"amount: {text!r} must be more than 0 and at most {MAX_AMOUNT}")
    if amount != amount.quantize(FEN):
        raise InvalidRequestError(f"amount: {text!r} has more than two decimals (fen)")
    return amount.quantize(FEN)


def to_fen(amount: Decimal) -> int:
    return int((amount.quantize(FEN, rounding=ROUND_HALF_UP) * 100).to_integral_value())


def from_fen(fen: int | None) -> Decimal | None:
    return None if fen is None else (Decimal(fen) / 100).quantize(FEN)


def _text(value: str | None, what: str, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidRequestError(f"{what} is required")
    if len(value) > MAX_REASON:
        raise InvalidRequestError(f"{what} is longer than {MAX_REASON} characters")
    return value


def _account(value: str | None) -> str | None:
    account = "".join((value or "").split())
    if not account:
        return None
    if len(account) > MAX_ACCOUNT or not account.isdigit():
        raise InvalidRequestError("payout_account: the account number, digits only")
    return account


# --- decisions ----------------------------------------------------------------------------------------

def approve(session: Session, staff: StaffMember, claim: ClaimRow, amount: Decimal | None, reason: str | None,
            account: str | None = None) -> StatusChanged | None:
    """Approves a complete claim for the estimate (``amount`` None) or another amount, which needs
    a reason. ``account``: where it is paid, when the roster does not say; else the account on the
    claim's bank card or application form."""
    require(staff, DECIDERS, "approving a claim")
    if claim.status != ClaimState.complete:
        raise InvalidTransitionError(f"claim {claim.id} is {claim.status}: only a complete claim can be approved")
    estimate = estimate_amount(claim)
    if amount is None:
        if estimate is None:
            raise InvalidRequestError(f"claim {claim.id} has no estimate: give the amount and the reason")
        amount = estimate
    reason = _text(reason, "the reason (the amount differs from the estimate)", required=amount != estimate)
    claim.approved_fen = to_fen(amount)
    claim.approved_by = staff.id
    claim.approved_at = utcnow()
    claim.payout_account = _account(account) or account_on_documents(claim)
    return staff_move(session, staff, claim, ClaimState.approved, Reason.approved, amount=str(amount),
                      estimate=None if estimate is None else str(estimate), reason=reason)


def reject(session: Session, staff: StaffMember, claim: ClaimRow, reason: str) -> StatusChanged | None:
    require(staff, DECIDERS, "rejecting a claim")
    if claim.status not in (ClaimState.complete, ClaimState.needs_follow_up):
        raise InvalidTransitionError(f"claim {claim.id} is {claim.status}: only an assessed, undecided claim can be rejected")
    return staff_move(session, staff, claim, ClaimState.rejected, Reason.rejected,
                      reason=_text(reason, "the reason", required=True))


def reverse_approval(session: Session, staff: StaffMember, claim: ClaimRow, reason: str) -> StatusChanged | None:
    """Takes an approval back (the claim is complete again, and leaves its unpaid batch): the only
    way an approved claim changes. A paid claim is not reversed here: the money has gone."""
    require(staff, DECIDERS, "reversing an approval")
    if claim.status != ClaimState.approved:
        raise InvalidTransitionError(f"claim {claim.id} is {claim.status}: only an approved claim's approval can be reversed")
    reason = _text(reason, "the reason", required=True)
    membership = session.get(PayoutBatchClaim, claim.id)
    if membership is not None:
        session.delete(membership)
    amount = from_fen(claim.approved_fen)
    claim.approved_fen = claim.approved_by = claim.approved_at = None
    return staff_move(session, staff, claim, ClaimState.complete, Reason.approval_reversed, reason=reason,
                      amount=str(amount), batch=membership.batch_id if membership else None)


class Decision(BaseModel):
    """The same object in the claim's JSON, the webhook payload and ``claim-intake claims show``."""

    outcome: Literal["approved", "paid", "rejected"]
    by: str | None = PydanticField(description="The staff member who approved (or rejected) it: their e-mail.")
    at: datetime | None = PydanticField(description="When it was approved (or rejected).")
    reason: str | None = PydanticField(
        description="Rejected: why. Approved: why the amount differs from the estimate ('' when it does not).")
    approved_amount: str | None = PydanticField(default=None, description="Yuan, as approved.")
    estimate: str | None = PydanticField(default=None, description="The estimate (benefit.amount) it was approved against.")
    batch_id: str | None = PydanticField(default=None, description="The payout batch holding the claim.")
    paid_by: str | None = PydanticField(default=None, description="Who marked the batch paid.")
    paid_at: datetime | None = None


_DECIDED = (ClaimState.approved, ClaimState.paid, ClaimState.rejected)
_APPROVED, _REJECTED = f"claim.{Reason.approved}", f"claim.{Reason.rejected}"
"""The claim events that hold the reason of an approval or a rejection."""


def decision_view(claim: ClaimRow) -> Decision | None:
    """The staff decision on a claim, as the API, the webhook and the CLI show it beside
    ``benefit``: None while undecided (or after a reversal); for an approved or paid claim the
    amount (yuan, a string like ``benefit.amount``), the estimate it was approved against, who
    approved it, when and why (the reason given when the amount differs, else ""), and once paid
    the batch, who marked it paid and when; for a rejected claim who, when and the reason."""
    session = object_session(claim)
    return None if session is None else decisions(session, [claim]).get(claim.id)


def decisions(session: Session, claims: Sequence[ClaimRow]) -> dict[str, Decision]:
    """``decision_view`` of each decided claim, by id, in three queries however many claims there
    are (a page of the claims list asks no more than one claim's page)."""
    decided = [c for c in claims if c.status in _DECIDED]
    if not decided:
        return {}
    ids = [c.id for c in decided]
    last: dict[tuple[str, str], ClaimEvent] = {}
    for event in session.scalars(select(ClaimEvent).where(ClaimEvent.claim_id.in_(ids),
                                                          ClaimEvent.action.in_([_APPROVED, _REJECTED]))
                                 .order_by(ClaimEvent.id)):
        last[event.claim_id, event.action] = event
    batches = dict(session.execute(select(PayoutBatchClaim.claim_id, PayoutBatch)
                                   .join(PayoutBatch, PayoutBatch.id == PayoutBatchClaim.batch_id)
                                   .where(PayoutBatchClaim.claim_id.in_(ids))).all())
    staff_ids = ({e.staff_id for e in last.values()} | {c.approved_by for c in decided}
                 | {b.paid_by for b in batches.values()}) - {None}
    emails = dict(session.execute(select(StaffMember.id, StaffMember.email)
                                  .where(StaffMember.id.in_(staff_ids))).all())
    found = {}
    for claim in decided:
        if claim.status == ClaimState.rejected:
            event = last.get((claim.id, _REJECTED))
            found[claim.id] = Decision(outcome="rejected", by=emails.get(event.staff_id) if event else None,
                                       at=event.at if event else None,
                                       reason=(event.detail or {}).get("reason") if event else None)
            continue
        event, batch = last.get((claim.id, _APPROVED)), batches.get(claim.id)
        found[claim.id] = Decision(
            outcome=claim.status, approved_amount=str(from_fen(claim.approved_fen)),
            estimate=(event.detail or {}).get("estimate") if event else None, by=emails.get(claim.approved_by),
            at=claim.approved_at, reason=(event.detail or {}).get("reason") if event else None,
            batch_id=batch.id if batch else None, paid_by=emails.get(batch.paid_by) if batch else None,
            paid_at=batch.paid_at if batch else None)
    return found


# --- payout batches -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PayoutLine:
    claim_id: str
    name: str
    account: str
    amount: Decimal

    @property
    def masked_account(self) -> str:
        return mask_account(self.account) if self.account else ""


def unbatched_approved(session: Session, organisation_id: str) -> list[ClaimRow]:
    """Approved claims in no batch yet, oldest approval first."""
    return list(session.scalars(
        select(ClaimRow)
        .outerjoin(PayoutBatchClaim, PayoutBatchClaim.claim_id == ClaimRow.id)
        .where(ClaimRow.organisation_id == organisation_id, ClaimRow.status == ClaimState.approved,
               PayoutBatchClaim.batch_id.is_(None))
        .order_by(ClaimRow.approved_at, ClaimRow.id)
    ))


def create_batch(session: Session, staff: StaffMember, zone: ZoneInfo, *, claim_ids: Sequence[str] = (),
                 approved_from: date | None = None, approved_to: date | None = None) -> PayoutBatch:
    """Gathers approved claims not yet in a batch: those named (``claim_ids``), or those approved
    between two dates (local, inclusive; either open)."""
    require(staff, DECIDERS, "creating a payout batch")
    candidates = unbatched_approved(session, staff.organisation_id)
    if claim_ids:
        by_id = {c.id: c for c in candidates}
        missing = [i for i in dict.fromkeys(claim_ids) if i not in by_id]
        if missing:
            raise InvalidRequestError(f"not approved, or already in a batch: {', '.join(missing)}")
        chosen = [by_id[i] for i in dict.fromkeys(claim_ids)]
    else:
        start = datetime.combine(approved_from, time(), zone) if approved_from else None
        end = datetime.combine(approved_to + timedelta(days=1), time(), zone) if approved_to else None
        chosen = [c for c in candidates if c.approved_at is not None
                  and (start is None or c.approved_at >= start) and (end is None or c.approved_at < end)]
    if not chosen:
        raise InvalidRequestError("no approved claim to pay (none chosen, or none approved in those dates)")
    batch = PayoutBatch(id=new_id("pay"), organisation_id=staff.organisation_id, created_by=staff.id)
    session.add(batch)
    session.flush()
    session.add_all(PayoutBatchClaim(claim_id=c.id, batch_id=batch.id) for c in chosen)
    audit(session, Caller(staff.organisation_id, staff.id), "payout.batch.create")
    session.flush()
    session.refresh(batch)
    return batch


def get_batch(session: Session, organisation_id: str, batch_id: str) -> PayoutBatch:
    batch = session.get(PayoutBatch, batch_id)
    if batch is None or batch.organisation_id != organisation_id:
        raise NotFoundError(f"no payout batch {batch_id}")
    return batch


def list_batches(session: Session, organisation_id: str) -> list[PayoutBatch]:
    return list(session.scalars(select(PayoutBatch).where(PayoutBatch.organisation_id == organisation_id)
                                .order_by(PayoutBatch.created_at.desc(), PayoutBatch.id)))


def batch_lines(batch: PayoutBatch) -> list[PayoutLine]:
    return [PayoutLine(c.id, payee_name(c), payout_account(c), from_fen(c.approved_fen) or Decimal(0))
            for c in batch.claims]


def batch_total(batch: PayoutBatch) -> Decimal:
    return sum((line.amount for line in batch_lines(batch)), Decimal("0.00"))


class ExportKind(StrEnum):
    xlsx = "xlsx"
    csv = "csv"


def record_export(session: Session, staff: StaffMember, batch: PayoutBatch) -> None:
    """The bank file holds whole account numbers: only deciders take it, and each time is logged."""
    require(staff, DECIDERS, "exporting a payout batch")
    audit(session, Caller(staff.organisation_id, staff.id), "payout.batch.export")


def _deciders(session: Session, organisation_id: str) -> int:
    return session.scalar(select(func.count()).select_from(StaffMember).where(
        StaffMember.organisation_id == organisation_id, StaffMember.role.in_([r.value for r in DECIDERS]))) or 0


def mark_paid(session: Session, staff: StaffMember, batch: PayoutBatch) -> list[StatusChanged]:
    """The bank paid the batch: its claims are paid. Where the organisation has two or more
    approvers, the one who approved a claim of the batch cannot be the one who says it was paid."""
    require(staff, DECIDERS, "marking a payout batch paid")
    if batch.paid_at is not None:
        raise InvalidTransitionError(f"payout batch {batch.id} was marked paid already")
    if not batch.claims:
        raise InvalidTransitionError(f"payout batch {batch.id} holds no claim (their approvals were reversed)")
    if _deciders(session, staff.organisation_id) >= 2 and any(c.approved_by == staff.id for c in batch.claims):
        raise DutySeparationError(f"you approved a claim of payout batch {batch.id}: another approver marks it paid")
    batch.paid_at, batch.paid_by = utcnow(), staff.id
    changes = [staff_move(session, staff, c, ClaimState.paid, Reason.paid, batch=batch.id,
                          amount=str(from_fen(c.approved_fen))) for c in batch.claims]
    audit(session, Caller(staff.organisation_id, staff.id), "payout.batch.paid")
    return [c for c in changes if c is not None]
