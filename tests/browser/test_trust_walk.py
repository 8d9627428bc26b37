"""Trust in chromium, as an administrator works it: turns on two-step login from the account page
(scanning is the test reading the key shown once) and logs in again with a code; shows a claim's
full ID and bank numbers for one view; erases the claim after typing its id."""

from __future__ import annotations

import secrets
import time

import pyotp
import pytest
from materials import APPLICANT_ACCOUNT, APPLICANT_ID_NUMBER, application_form_pdf

from claim_intake.intake.auth import create_key
from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.roles import Role

from .conftest import Screenshots, Server, submit

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.browser


def _log_in(page, server: Server, email: str, code: str = "") -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/console/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=code]", code)
    page.click("button[type=submit]")


def test_two_step_login_a_reveal_and_an_erasure(server: Server, browser, screenshots: Screenshots) -> None:  # type: ignore[no-untyped-def]
    org, admin = f"工会-{secrets.token_hex(3)}", f"admin-{secrets.token_hex(3)}@example.org"
    with server.service.sessions.begin() as session:
        create_staff(session, org, admin, PASSWORD, Role.admin)
        key = create_key(session, org)
    claim_id = submit(server, key, [("application.pdf", application_form_pdf())], "李四")
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _log_in(page, server, admin)
    page.wait_for_url("**/console/queue")

    page.goto(f"{server.url}/console/account")
    page.click("#two-step-start button")
    assert page.locator("#two-step-qr svg").count() == 1
    secret = page.inner_text("#two-step-secret")
    screenshots.take(page, "trust-two-step")
    page.fill("#two-step-confirm input[name=code]", pyotp.TOTP(secret).now())
    page.click("#two-step-confirm button")
    page.wait_for_selector('#two-step-state[data-on="1"]')
    assert secret not in page.content()

    page.click("nav button[type=submit]")  # log out
    _log_in(page, server, admin)  # the password alone is refused
    page.wait_for_selector("p.error")
    assert "/console/login" in page.url
    _log_in(page, server, admin, pyotp.TOTP(secret).at(time.time() + 30))  # the next code: the last was used
    page.wait_for_url("**/console/queue")

    page.goto(f"{server.url}/console/claims/{claim_id}")
    assert "450***********1234" in page.content() and APPLICANT_ID_NUMBER not in page.content()
    page.click("#reveal-button")
    page.wait_for_selector("#revealed")
    assert APPLICANT_ID_NUMBER in page.content() and APPLICANT_ACCOUNT in page.content()
    page.reload()
    assert APPLICANT_ID_NUMBER not in page.content()

    page.fill("#erase-confirm", claim_id)
    page.click("#erase-button")
    page.wait_for_url("**/console/claims")
    assert claim_id in page.inner_text("#flash-notice")
    screenshots.take(page, "trust-erased")
    assert page.goto(f"{server.url}/console/claims/{claim_id}").status == 404
    context.close()
