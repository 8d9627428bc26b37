"""The console's roster page: how many members are enrolled, and a roster file to import (the
import's report, bad rows with their line, shown on the next page)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from claim_intake.errors import ClaimIntakeError
from claim_intake.intake import lifecycle
from claim_intake.intake.auth import Caller
from claim_intake.intake.console.app import Console, Db
from claim_intake.intake.console.security import current_staff
from claim_intake.intake.store.db import MemberRow, StaffMember
from claim_intake.intake.store.members import import_roster
from claim_intake.roster.parse import read_roster

_REPORT = "roster_report"
MAX_ROSTER_BYTES = 64 * 1024 * 1024
SHOWN_PROBLEMS = 200
"""The page lists this many bad rows (the count says how many there were)."""


def _staff(request: Request, db: Db) -> StaffMember:
    return current_staff(request, db)


Staff = Annotated[StaffMember, Depends(_staff)]


def add_member_pages(app: FastAPI, console: Console) -> None:
    @app.get("/members", name="members")
    def members(request: Request, db: Db, staff: Staff) -> Response:
        count = db.scalar(select(func.count()).select_from(MemberRow)
                          .where(MemberRow.organisation_id == staff.organisation_id))
        return console.render(request, "members.html", staff=staff, count=count,
                              report=request.session.pop(_REPORT, None))

    @app.post("/members/import", name="members_import")
    def members_import(request: Request, db: Db, staff: Staff,
                       file: Annotated[UploadFile, File()]) -> Response:
        name = file.filename or "roster"
        data = file.file.read(MAX_ROSTER_BYTES + 1)
        try:
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
