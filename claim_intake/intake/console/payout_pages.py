"""The console's pages past "complete": a claim's decision (approve, reject, reverse), the claims
list, and payout batches. The use cases (``intake.payout``) check each staff member's role; a
refused action comes back to the page it was taken on with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import Depends, FastAPI, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from claim_intake.errors import ClaimIntakeError, InvalidRequestError, NotFoundError
from claim_intake.intake import payout
from claim_intake.intake.api.schemas import ClaimState
from claim_intake.intake.console.app import Console, Db
from claim_intake.intake.console.security import current_staff
from claim_intake.intake.payout_export import to_csv, to_xlsx
from claim_intake.intake.roles import DECIDERS
from claim_intake.intake.store import claims as claim_ops
from claim_intake.intake.store import search
from claim_intake.intake.store.db import (
    ClaimRow,
    PayoutBatch,
    PayoutBatchClaim,
    StaffMember,
    keyring_of,
)
from claim_intake.roster.identity import mask_account
from claim_intake.validators.models import ClaimType

_FLASH = "flash"
CLAIMS_LIMIT = 200
"""The claims list shows the newest this many that pass the filters: narrow the search for more."""


def _staff(request: Request, db: Db) -> StaffMember:
    return current_staff(request, db)


Staff = Annotated[StaffMember, Depends(_staff)]


@dataclass
class Decision:
    """What the claim page shows and offers about the claim's decision."""

    can_decide: bool
    estimate: Decimal | None
    approved_amount: Decimal | None
    account: str
    batch_id: str | None


def decision(session: Session, claim: ClaimRow, staff: StaffMember) -> Decision:
    membership = session.get(PayoutBatchClaim, claim.id)
    account = payout.payout_account(claim) or payout.account_on_documents(claim) or ""
    return Decision(staff.role in DECIDERS, payout.estimate_amount(claim), payout.from_fen(claim.approved_fen),
                    account if claim.status == ClaimState.complete and staff.role in DECIDERS
                    else mask_account(account) if account else "",
                    membership.batch_id if membership else None)


def _refused(request: Request, exc: ClaimIntakeError) -> None:
    request.session[_FLASH] = {"error": "decision.refused", "detail": exc.message}


