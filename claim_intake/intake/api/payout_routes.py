"""Staff decisions and payouts over the API: approve, reject or reverse a claim's approval, gather
approved claims into payout batches, export a batch for the bank, mark it paid; and the figures
of the dashboard (``/v1/figures``, any key of the organisation).

These act as a staff member: the key must be one made for them (``claim-intake keys create --org
ORG --staff EMAIL``), and their role decides what they may do. An organisation's own key (an
intake system's) is refused with 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from claim_intake.errors import ForbiddenError
from claim_intake.intake import figures, payout
from claim_intake.intake.api.deps import ERRORS, NO_NUL, CallerDep, ServiceDep, SessionDep
from claim_intake.intake.api.schemas import ClaimState, ErrorOut
from claim_intake.intake.figures import Figures
from claim_intake.intake.payout_export import to_csv, to_xlsx
from claim_intake.intake.store import claims as claim_ops
from claim_intake.intake.store.db import ClaimRow, PayoutBatch, StaffMember, utcnow
from claim_intake.workers.jobs import StatusChanged

router = APIRouter(tags=["payouts"])

STAFF_ERRORS = {
    **ERRORS,
    403: {"model": ErrorOut, "description": "Not a staff member's key, or a role that may not (forbidden); "
                                              "the claim's approver marking its batch paid (separation_of_duties)."},
    409: {"model": ErrorOut, "description": "The claim or batch is not in a state that allows it (invalid_transition)."},
}
AMOUNT = r"^[0-9]{1,8}(\.[0-9]{1,2})?$"


def _staff(db: SessionDep, who: CallerDep) -> StaffMember:
    staff = db.get(StaffMember, who.staff_id) if who.staff_id else None
    if staff is None or staff.organisation_id != who.organisation_id:
        raise ForbiddenError("this is an organisation's key: staff actions need a staff member's own key "
                             "(claim-intake keys create --org ORG --staff EMAIL)")
    return staff


StaffDep = Annotated[StaffMember, Depends(_staff)]


class ApprovalIn(BaseModel):
    amount: str | None = Field(default=None, pattern=AMOUNT, description="Yuan, e.g. \"1234.50\"; omitted: the estimate.")
    reason: str | None = Field(default=None, max_length=payout.MAX_REASON, pattern=NO_NUL,
                               description="Required when the amount is not the estimate.")
    payout_account: str | None = Field(default=None, max_length=payout.MAX_ACCOUNT, pattern=r"^[0-9 ]*$",
                                       description="The account to pay into, when the roster has none.")


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=payout.MAX_REASON, pattern=NO_NUL)


class DecisionOut(BaseModel):
    id: str
    status: ClaimState
    approved_amount: str | None
    approved_at: datetime | None


class BatchIn(BaseModel):
    claim_ids: list[Annotated[str, Field(max_length=40, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=5000, description="The approved claims to pay; empty: by approval date.")
    approved_from: date | None = Field(default=None, description="Approved on or after (local date).")
    approved_to: date | None = Field(default=None, description="Approved on or before (local date).")


class PayoutLineOut(BaseModel):
    claim_id: str
    name: str
    account_masked: str
    amount: str


class ErasedLineOut(BaseModel):
    claim_id: str
    amount: str
    erased_at: datetime


class BatchOut(BaseModel):
    id: str
    created_at: datetime
    paid_at: datetime | None
    count: int
    total: str
    lines: list[PayoutLineOut]
    erased: list[ErasedLineOut] = Field(description="Claims of the batch erased since: no personal data, "
                                                    "not in the bank file, not in count or total.")


def decision_out(claim: ClaimRow) -> dict:
    amount = payout.from_fen(claim.approved_fen)
    return {"id": claim.id, "status": claim.status, "approved_amount": None if amount is None else str(amount),
            "approved_at": claim.approved_at}


def batch_view(batch: PayoutBatch) -> dict:
    lines = payout.batch_lines(batch)
    return {"id": batch.id, "created_at": batch.created_at, "paid_at": batch.paid_at, "count": len(lines),
            "total": str(payout.batch_total(batch)),
            "lines": [{"claim_id": line.claim_id, "name": line.name, "account_masked": line.masked_account,
                       "amount": str(line.amount)} for line in lines],
            "erased": [{"claim_id": e.erased_claim, "amount": str(payout.from_fen(e.approved_fen or 0)),
                        "erased_at": e.erased_at} for e in batch.erasures]}


def _decide(service: ServiceDep, db: SessionDep, staff: StaffMember, claim_id: str,
            act: Callable[[ClaimRow], StatusChanged | None]) -> dict:
    """A decision on the organisation's claim (``act``, a use case of ``payout``), committed,
    then published."""
    claim = claim_ops.get_claim(db, staff.organisation_id, claim_id)
    change = act(claim)
    db.commit()
    service.publish(change)
    return decision_out(claim)


@router.post("/v1/claims/{claim_id}/approval", response_model=DecisionOut, responses=STAFF_ERRORS)
def approve(service: ServiceDep, db: SessionDep, staff: StaffDep, claim_id: str, body: ApprovalIn) -> dict:
    """Approve a complete claim: for its estimate, or another amount with a reason (approver, admin)."""
    return _decide(service, db, staff, claim_id, lambda claim: payout.approve(
        db, staff, claim, payout.parse_amount(body.amount) if body.amount is not None else None, body.reason,
        body.payout_account))


@router.post("/v1/claims/{claim_id}/rejection", response_model=DecisionOut, responses=STAFF_ERRORS)
def reject(service: ServiceDep, db: SessionDep, staff: StaffDep, claim_id: str, body: ReasonIn) -> dict:
    """Reject an assessed claim, with a reason (approver, admin)."""
    return _decide(service, db, staff, claim_id, lambda claim: payout.reject(db, staff, claim, body.reason))


@router.post("/v1/claims/{claim_id}/approval-reversal", response_model=DecisionOut, responses=STAFF_ERRORS)
def reverse(service: ServiceDep, db: SessionDep, staff: StaffDep, claim_id: str, body: ReasonIn) -> dict:
    """Take an approval back, with a reason: the claim is complete again (approver, admin)."""
    return _decide(service, db, staff, claim_id,
                   lambda claim: payout.reverse_approval(db, staff, claim, body.reason))


@router.post("/v1/payout-batches", status_code=201, response_model=BatchOut, responses=STAFF_ERRORS)
def create_batch(service: ServiceDep, db: SessionDep, staff: StaffDep, body: BatchIn) -> dict:
    """Gather approved claims not yet in a batch: those named, or those approved in the dates."""
    batch = payout.create_batch(db, staff, service.zone, claim_ids=body.claim_ids,
                                approved_from=body.approved_from, approved_to=body.approved_to)
    db.commit()
    return batch_view(batch)


@router.get("/v1/payout-batches", response_model=list[BatchOut], responses=STAFF_ERRORS)
def list_batches(db: SessionDep, staff: StaffDep) -> list[dict]:
    """The organisation's payout batches, newest first (accounts masked)."""
    return [batch_view(b) for b in payout.list_batches(db, staff.organisation_id)]


