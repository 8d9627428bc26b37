"""Optional two-step login (TOTP): a member of staff turns it on from their account page (the
secret shown once, active once a code from it is typed back), logging in then needs a fresh code
(none twice; wrong codes count towards the lockout), and an administrator turns it off for a lost
phone, as the CLI does."""

from __future__ import annotations

import re
import secrets
import time

import pyotp
from sqlalchemy import select
from typer.testing import CliRunner

from claim_intake.intake.cli.app import app as cli
from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.roles import Role
from claim_intake.intake.store.db import AuditEntry, StaffMember

from .conftest import PASSWORD, Console, csrf_of


def _login(console: Console, email: str, code: str = "") -> int:
    client = console.client()
    token = csrf_of(client.get("/console/login").text)
    return client.post("/console/login", data={"email": email, "password": PASSWORD, "code": code,
                                               "csrf_token": token}).status_code


def _turn_on(console: Console, email: str) -> tuple[str, str]:
    """Turns two-step login on; (the secret, the code that confirmed it)."""
    client = console.login(email)
    token = csrf_of(client.get("/console/account").text)
    page = client.post("/console/account/two-step", data={"csrf_token": token}).text
    assert "<svg" in page
    secret = re.search(r'id="two-step-secret">([A-Z2-7]+)<', page).group(1)
    code = pyotp.TOTP(secret).now()
    client.post("/console/account/two-step/confirm", data={"csrf_token": token, "code": code})
    account = client.get("/console/account").text
    assert 'data-on="1"' in account and secret not in account  # shown once
    return secret, code


def test_staff_turn_two_step_login_on_and_log_in_with_a_fresh_code(console: Console) -> None:
    org = console.new_org()
    client = console.login(org.email)
    token = csrf_of(client.get("/console/account").text)
    page = client.post("/console/account/two-step", data={"csrf_token": token}).text
    secret = re.search(r'id="two-step-secret">([A-Z2-7]+)<', page).group(1)
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 10**6:06d}"
    client.post("/console/account/two-step/confirm", data={"csrf_token": token, "code": wrong})
    account = client.get("/console/account").text
    assert 'id="flash-error"' in account and 'data-on="0"' in account
    assert _login(console, org.email) == 303  # still off

    secret, confirming_code = _turn_on(console, org.email)
    with console.service.sessions() as session:
        member = session.scalar(select(StaffMember).where(StaffMember.email == org.email))
        assert "staff.two_step.on" in session.scalars(select(AuditEntry.action).where(
            AuditEntry.api_key_id == member.id)).all()
    assert _login(console, org.email) == 401  # the password alone
    assert _login(console, org.email, confirming_code) == 401  # used already
    # The next step's code (one step early is accepted); the same code again is refused, even
    # when the 30-second step has turned meanwhile.
    code = pyotp.TOTP(secret).at(time.time() + 30)
    assert _login(console, org.email, code) == 303
    assert _login(console, org.email, code) == 401


def test_wrong_codes_lock_the_account_like_wrong_passwords(console: Console) -> None:
    org = console.new_org()
    secret, _ = _turn_on(console, org.email)
    for _ in range(5):
        assert _login(console, org.email, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111") == 401
    assert _login(console, org.email, pyotp.TOTP(secret).at(time.time() + 30)) == 429


def test_an_admin_turns_it_off_for_a_lost_phone_and_a_reviewer_cannot(console: Console) -> None:
    org = console.new_org()
    admin_email = f"admin-{secrets.token_hex(4)}@example.org"
    lost = f"lost-{secrets.token_hex(4)}@example.org"
    reviewer = f"reviewer-{secrets.token_hex(4)}@example.org"
    with console.service.sessions.begin() as session:
        create_staff(session, org.name, lost, PASSWORD, Role.reviewer)
        create_staff(session, org.name, reviewer, PASSWORD, Role.reviewer)
        create_staff(session, org.name, admin_email, PASSWORD, Role.admin)
        lost_id = session.scalar(select(StaffMember.id).where(StaffMember.email == lost))
    _turn_on(console, lost)
    assert _login(console, lost) == 401

    as_reviewer = console.login(reviewer)
    page = as_reviewer.get("/console/account").text
    assert 'id="staff"' not in page
    as_reviewer.post(f"/console/staff/{lost_id}/two-step/reset", data={"csrf_token": csrf_of(page)})
    assert _login(console, lost) == 401

    admin = console.login(admin_email)
    page = admin.get("/console/account").text
    assert f'data-staff="{lost}"' in page
    admin.post(f"/console/staff/{lost_id}/two-step/reset", data={"csrf_token": csrf_of(page)})
    assert lost in admin.get("/console/account").text
    assert _login(console, lost) == 303

    _turn_on(console, lost)
    result = CliRunner().invoke(cli, ["staff", "reset-two-step", "--email", lost],
                                env={"CLAIM_INTAKE_DATA_DIR": str(console.settings.data_dir)})
    assert result.exit_code == 0, result.output
    assert _login(console, lost) == 303
