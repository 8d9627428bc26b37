"""The HTTP API (FastAPI). ``create_app`` wires it; ``claim-intake serve`` runs it.

Uploads are screened and stored, rows committed, and the request answered 202 before any reading
starts: the executor reads and assesses afterwards, and the caller polls or takes a webhook.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, File, Form, Header, Query, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from claim_intake.errors import (
    ClaimIntakeError,
    InvalidRequestError,
    NotFoundError,
    ServiceNotReadyError,
    StorageUnavailableError,
)
from claim_intake.intake import lifecycle
from claim_intake.intake.api.schemas import (
    ClaimOut,
    ClaimPage,
    ClaimState,
    DeliveryOut,
    ErrorOut,
    WebhookIn,
    WebhookOut,
)
from claim_intake.intake.api.views import claim_summary, claim_view
from claim_intake.intake.auth import Caller, authenticate
from claim_intake.intake.console.app import install_console
from claim_intake.intake.service import Service, build_service
from claim_intake.intake.settings import Settings
from claim_intake.intake.store import claims as claim_ops
from claim_intake.intake.store.db import Webhook, WebhookDelivery, new_id
from claim_intake.intake.uploads import Upload, screen_files
from claim_intake.ocr.reader import EngineFactory
from claim_intake.validators.models import ClaimType

log = logging.getLogger(__name__)

_NO_NUL = r"^[^\x00]*$"
"""PostgreSQL text cannot hold NUL: refused at the edge rather than failing in the database."""

_ERRORS = {
    401: {"model": ErrorOut, "description": "Missing or invalid API key."},
    404: {"model": ErrorOut, "description": "No such claim for this organisation."},
    422: {"model": ErrorOut, "description": "Invalid request."},
}
_UPLOAD_ERRORS = {
    **_ERRORS,
    413: {"model": ErrorOut, "description": "Every file is too large (code unreadable_file, reason file_too_large)."},
    415: {"model": ErrorOut, "description": "No file is of a supported type."},
    503: {"model": ErrorOut, "description": "Object storage unavailable (storage_unavailable): retry later."},
}

_bearer = HTTPBearer(auto_error=False, description="An organisation's API key: `claim-intake keys create --org NAME`.")


def _session(request: Request) -> Iterator[Session]:
    service: Service = request.app.state.service
    with service.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(_session)]


def _caller(db: SessionDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Caller:
    return authenticate(db, credentials.credentials if credentials else None)


CallerDep = Annotated[Caller, Depends(_caller)]
Files = Annotated[list[UploadFile], File(description="Photos, scans or PDFs of the claim materials.")]


def _error(status: int, body: dict[str, str], retryable: bool = False) -> JSONResponse:
    headers = {"Retry-After": "5"} if retryable else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ClaimIntakeError)
    async def _claim_intake_error(_request: Request, exc: ClaimIntakeError) -> JSONResponse:
        if exc.http_status >= 500:
            log.warning("%s: %s", exc.code, exc.message)
        return _error(exc.http_status, exc.to_dict(), exc.retryable)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        return _error(422, InvalidRequestError(problems or "invalid request").to_dict())

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, {"code": code, "message": str(exc.detail)})

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return _error(500, {"code": "internal_error", "message": "internal error"})


def create_app(settings: Settings, engine_factory: EngineFactory | None = None) -> FastAPI:
    """``engine_factory`` replaces the configured OCR engine (tests pass a fake one)."""
    service = build_service(settings, engine_factory)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(
        title="claim-intake",
        version="1",
        summary="Pre-screens medical mutual-aid claim materials: reads uploads, extracts fields, flags gaps.",
        lifespan=lifespan,
    )
    app.state.service = service
    _install_error_handlers(app)

    @app.middleware("http")
    async def _measure(request: Request, call_next):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        service.metrics.requests.labels(request.method, route, str(response.status_code)).inc()
        service.metrics.request_seconds.labels(request.method, route).observe(time.perf_counter() - started)
        return response

    def read_files(files: list[UploadFile]) -> list[Upload]:
        return screen_files(files, settings.read.limits, settings.max_files_per_request)  # type: ignore[arg-type]

    def enqueue(document_ids: list[str]) -> None:
        for document_id in document_ids:
            service.executor.submit_document(document_id)

    @app.post("/v1/claims", status_code=202, response_model=ClaimOut, responses=_UPLOAD_ERRORS, tags=["claims"])
    def submit_claim(
        db: SessionDep,
        who: CallerDep,
        files: Files,
        claim_type: Annotated[str, Form(max_length=40, json_schema_extra={"enum": [t.value for t in ClaimType]})],
        claimant_name: Annotated[str | None, Form(max_length=100, pattern=_NO_NUL)] = None,
        external_id: Annotated[str | None, Form(max_length=200, pattern=_NO_NUL, description="Your own reference.")] = None,
        idempotency_key: Annotated[str | None, Header(max_length=200, pattern=_NO_NUL,
                                                      description="A retry with the same key returns the same claim.")] = None,
    ) -> dict:
        """Submit a claim. Answered as soon as the files are stored; reading happens afterwards."""
        existing = lifecycle.find_retry(db, who, idempotency_key)
        if existing is not None:
            lifecycle.audit(db, who, "claim.create", existing.id)
            db.commit()
            return claim_view(existing)
        settings.rule_set(claim_type)  # unknown_claim_type before anything is stored
        uploads = read_files(files)
        keys = claim_ops.store_uploads(service.store, uploads)
        claim, queued = lifecycle.submit(
            db, who, claim_type=claim_type, claimant_name=claimant_name or None,
            external_id=external_id or None, idempotency_key=idempotency_key, uploads=uploads, keys=keys,
            zone=service.zone,
        )
        enqueue(queued)
        return claim_view(claim)

    @app.post("/v1/claims/{claim_id}/documents", status_code=202, response_model=ClaimOut,
              responses=_UPLOAD_ERRORS, tags=["claims"])
    def add_documents(db: SessionDep, who: CallerDep, claim_id: str, files: Files) -> dict:
        """More materials for a claim; the claim is assessed again over all its documents."""
        claim = claim_ops.get_claim(db, who.organisation_id, claim_id)
        uploads = read_files(files)
        keys = claim_ops.store_uploads(service.store, uploads)
        change, queued = lifecycle.add_documents(db, who, claim, uploads, keys)
        db.commit()
        service.publish(change)
        enqueue(queued)
        return claim_view(claim)

    @app.get("/v1/claims/{claim_id}", response_model=ClaimOut, responses=_ERRORS, tags=["claims"])
    def read_claim(db: SessionDep, who: CallerDep, claim_id: str) -> dict:
        """A claim: its status, documents with their fields, and findings."""
        claim = claim_ops.get_claim(db, who.organisation_id, claim_id)
        lifecycle.audit(db, who, "claim.read", claim.id)
        db.commit()
        return claim_view(claim)

    @app.get("/v1/claims", response_model=ClaimPage, responses=_ERRORS, tags=["claims"])
    def list_claims(
        db: SessionDep,
        who: CallerDep,
        status: ClaimState | None = None,
        claim_type: ClaimType | None = None,
        since: Annotated[datetime | None, Query(description="Submitted at or after (ISO 8601).")] = None,
        cursor: Annotated[str | None, Query(max_length=500)] = None,
    ) -> dict:
        """The organisation's claims, newest first, a page at a time."""
        rows, next_cursor = claim_ops.list_claims(
            db, who, status=status, claim_type=claim_type, since=since, cursor=cursor, limit=settings.page_size
        )
        lifecycle.audit(db, who, "claim.list")
        db.commit()
        return {"items": [claim_summary(c) for c in rows], "next_cursor": next_cursor}

    @app.get(
        "/v1/claims/{claim_id}/documents/{document_id}/file",
        responses={**_ERRORS, 200: {"content": {"application/octet-stream": {}}, "description": "The upload as sent."}},
        response_class=Response,
        tags=["claims"],
    )
    def download(db: SessionDep, who: CallerDep, claim_id: str, document_id: str) -> Response:
        """The original upload, byte for byte."""
        document = claim_ops.get_document(db, who.organisation_id, claim_id, document_id)
        if document.sha256 is None:
            raise NotFoundError(f"document {document_id} was refused at intake; nothing was stored")
        data = service.store.get(document.sha256)
        lifecycle.audit(db, who, "document.download", claim_id, document_id)
        db.commit()
        disposition = f"attachment; filename*=UTF-8''{quote(document.filename)}"
        return Response(data, media_type=document.content_type, headers={"Content-Disposition": disposition})

    @app.post("/v1/webhooks", status_code=201, response_model=WebhookOut, responses=_ERRORS, tags=["webhooks"])
    def register_webhook(db: SessionDep, who: CallerDep, body: WebhookIn) -> dict:
        """Status changes of the organisation's claims are POSTed here, signed with the secret."""
        hook = Webhook(id=new_id("whk"), organisation_id=who.organisation_id, url=body.url,
                       secret=body.secret or secrets.token_urlsafe(32))
        db.add(hook)
        db.commit()
        return {"id": hook.id, "url": hook.url, "created_at": hook.created_at, "secret": hook.secret}

    @app.get("/v1/webhooks", response_model=list[WebhookOut], responses=_ERRORS, tags=["webhooks"])
    def list_webhooks(db: SessionDep, who: CallerDep) -> list[dict]:
        hooks = db.scalars(select(Webhook).where(Webhook.organisation_id == who.organisation_id).order_by(Webhook.created_at))
        return [{"id": h.id, "url": h.url, "created_at": h.created_at} for h in hooks]

    @app.get("/v1/webhooks/{webhook_id}/deliveries", response_model=list[DeliveryOut], responses=_ERRORS,
             tags=["webhooks"])
    def list_deliveries(db: SessionDep, who: CallerDep, webhook_id: str) -> list[WebhookDelivery]:
        hook = db.get(Webhook, webhook_id)
        if hook is None or hook.organisation_id != who.organisation_id:
            raise NotFoundError(f"no webhook {webhook_id}")
        return list(db.scalars(
            select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id).order_by(WebhookDelivery.created_at)
        ))

    @app.get("/healthz", tags=["operations"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], responses={503: {"model": ErrorOut}})
    def readyz() -> dict[str, str]:
        """The database and the object store answer."""
        try:
            with service.db.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:
            raise ServiceNotReadyError(f"database: {exc}") from exc
        try:
            service.store.check()
        except StorageUnavailableError as exc:
            raise ServiceNotReadyError(f"storage: {exc.message}") from exc
        return {"status": "ready"}

    @app.get("/metrics", tags=["operations"], response_class=Response,
             responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format."}})
    def metrics() -> Response:
        return Response(service.metrics.render(), media_type="text/plain; version=0.0.4")

    install_console(app, service)
    return app