@router.get("/v1/payout-batches/{batch_id}", response_model=BatchOut, responses=STAFF_ERRORS)
def read_batch(db: SessionDep, staff: StaffDep, batch_id: str) -> dict:
    return batch_view(payout.get_batch(db, staff.organisation_id, batch_id))


_FILES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@router.get(
    "/v1/payout-batches/{batch_id}/export.{kind}",
    responses={**STAFF_ERRORS, 200: {"content": {t: {} for t in _FILES.values()},
                                     "description": "The bank file: full account numbers."}},
    response_class=Response,
)
def export_batch(db: SessionDep, staff: StaffDep, batch_id: str, kind: payout.ExportKind) -> Response:
    """The bank file of a batch, XLSX or CSV, with full account numbers (approver, admin)."""
    batch = payout.get_batch(db, staff.organisation_id, batch_id)
    payout.record_export(db, staff, batch)
    db.commit()
    lines = payout.batch_lines(batch)
    data = to_xlsx(lines, batch.id) if kind == "xlsx" else to_csv(lines)
    return Response(data, media_type=_FILES[kind],
                    headers={"Content-Disposition": f'attachment; filename="{batch.id}.{kind}"'})


@router.post("/v1/payout-batches/{batch_id}/paid", response_model=BatchOut, responses=STAFF_ERRORS)
def mark_paid(service: ServiceDep, db: SessionDep, staff: StaffDep, batch_id: str) -> dict:
    """The bank paid the batch: its claims become paid (approver, admin; not a claim's approver
    where the organisation has two)."""
    batch = payout.get_batch(db, staff.organisation_id, batch_id)
    changes = payout.mark_paid(db, staff, batch)
    db.commit()
    for change in changes:
        service.publish(change)
    return batch_view(batch)


@router.get("/v1/figures", response_model=Figures, responses=ERRORS, tags=["figures"])
def read_figures(service: ServiceDep, db: SessionDep, who: CallerDep) -> Figures:
    """Times from submission to complete, approved and paid (median, p95, by month), claims and
    payouts per month, open follow-ups by age: the console's dashboard as JSON."""
    return figures.figures(db, who.organisation_id, service.zone, utcnow())


@router.get("/v1/figures.csv", responses={**ERRORS, 200: {"content": {"text/csv": {}}, "description": "The figures as CSV."}},
            response_class=Response, tags=["figures"])
def export_figures(service: ServiceDep, db: SessionDep, who: CallerDep) -> Response:
    """The same figures as a CSV table."""
    data = figures.to_csv(figures.figures(db, who.organisation_id, service.zone, utcnow()))
    return Response(data, media_type="text/csv; charset=utf-8", headers={"Content-Disposition": 'attachment; filename="figures.csv"'})
