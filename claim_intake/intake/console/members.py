"""The console's roster page: how many members are enrolled, and a roster file to import (the
import's report, bad rows with their line, shown on the next page)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from claim_intake.errors import ClaimIntakeError
from claim_intake.intake import lifecycle
from claim_intake.intake.auth import Caller
from claim_intake.intake.console.app import Console, Db
from claim_intake.intake.console.security import current_staff
from claim_intake.intake.store.db import MemberRow, StaffMember
from claim_intake.intake.store.members import import_roster
from claim_intake.intake.upload_form import ROSTER_UPLOAD, files_of, upload_form
from claim_intake.roster.parse import MAX_ROSTER_BYTES, read_roster

_REPORT = "roster_report"
SHOWN_PROBLEMS = 200
"""The page lists this many bad rows (the count says how many there were)."""


def _staff(request: Request, db: Db) -> StaffMember:
    return current_staff(request, db)


Staff = Annotated[StaffMember, Depends(_staff)]


async def _roster_upload(request: Request) -> tuple[str, bytes] | None:
    """The roster file of the form, which the gate read (a File() parameter would have FastAPI
    read the body before the gate checks the login)."""
    files = files_of(await request.form(), "file")
    return (files[0].filename or "roster", await files[0].read()) if files else None


RosterUpload = Annotated[tuple[str, bytes] | None, Depends(_roster_upload)]


def roster_upload_gate(console: Console):  # type: ignore[no-untyped-def]
    """The staff console's one upload, the roster file: its body is read only for a logged-in
    staff member, within the roster's limit; every other form keeps the small default."""

    async def gate(request: Request) -> AsyncIterator[None]:
        route = request.scope.get("route")
        if request.method != "POST" or getattr(route, "name", None) != "members_import":
            yield
            return
        with console.service.sessions() as session:
            current_staff(request, session)
        async with upload_form(request, ROSTER_UPLOAD):
            yield

    return gate


def add_member_pages(app: FastAPI, console: Console) -> None:
    @app.get("/members", name="members")
    def members(request: Request, db: Db, staff: Staff) -> Response:
        count = db.scalar(select(func.count()).select_from(MemberRow)
                          .where(MemberRow.organisation_id == staff.organisation_id))
        return console.render(request, "members.html", staff=staff, count=count,
                              report=request.session.pop(_REPORT, None))

    @app.post("/members/import", name="members_import")
    def members_import(request: Request, db: Db, staff: Staff, upload: RosterUpload) -> Response:
        name, data = upload or ("roster", b"")
        try:
            if upload is None:
                raise ClaimIntakeError("choose a roster file (CSV or XLSX)")
            if len(data) > MAX_ROSTER_BYTES:
                raise ClaimIntakeError(f"{name}: larger than {MAX_ROSTER_BYTES // 1024 // 1024} MiB")
            report = import_roster(db, staff.organisation_id, read_roster(data, name), source=name)
        except ClaimIntakeError as exc:
            request.session[_REPORT] = {"file": name, "error": exc.message}
        else:
            lifecycle.audit(db, Caller(staff.organisation_id, staff.id), "members.import")
            db.commit()
            body = report.as_dict()
            body["problem_count"] = len(body["problems"])
            body["problems"] = body["problems"][:SHOWN_PROBLEMS]
            request.session[_REPORT] = {"file": name, **body}
        return RedirectResponse(request.url_for("console:members"), status_code=303)
