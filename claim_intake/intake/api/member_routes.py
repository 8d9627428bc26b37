"""``/v1/members``: the roster. Import a CSV or XLSX file, look a member up (always masked)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from claim_intake.errors import InvalidRequestError, NotFoundError
from claim_intake.intake import lifecycle
from claim_intake.intake.api.deps import (
    ERRORS,
    NO_NUL,
    UPLOAD_ERRORS,
    CallerDep,
    SessionDep,
    UploaderDep,
)
from claim_intake.intake.auth import Caller
from claim_intake.intake.store.db import MemberRow
from claim_intake.intake.store.members import find_member, import_roster, member_history
from claim_intake.intake.upload_form import ROSTER_UPLOAD, files_of, upload_form
from claim_intake.roster.identity import (
    IdNumberError,
    mask_account,
    mask_id_number,
    normalise_id_number,
)
from claim_intake.roster.parse import MAX_ROSTER_BYTES, read_roster

router = APIRouter(prefix="/v1/members", tags=["members"])
SEARCH_LIMIT = 50


class RowProblemOut(BaseModel):
    line: int = PydanticField(description="The row's line in the file (the header is a line too).")
    reason: str


class ImportOut(BaseModel):
    members_added: int
    members_updated: int
    members_unchanged: int
    enrolments_added: int
    enrolments_updated: int
    problems: list[RowProblemOut] = PydanticField(description="Rows not imported, each with why.")


class EnrolmentOut(BaseModel):
    plan: str
    start: date
    end: date
    paid_on: date | None


class MemberChangeOut(BaseModel):
    at: datetime
    source: str
    previous: dict[str, Any]
    current: dict[str, Any]


class MemberOut(BaseModel):
    member_id: str
    name: str
    id_number: str = PydanticField(description="Masked: 310***********123X.")
    phone: str | None
    unit: str | None
    bank: str | None
    account: str | None = PydanticField(description="Masked.")
    enrolments: list[EnrolmentOut]
    history: list[MemberChangeOut] = []


def _masked(values: dict[str, Any]) -> dict[str, Any]:
    return {k: mask_account(v) if k == "account" else v for k, v in values.items()}


def member_view(session: Session, row: MemberRow, with_history: bool = False) -> dict[str, Any]:
    return {
        "member_id": row.id, "name": row.name, "id_number": mask_id_number(row.id_number), "phone": row.phone,
        "unit": row.unit, "bank": row.bank, "account": mask_account(row.account),
        "enrolments": [{"plan": e.plan, "start": e.start, "end": e.end, "paid_on": e.paid_on} for e in row.enrolments],
        "history": [{"at": c.at, "source": c.source, "previous": _masked(c.previous), "current": _masked(c.current)}
                    for c in member_history(session, row.id)] if with_history else [],
    }


def claimant_identity(session: Session, caller: Caller, id_number: str | None, member_id: str | None) -> str | None:
    """The normalised ID number a submitted claim names its claimant by (``member_id`` stands for
    its member's), or InvalidRequestError."""
    if id_number is not None:
        try:
            id_number = normalise_id_number(id_number)
        except IdNumberError as exc:
            raise InvalidRequestError(f"claimant_id_number: {exc}") from None
    if member_id is None:
        return id_number
    member = find_member(session, caller.organisation_id, member_id)
    if member is None:
        raise InvalidRequestError(f"member_id: no member {member_id} on the roster")
    if id_number is not None and id_number != member.id_number:
        raise InvalidRequestError("member_id and claimant_id_number name different people")
    return member.id_number


_ROSTER_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "The roster: CSV or XLSX, one enrolment a row."}}}}}}}


async def _roster_file(request: Request, _who: UploaderDep) -> AsyncIterator[tuple[str, bytes]]:
    """The roster's one file, read only once the API key is checked, within the roster's limit."""
    async with upload_form(request, ROSTER_UPLOAD) as form:
        files = files_of(form, "file")
        if len(files) != 1:
            raise InvalidRequestError("file: one roster file (CSV or XLSX) is required")
        data = await files[0].read()
        if len(data) > MAX_ROSTER_BYTES:
            raise InvalidRequestError(f"the roster is larger than {MAX_ROSTER_BYTES // 1024 // 1024} MiB")
        yield files[0].filename or "roster", data


@router.post("/import", response_model=ImportOut, responses=UPLOAD_ERRORS,
             openapi_extra=_ROSTER_BODY)
def import_members(db: SessionDep, who: UploaderDep,
                   roster: Annotated[tuple[str, bytes], Depends(_roster_file)]) -> dict:
    """Import the roster. Idempotent: the same file again changes nothing; a changed row updates
    the member and keeps what it was. Rows that cannot be used are listed with their line."""
    name, data = roster
    report = import_roster(db, who.organisation_id, read_roster(data, name), source=name)
    lifecycle.audit(db, who, "members.import")
    db.commit()
    return report.as_dict()


@router.get("", response_model=list[MemberOut], responses=ERRORS)
def search_members(db: SessionDep, who: CallerDep,
                   id_number: Annotated[str | None, Query(max_length=40, pattern=NO_NUL)] = None,
                   name: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None) -> list[dict]:
    """Members by full ID number or by name (at most 50), masked."""
    if not id_number and not name:
        raise InvalidRequestError("give id_number or name")
    query = select(MemberRow).options(selectinload(MemberRow.enrolments)).where(
        MemberRow.organisation_id == who.organisation_id)
    if id_number:
        try:
            query = query.where(MemberRow.id_number == normalise_id_number(id_number))
        except IdNumberError as exc:
            raise InvalidRequestError(f"id_number: {exc}") from None
    if name:
        query = query.where(MemberRow.name == name)
    rows = db.scalars(query.order_by(MemberRow.id).limit(SEARCH_LIMIT)).all()
    lifecycle.audit(db, who, "members.search")
    db.commit()
    return [member_view(db, r) for r in rows]


@router.get("/{member_id}", response_model=MemberOut, responses=ERRORS)
def read_member(db: SessionDep, who: CallerDep,
                member_id: Annotated[str, Path(max_length=40, pattern=NO_NUL)]) -> dict:
    """A member with enrolments and the history of changes imports made, masked."""
    row = find_member(db, who.organisation_id, member_id)
    if row is None:
        raise NotFoundError(f"no member {member_id}")
    view = member_view(db, row, with_history=True)
    lifecycle.audit(db, who, "members.read")
    db.commit()
    return view
