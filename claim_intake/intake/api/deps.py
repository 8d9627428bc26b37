"""What every router of the API shares: the service, a database session per request, the
authenticated caller, and the documented error answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, File, Request, UploadFile
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from claim_intake.intake.api.schemas import ErrorOut
from claim_intake.intake.auth import Caller, authenticate
from claim_intake.intake.service import Service

NO_NUL = r"^[^\x00]*$"
"""PostgreSQL text cannot hold NUL: refused at the edge rather than failing in the database."""

ERRORS = {
    401: {"model": ErrorOut, "description": "Missing or invalid API key."},
    404: {"model": ErrorOut, "description": "No such claim for this organisation."},
    422: {"model": ErrorOut, "description": "Invalid request."},
}
UPLOAD_ERRORS = {
    **ERRORS,
    413: {"model": ErrorOut, "description": "Every file is too large (code unreadable_file, reason file_too_large)."},
    415: {"model": ErrorOut, "description": "No file is of a supported type."},
    503: {"model": ErrorOut, "description": "Object storage unavailable (storage_unavailable): retry later."},
}

_bearer = HTTPBearer(auto_error=False, description="An organisation's API key: `claim-intake keys create --org NAME`.")


def _service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


ServiceDep = Annotated[Service, Depends(_service)]


def _session(service: ServiceDep) -> Iterator[Session]:
    with service.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(_session)]


def _caller(db: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
    return authenticate(db, credentials.credentials if credentials else None)


CallerDep = Annotated[Caller, Depends(_caller)]
Files = Annotated[list[UploadFile], File(description="Photos, scans or PDFs of the claim materials.")]
