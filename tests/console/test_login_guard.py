"""Console logins: throttled per address and per account before Argon2 runs, locked with a
clear message, audited, and sessions that logout and an administrator's revocation end."""

from __future__ import annotations

import secrets

import psutil
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from claim_intake.intake.cli.app import app as cli
from claim_intake.intake.console import accounts
from claim_intake.intake.store.db import LoginAttempt

from .conftest import PASSWORD, Console, csrf_of


def _browser(console: Console, address: str) -> TestClient:
    return TestClient(console.app, follow_redirects=False, client=(address, 50000))


def _try(client: TestClient, email: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/console/login").text)
    return client.post("/console/login", data={"email": email, "password": password, "csrf_token": token})


def test_a_hundred_bad_logins_are_throttled_without_argon2_or_memory_growth(console: Console, monkeypatch) -> None:
    checked = []

    class Counting:
        """The real hasher, counting its password checks."""

        def __init__(self, hasher) -> None:  # type: ignore[no-untyped-def]
            self.hasher = hasher

        def verify(self, *args):  # type: ignore[no-untyped-def]
            checked.append(1)
            return self.hasher.verify(*args)

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(self.hasher, name)

    monkeypatch.setattr(accounts, "_hasher", Counting(accounts._hasher))
    address = f"198.51.100.{secrets.randbelow(200) + 1}"
    browser = _browser(console, address)
    _try(browser, "warm-up@example.org", "x")  # imports, templates, first Argon2 run
    process = psutil.Process()
    rss_before = process.memory_info().rss
    statuses = [_try(browser, f"guess-{i}@example.org", "wrong password").status_code for i in range(100)]
    growth = process.memory_info().rss - rss_before

    limit = console.settings.login_max_address_failures
    assert statuses[: limit - 1] == [401] * (limit - 1)
    assert set(statuses[limit - 1:]) == {429}
    assert len(checked) == limit  # the warm-up and the failures counted; none of the throttled
    assert growth < 30e6, f"RSS grew {growth / 1e6:.0f} MB"
    refused = _try(browser, "guess-0@example.org", "wrong password")
    assert "Too many failed logins from this address" in refused.text or "此网络地址登录失败次数过多" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    with console.service.sessions() as session:
        outcomes = session.scalars(select(LoginAttempt.outcome).where(LoginAttempt.address == address)).all()
    assert outcomes.count("failed") == limit and outcomes.count("throttled") == 102 - limit


def test_an_account_is_locked_after_its_failures_even_for_the_right_password(console: Console) -> None:
    org = console.new_org()
    for i in range(console.settings.login_max_account_failures):
        assert _try(_browser(console, f"192.0.2.{i + 1}"), org.email, "wrong password").status_code == 401
    locked = _try(_browser(console, "192.0.2.99"), org.email, PASSWORD)
    assert locked.status_code == 429
    assert "此账号登录失败次数过多" in locked.text or "locked" in locked.text
    assert "/console/queue" not in locked.headers.get("location", "")


def test_logout_ends_the_session_on_the_server(console: Console) -> None:
    org = console.new_org()
    staff = console.login(org.email)
    stolen = dict(staff.cookies)
    page = staff.get("/console/queue")
    assert page.status_code == 200
    assert staff.post("/console/logout", data={"csrf_token": csrf_of(page.text)}).status_code == 303
    replay = console.client()
    replay.cookies.update(stolen)
    assert replay.get("/console/queue").status_code == 303  # back to the login page


def test_an_administrator_revokes_every_session_of_a_staff_member(console: Console) -> None:
    org = console.new_org()
    laptop, phone = console.login(org.email), console.login(org.email)
    result = CliRunner().invoke(cli, ["staff", "revoke-sessions", "--email", org.email],
                                env={"CLAIM_INTAKE_DATA_DIR": str(console.settings.data_dir)})
    assert result.exit_code == 0, result.output
    assert "2 session(s)" in result.output
    assert laptop.get("/console/queue").status_code == 303 and phone.get("/console/queue").status_code == 303
    with console.service.sessions() as session:
        logins = session.scalars(select(LoginAttempt).where(LoginAttempt.email == org.email)).all()
    assert [a.outcome for a in logins] == ["succeeded", "succeeded"]
