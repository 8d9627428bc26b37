"""Sessions and CSRF. The session is Starlette's signed cookie (itsdangerous); it holds the staff
member's id and a per-session CSRF token that every state-changing form sends back."""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy.orm import Session
from starlette.requests import Request

from claim_intake.errors import CsrfError, LoginRequiredError
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


def log_in(request: Request, staff: StaffMember) -> None:
    # A new session on login: nothing from before it (a planted token) carries over.
    request.session.clear()
    request.session[_STAFF_KEY] = staff.id
    csrf_token(request)


def log_out(request: Request) -> None:
    request.session.clear()


def current_staff(request: Request, session: Session) -> StaffMember:
    staff_id = request.session.get(_STAFF_KEY)
    staff = session.get(StaffMember, staff_id) if staff_id else None
    if staff is None:
        raise LoginRequiredError("a staff login is required")
    return staff
