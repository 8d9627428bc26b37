"""Sessions and CSRF. The cookie is Starlette's signed session (itsdangerous); it holds the token of
a server-side staff session (``login_guard``: logout and revocation end it) and a per-session CSRF
token that every state-changing form sends back."""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy.orm import Session
from starlette.requests import Request

from claim_intake.errors import CsrfError, LoginRequiredError
from claim_intake.intake.console.login_guard import end_session, open_session, session_staff
from claim_intake.intake.store.db import StaffMember

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_CSRF_KEY = "csrf"
_STAFF_KEY = "staff"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def csrf_token(request: Request) -> str:
    token = request.session.get(_CSRF_KEY)
    if not token:
        token = request.session[_CSRF_KEY] = secrets.token_urlsafe(32)
    return token


async def require_csrf(request: Request) -> None:
    """A dependency of every route: a state-changing request must carry the session's token.
    Same-site cookies are not enough: older browsers and some in-app WebViews ignore them."""
    if request.method in _SAFE_METHODS:
        return
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        submitted = (await request.form()).get(CSRF_FIELD)
    expected = request.session.get(_CSRF_KEY)
    if not expected or not isinstance(submitted, str) or not hmac.compare_digest(expected, submitted):
        raise CsrfError("the form is missing the session's CSRF token")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def log_in(request: Request, session: Session, staff: StaffMember, hours: float) -> None:
    # A new session on login: nothing from before it (a planted token) carries over.
    request.session.clear()
    request.session[_STAFF_KEY] = open_session(session, staff, client_address(request), hours)
    csrf_token(request)


def log_out(request: Request, session: Session) -> None:
    token = request.session.get(_STAFF_KEY)
    if isinstance(token, str):
        end_session(session, token)
    request.session.clear()


def current_staff(request: Request, session: Session) -> StaffMember:
    token = request.session.get(_STAFF_KEY)
    staff = session_staff(session, token) if isinstance(token, str) else None
    if staff is None:
        raise LoginRequiredError("a staff login is required")
    return staff
