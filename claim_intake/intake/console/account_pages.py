"""The staff member's own account page: two-step login turned on (the secret shown once) and, for
an administrator, the organisation's staff with a reset of two-step login for a lost phone."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from claim_intake.errors import ClaimIntakeError, NotFoundError
from claim_intake.intake.auth import Caller
from claim_intake.intake.console import two_step
from claim_intake.intake.console.app import Console, Db
from claim_intake.intake.console.security import current_staff
from claim_intake.intake.lifecycle import audit
from claim_intake.intake.roles import ADMINS, require
from claim_intake.intake.store.db import StaffMember

_FLASH = "flash"


def _staff(request: Request, db: Db) -> StaffMember:
    return current_staff(request, db)


Staff = Annotated[StaffMember, Depends(_staff)]


def install_account_pages(app: FastAPI, console: Console) -> None:
    def page(request: Request, db: Db, staff: StaffMember, **extra: object) -> Response:
        colleagues = (list(db.scalars(select(StaffMember).where(StaffMember.organisation_id == staff.organisation_id)
                                      .order_by(StaffMember.email)))
                      if staff.role in ADMINS else [])
        return console.render(request, "account.html", staff=staff, colleagues=colleagues,
                              two_step_on=two_step.enabled(staff), flash=request.session.pop(_FLASH, None), **extra)

    def to_account(request: Request) -> RedirectResponse:
        return RedirectResponse(request.url_for("console:account"), status_code=303)

    @app.get("/account", name="account")
    def account(request: Request, db: Db, staff: Staff) -> Response:
        return page(request, db, staff)

    @app.post("/account/two-step", name="two_step_start")
    def start(request: Request, db: Db, staff: Staff) -> Response:
        # The answer to this POST is the one time the secret is shown; a reload makes a new one.
        secret, svg = two_step.start_enrolment(staff)
        db.commit()
        return page(request, db, staff, secret=secret, qr=Markup(svg))

    @app.post("/account/two-step/confirm", name="two_step_confirm")
    def confirm(request: Request, db: Db, staff: Staff, code: Annotated[str, Form(max_length=20)]) -> Response:
        if two_step.confirm_enrolment(staff, code):
            audit(db, Caller(staff.organisation_id, staff.id), "staff.two_step.on")
            request.session[_FLASH] = {"notice": "account.two_step_turned_on"}
        else:
            request.session[_FLASH] = {"error": "account.two_step_wrong_code"}
        db.commit()
        return to_account(request)

    @app.post("/staff/{staff_id}/two-step/reset", name="two_step_reset")
    def reset(request: Request, db: Db, staff: Staff, staff_id: str) -> Response:
        try:
            require(staff, ADMINS, "turning off someone's two-step login")
        except ClaimIntakeError as exc:
            request.session[_FLASH] = {"error": "claim.refused", "detail": exc.message}
            return to_account(request)
        other = db.get(StaffMember, staff_id)
        if other is None or other.organisation_id != staff.organisation_id:
            raise NotFoundError(f"no staff member {staff_id}")
        two_step.reset(other)
        audit(db, Caller(staff.organisation_id, staff.id), "staff.two_step.reset")
        db.commit()
        request.session[_FLASH] = {"notice": "account.two_step_reset", "detail": other.email}
        return to_account(request)
