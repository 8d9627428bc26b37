"""From a complete claim to a paid one in chromium: an approver finds the claim, approves it, puts
it in a payout batch and downloads the bank file; a second approver marks the batch paid; the
dashboard shows the time to payment."""

from __future__ import annotations

import io

import openpyxl
import pytest

from claim_intake.intake.auth import create_key
from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.roles import Role
from claim_intake.intake.store.db import ClaimRow

from .conftest import ROOT, Screenshots, Server, submit

COMPLETE = ROOT / "samples" / "bundles" / "inpatient_complete"
ORG = "柳州市总工会"
APPROVER, ADMIN, PASSWORD = "zhou.min@example.org", "chen.jie@example.org", "correct horse battery staple"
ACCOUNT = "6222021234567890123"
pytestmark = pytest.mark.browser


def _log_in(browser, server: Server, email: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server.url}/console/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/queue")
    return context, page


def test_an_approver_pays_a_claim_and_a_colleague_marks_it_paid(server: Server, browser, screenshots: Screenshots) -> None:
    with server.service.sessions.begin() as session:
        key = create_key(session, ORG)
        create_staff(session, ORG, APPROVER, PASSWORD, Role.approver)
        create_staff(session, ORG, ADMIN, PASSWORD, Role.admin)
    claim_id = submit(server, key, sorted(COMPLETE.iterdir()), "蒙强")

    desk, page = _log_in(browser, server, APPROVER)
    # Found in the claims list by the claimant's name.
    page.click("nav >> text=申报列表")
    page.wait_for_url("**/console/claims")
    page.fill("#claim-search input[name=q]", "蒙强")
    page.click("#claim-search button[type=submit]")
    page.wait_for_url("**/console/claims?q=*")
    page.locator(f'tr[data-claim="{claim_id}"] a').click()
    page.wait_for_url(f"**/console/claims/{claim_id}")
    # The recorded OCR misreads the payer's name (see conftest): staff correct it from the photo.
    if page.locator('.finding.open[data-code="name_mismatch"]').count():
        with server.service.sessions() as session:
            invoice = session.get(ClaimRow, claim_id).documents[0].id
        row = page.locator(f'#{invoice} tr[data-field="payer_name"]')
        row.locator("summary").click()
        row.locator("input[name=value]").fill("蒙强")
        row.locator("button[type=submit]").click()
        page.wait_for_load_state()
    page.wait_for_function("document.querySelector('#claim-status').dataset.status !== 'processing'", timeout=30_000)
    assert page.locator("#claim-status").get_attribute("data-status") == "complete"

    approve = page.locator("#approve-form")
    approve.locator("input[name=amount]").fill("3,000.00")
    approve.locator("input[name=reason]").fill("按互助方案核定：住院自付部分的 50%")
    approve.locator("input[name=payout_account]").fill(ACCOUNT)
    approve.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#claim-status").get_attribute("data-status") == "approved"
    assert "¥3,000.00" in page.locator("#approved-amount").inner_text()
    assert "6222***********0123" in page.locator("#decision").inner_text() and ACCOUNT not in page.content()
    assert "审批通过，核定 ¥3000.00" in page.locator("#history").inner_text()
    screenshots.take(page, "07-claim-approved")

    page.click("text=发放")
    page.wait_for_url("**/console/payouts")
    page.locator("#batch-by-hand button[type=submit]").click()
    page.wait_for_url("**/console/payouts/pay_*")
    batch_url = page.url
    assert "1 人次, ¥3,000.00" in page.locator("#batch-total").inner_text()
    with page.expect_download() as download:
        page.click("#export-xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert list(sheet.values)[1:] == [(1, "蒙强", ACCOUNT, 3000, claim_id)]
    screenshots.take(page, "08-payout-batch")

    # The approver of its claim may not say the bank paid it: the colleague does.
    page.locator("#mark-paid button").click()
    page.wait_for_load_state()
    assert "another approver marks it paid" in page.locator("[role=alert]").inner_text()
    colleague, other = _log_in(browser, server, ADMIN)
    other.goto(batch_url)
    other.locator("#mark-paid button").click()
    other.wait_for_load_state()
    assert other.locator("#batch-state").get_attribute("class") == "status status-paid"
    other.goto(f"{server.url}/console/claims/{claim_id}")
    assert other.locator("#claim-status").get_attribute("data-status") == "paid"
    assert ADMIN in other.locator("#history").inner_text()

    other.click("text=概况")
    paid = other.locator('#times tr[data-stage="paid"]')
    assert paid.count() == 1 and paid.locator("td").last.inner_text() == "1"
    assert "1 人次, ¥3,000.00" in other.locator("#per-month .payouts").first.inner_text()
    assert other.locator("#per-month svg.chart").count() == 1
    screenshots.take(other, "09-dashboard")
    colleague.close()
    desk.close()
