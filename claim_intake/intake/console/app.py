"""Mounts the console on the API's app: the staff pages under ``/console``, the claimant's
follow-up page under ``/f``, their files under ``/console/static``.

Each is a sub-application of its own: HTML error pages instead of the API's JSON errors, a
session cookie the API never sees, and nothing added to the API's OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from claim_intake.errors import ClaimIntakeError, CsrfError
from claim_intake.intake.console.i18n import (
    LANGUAGE_COOKIE,
    Translator,
    language,
    requested_language,
)
from claim_intake.intake.console.links import FollowUpLinks
from claim_intake.intake.console.login_guard import LoginPolicy
from claim_intake.intake.console.secret import console_secret
from claim_intake.intake.console.security import csrf_token, require_csrf
from claim_intake.intake.service import Service
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.db import utcnow

_HERE = Path(str(resources.files("claim_intake.intake.console")))


def age(t: Translator, delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return t("age.minutes", n=max(minutes, 0))
    if minutes < 24 * 60:
        return t("age.hours", n=minutes // 60)
    return t("age.days", n=minutes // (24 * 60))


@dataclass
class Console:
    service: Service
    settings: Settings
    templates: Jinja2Templates
    links: FollowUpLinks
    login_policy: LoginPolicy

    def render(self, request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        t = Translator(language(request))
        response = self.templates.TemplateResponse(
            request, template,
            {"t": t, "lang": t.lang, "csrf_token": csrf_token(request), "now": utcnow(),
             "age": lambda delta: age(t, delta), "local": lambda at: at.astimezone(self.service.zone),
             **context},
            status_code=status_code,
        )
        if (lang := requested_language(request)) is not None:
            response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
        return response

    def error_page(self, request: Request, status_code: int, message_key: str, detail: str | None = None) -> Response:
        return self.render(request, "error.html", status_code, message_key=message_key, detail=detail)


def _db(request: Request) -> Iterator[Session]:
    console: Console = request.app.state.console
    with console.service.sessions() as session:
        yield session


Db = Annotated[Session, Depends(_db)]
"""One database session per request (the sub-applications keep their Console in ``state``)."""


def console_app(console: Console, gate: Any = None) -> FastAPI:
    """A sub-application: no OpenAPI, CSRF checked on every state-changing request, error pages.
    ``gate``: a dependency run before the CSRF check reads the form (the claimant's link check,
    which lets an upload's body grow: ``body_limit``)."""
    first = [Depends(gate)] if gate is not None else []
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None, dependencies=[*first, Depends(require_csrf)])
    app.state.console = console
    _install_error_pages(app, console)
    return app


def _install_error_pages(app: FastAPI, console: Console) -> None:
    """Errors as pages in the visitor's language; the messages never reveal whether a claim of
    another organisation exists."""

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, _exc: CsrfError) -> Response:
        return console.error_page(request, 403, "error.csrf")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        key = "error.not_found" if exc.status_code == 404 else "error.generic"
        return console.error_page(request, exc.status_code, key)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return console.error_page(request, 400, "error.generic", "; ".join(e["msg"] for e in exc.errors()))

    @app.exception_handler(ClaimIntakeError)
    async def _claim_intake(request: Request, exc: ClaimIntakeError) -> Response:
        key = "error.not_found" if exc.http_status == 404 else "error.generic"
        return console.error_page(request, exc.http_status, key, exc.message if exc.http_status < 500 else None)


def install_console(app: FastAPI, service: Service) -> None:
    # Imported here: the routes import this module for Console.
    from claim_intake.intake.console.claimant import claimant_app
    from claim_intake.intake.console.staff import staff_app

    settings = service.settings
    secret = console_secret(settings)
    console = Console(
        service=service,
        settings=settings,
        templates=Jinja2Templates(directory=_HERE / "templates"),
        links=FollowUpLinks(secret, settings.follow_up_link_days * 24 * 3600, settings.follow_up_link_uploads),
        login_policy=LoginPolicy(window_s=settings.login_window_minutes * 60,
                                 max_account_failures=settings.login_max_account_failures,
                                 max_address_failures=settings.login_max_address_failures),
    )
    staff = staff_app(console)
    staff.add_middleware(
        SessionMiddleware, secret_key=secret, session_cookie="claim_intake_console",
        max_age=int(settings.console_session_hours * 3600), path="/console", same_site="lax",
        https_only=settings.secure_cookies,
    )
    claimant = claimant_app(console)
    # The claimant's own cookie, only for the CSRF token of the upload form.
    claimant.add_middleware(
        SessionMiddleware, secret_key=secret, session_cookie="claim_intake_follow_up",
        max_age=int(settings.follow_up_link_days * 24 * 3600), path="/f", same_site="lax",
        https_only=settings.secure_cookies,
    )
    # The static files first: "/console" would take their paths otherwise.
    app.mount("/console/static", StaticFiles(directory=_HERE / "static"), name="console-static")
    app.mount("/console", staff, name="console")
    app.mount("/f", claimant, name="follow-up")
