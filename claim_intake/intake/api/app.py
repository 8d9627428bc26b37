"""The HTTP API (FastAPI). ``create_app`` wires the service, its error answers, the routers of
each area (``claim_routes``, ``webhook_routes``, ``operation_routes``) and the console;
``claim-intake serve`` runs it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from claim_intake.errors import ClaimIntakeError, InvalidRequestError
from claim_intake.intake import access_log
from claim_intake.intake.api import (
    claim_routes,
    member_routes,
    operation_routes,
    payout_routes,
    webhook_routes,
)
from claim_intake.intake.body_limit import BodyLimitMiddleware
from claim_intake.intake.console.app import install_console
from claim_intake.intake.console.secret import console_secret
from claim_intake.intake.member.pages import install_member_pages
from claim_intake.intake.request_metrics import RequestMetricsMiddleware
from claim_intake.intake.security_headers import SecurityHeadersMiddleware
from claim_intake.intake.service import build_service
from claim_intake.intake.settings import Settings
from claim_intake.ocr.reader import EngineFactory

log = logging.getLogger(__name__)


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

    app.add_middleware(RequestMetricsMiddleware, metrics=service.metrics)
    for router in (claim_routes.router, member_routes.router, payout_routes.router, webhook_routes.router,
                   operation_routes.router):
        app.include_router(router)
    install_console(app, service)
    app.add_middleware(SecurityHeadersMiddleware)
    access_log.install()
    # Added last, so outermost: it sees every request (API and console) before anything reads it.
    app.add_middleware(BodyLimitMiddleware, default_bytes=service.settings.max_form_bytes,
                       max_bytes=service.settings.max_request_bytes)
    install_member_pages(app, service, console_secret(settings))
    return app
