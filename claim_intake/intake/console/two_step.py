"""Optional two-step login for staff: a time-based code (TOTP, RFC 6238, ``pyotp``) from an
authenticator app, asked at login together with the password once a member of staff turns it on.

The secret is shown once, as a QR code and as text, when it is made; it is kept sealed with the
storage keys (``db.SealedText``) and becomes active only when a code from it has been typed back.
A code is accepted one step (30 s) early or late, and never twice: the step of the last code used
is kept, so a code seen over a shoulder cannot be replayed. Wrong codes count as failed logins
(throttling and lockout, ``login_guard``). An administrator turns it off for someone who lost
their phone (console or ``claim-intake staff reset-two-step``); they may then turn it on again.
"""

from __future__ import annotations

import hmac
import time

import pyotp
import segno

from claim_intake.intake.store.db import StaffMember

ISSUER = "claim-intake"


def _step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step (of -1, 0, +1 around now) whose code ``code`` is, if any."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // totp.interval)
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def enabled(staff: StaffMember) -> bool:
    return staff.totp_secret is not None


def check_code(staff: StaffMember, code: str, now: float | None = None) -> bool:
    """Whether ``code`` is a current code of the staff member's secret not used before; a good
    code is used up."""
    if staff.totp_secret is None:
        return False
    step = _step(staff.totp_secret, code, now)
    if step is None or (staff.totp_last_step is not None and step <= staff.totp_last_step):
        return False
    staff.totp_last_step = step
    return True


def start_enrolment(staff: StaffMember) -> tuple[str, str]:
    """A new secret, pending until confirmed: (the secret as text, its QR code as inline SVG)."""
    secret = pyotp.random_base32()
    staff.totp_pending = secret
    uri = pyotp.TOTP(secret).provisioning_uri(name=staff.email, issuer_name=ISSUER)
    return secret, segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff")


def confirm_enrolment(staff: StaffMember, code: str, now: float | None = None) -> bool:
    """Turns two-step login on when ``code`` comes from the pending secret."""
    if staff.totp_pending is None:
        return False
    step = _step(staff.totp_pending, code, now)
    if step is None:
        return False
    staff.totp_secret, staff.totp_pending, staff.totp_last_step = staff.totp_pending, None, step
    return True


def reset(staff: StaffMember) -> None:
    staff.totp_secret = staff.totp_pending = None
    staff.totp_last_step = None
