"""What every router of the API shares: the service, a database session per request, the
authenticated caller, and the documented error answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from claim_intake.intake.api.schemas import ErrorOut
from claim_intake.intake.auth import Caller, authenticate
from claim_intake.intake.service import Service
from claim_intake.intake.upload_form import UploadLimits, upload_form

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


# FastAPI runs a plain function dependency in a worker thread, and each hop there and back is work
# for the event loop that every upload's bytes queue behind: what does not block is a coroutine.

async def _service(request: Request) -> Service:
    return request.app.state.service  # type: ignore[no-any-return]


ServiceDep = Annotated[Service, Depends(_service)]


async def _session(service: ServiceDep) -> AsyncIterator[Session]:
    """A new session connects only when first used (in the endpoint's thread); closing it hands
    its connection back, which may talk to the database: that is done in a thread."""
    session = service.sessions()
    try:
        yield session
    finally:
        await anyio.to_thread.run_sync(session.close)


SessionDep = Annotated[Session, Depends(_session)]


def _caller(db: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
    return authenticate(db, credentials.credentials if credentials else None)


CallerDep = Annotated[Caller, Depends(_caller)]


_AUTH_THREADS = anyio.CapacityLimiter(8)
"""Key look-ups of uploads have threads of their own: they never queue behind the request
handlers (storing files, committing claims) for the shared thread pool before a body is read."""


async def _uploader(service: ServiceDep,
                    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
    """The caller of an upload, authenticated on a session of its own, closed at once: the
    request's session takes no pooled connection while the body streams in (twenty uploads at
    once would otherwise hold the pool for as long as their clients take to send)."""

    def look_up() -> Caller:
        with service.sessions() as session:
            return authenticate(session, credentials.credentials if credentials else None)

    return await anyio.to_thread.run_sync(look_up, limiter=_AUTH_THREADS)


UploaderDep = Annotated[Caller, Depends(_uploader)]


async def _upload_form(request: Request, service: ServiceDep, _who: UploaderDep) -> AsyncIterator[FormData]:
    """The upload's form, read only once the API key is checked (``_who``), within the body limits."""
    async with upload_form(request, UploadLimits.of_claims(service.settings)) as form:
        yield form


UploadFormDep = Annotated[FormData, Depends(_upload_form)]


def upload_body(**fields: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI request body of an upload route (its form is read by ``_upload_form``, not
    declared as parameters, which FastAPI would parse before authenticating the caller)."""
    properties = {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                            "description": "Photos, scans or PDFs of the claim materials."}, **fields}
    required = ["files", *(name for name, spec in fields.items() if spec.pop("required", False))]
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": properties, "required": required}}}}}