def install_payout_pages(app: FastAPI, console: Console) -> None:
    service = console.service

    def to_claim(request: Request, claim_id: str) -> RedirectResponse:
        return RedirectResponse(f"{request.url_for('console:claim', claim_id=claim_id)}#decision", status_code=303)

    def decide(request: Request, db: Session, claim: ClaimRow, act) -> RedirectResponse:  # type: ignore[no-untyped-def]
        """Runs a decision; what the use case refuses (a role, a state, a missing reason) is shown."""
        try:
            change = act()
        except ClaimIntakeError as exc:
            if exc.http_status == 404 or exc.http_status >= 500:
                raise
            db.rollback()
            _refused(request, exc)
            return to_claim(request, claim.id)
        db.commit()
        service.publish(change)
        return to_claim(request, claim.id)

    @app.post("/claims/{claim_id}/approval", name="approve")
    def approve(request: Request, db: Db, staff: Staff, claim_id: str,
                amount: Annotated[str, Form(max_length=40)] = "", reason: Annotated[str, Form(max_length=1000)] = "",
                payout_account: Annotated[str, Form(max_length=80)] = "") -> Response:
        claim = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        return decide(request, db, claim, lambda: payout.approve(
            db, staff, claim, payout.parse_amount(amount) if amount.strip() else None, reason, payout_account))

    @app.post("/claims/{claim_id}/rejection", name="reject")
    def reject(request: Request, db: Db, staff: Staff, claim_id: str,
               reason: Annotated[str, Form(max_length=1000)] = "") -> Response:
        claim = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        return decide(request, db, claim, lambda: payout.reject(db, staff, claim, reason))

    @app.post("/claims/{claim_id}/approval-reversal", name="reverse")
    def reverse(request: Request, db: Db, staff: Staff, claim_id: str,
                reason: Annotated[str, Form(max_length=1000)] = "") -> Response:
        claim = claim_ops.get_claim(db, staff.organisation_id, claim_id)
        return decide(request, db, claim, lambda: payout.reverse_approval(db, staff, claim, reason))

    @app.get("/claims", name="claims")
    def claims(request: Request, db: Db, staff: Staff,
               q: Annotated[str, Query(max_length=200)] = "",
               status: Annotated[str, Query(max_length=40)] = "",
               claim_type: Annotated[str, Query(max_length=40)] = "",
               submitted_from: Annotated[str, Query(max_length=10)] = "",
               submitted_to: Annotated[str, Query(max_length=10)] = "",
               unit: Annotated[str, Query(max_length=200)] = "") -> Response:
        # The filter form sends every field, empty ones as "": those filter nothing.
        try:
            found = search.ClaimFilter(q.strip() or None, ClaimState(status) if status else None,
                                       ClaimType(claim_type) if claim_type else None,
                                       date.fromisoformat(submitted_from) if submitted_from else None,
                                       date.fromisoformat(submitted_to) if submitted_to else None,
                                       unit.strip() or None)
        except ValueError as exc:
            raise InvalidRequestError(f"not a filter: {exc}") from exc
        rows = list(db.scalars(search.apply(select(ClaimRow), staff.organisation_id, found, keyring_of(db))
                               .order_by(ClaimRow.created_at.desc(), ClaimRow.id.desc()).limit(CLAIMS_LIMIT)))
        return console.render(request, "claims.html", staff=staff, rows=rows, limit=CLAIMS_LIMIT,
                              flash=request.session.pop(_FLASH, None),
                              statuses=list(ClaimState), claim_types=list(ClaimType), from_fen=payout.from_fen,
                              selected={"q": q, "status": status or "", "claim_type": claim_type or "",
                                        "submitted_from": submitted_from or "", "submitted_to": submitted_to or "", "unit": unit})

    @app.get("/payouts", name="payouts")
    def payouts(request: Request, db: Db, staff: Staff) -> Response:
        return console.render(request, "payouts.html", staff=staff, batches=payout.list_batches(db, staff.organisation_id),
                              waiting=payout.unbatched_approved(db, staff.organisation_id), from_fen=payout.from_fen,
                              total=payout.batch_total, can_decide=staff.role in DECIDERS,
                              flash=request.session.pop(_FLASH, None))

    @app.post("/payouts", name="create_batch")
    async def create_batch(request: Request, db: Db, staff: Staff,
                           approved_from: Annotated[str, Form(max_length=10)] = "",
                           approved_to: Annotated[str, Form(max_length=10)] = "") -> Response:
        claim_ids = [str(v)[:40] for v in (await request.form()).getlist("claim_id")]
        try:
            try:
                start = date.fromisoformat(approved_from) if approved_from else None
                end = date.fromisoformat(approved_to) if approved_to else None
            except ValueError as exc:
                raise InvalidRequestError(f"not a date: {exc}") from exc
            batch = payout.create_batch(db, staff, service.zone, claim_ids=claim_ids, approved_from=start, approved_to=end)
        except ClaimIntakeError as exc:
            if exc.http_status >= 500:
                raise
            db.rollback()
            _refused(request, exc)
            return RedirectResponse(request.url_for("console:payouts"), status_code=303)
        db.commit()
        return RedirectResponse(request.url_for("console:batch", batch_id=batch.id), status_code=303)

    def batch_of(db: Session, staff: StaffMember, batch_id: str) -> PayoutBatch:
        return payout.get_batch(db, staff.organisation_id, batch_id)

    @app.get("/payouts/{batch_id}", name="batch")
    def batch_page(request: Request, db: Db, staff: Staff, batch_id: str) -> Response:
        batch = batch_of(db, staff, batch_id)
        names = dict(db.execute(select(StaffMember.id, StaffMember.email)
                                .where(StaffMember.organisation_id == staff.organisation_id)).all())
        return console.render(request, "payout_batch.html", staff=staff, batch=batch, lines=payout.batch_lines(batch),
                              total=payout.batch_total(batch), names=names, can_decide=staff.role in DECIDERS,
                              from_fen=payout.from_fen,
                              flash=request.session.pop(_FLASH, None))

    @app.get("/payouts/{batch_id}/export.{kind}", name="export")
    def export(db: Db, staff: Staff, batch_id: str, kind: payout.ExportKind) -> Response:
        batch = batch_of(db, staff, batch_id)
        payout.record_export(db, staff, batch)
        db.commit()
        lines = payout.batch_lines(batch)
        data, media = ((to_xlsx(lines, batch.id), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                       if kind == payout.ExportKind.xlsx else (to_csv(lines), "text/csv; charset=utf-8"))
        return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{batch.id}.{kind}"'})

    @app.post("/payouts/{batch_id}/paid", name="paid")
    def paid(request: Request, db: Db, staff: Staff, batch_id: str) -> Response:
        batch = batch_of(db, staff, batch_id)
        try:
            changes = payout.mark_paid(db, staff, batch)
        except ClaimIntakeError as exc:
            if exc.http_status >= 500 or isinstance(exc, NotFoundError):
                raise
            db.rollback()
            _refused(request, exc)
        else:
            db.commit()
            for change in changes:
                service.publish(change)
        return RedirectResponse(request.url_for("console:batch", batch_id=batch_id), status_code=303)
