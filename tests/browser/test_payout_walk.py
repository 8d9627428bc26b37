"""The whole loop in chromium, as staff work it: an admin imports the member roster on its page; a
claim comes in through the API and is assessed against the roster, its estimate's steps linked to
the boxes on the page; an approver corrects a misread name, approves the estimate (pre-filled),
gathers it into a payout batch and downloads the bank file (the roster's name and account, the
amount); the admin marks the batch paid; the dashboard shows the times and the payout."""

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
ROSTER = ROOT / "samples" / "roster" / "demo_roster.csv"
ORG = "柳州市总工会"
APPROVER, ADMIN, PASSWORD = "zhou.min@example.org", "chen.jie@example.org", "correct horse battery staple"
ROSTER_ACCOUNT = "6217000012345678901"
"""蒙强's account in the demo roster: the bank file takes it from there, nobody types it."""
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


def test_from_the_roster_to_a_paid_claim(server: Server, browser, screenshots: Screenshots) -> None:
    with server.service.sessions.begin() as session:
        key = create_key(session, ORG)
        create_staff(session, ORG, APPROVER, PASSWORD, Role.approver)
        create_staff(session, ORG, ADMIN, PASSWORD, Role.admin)

    # The admin imports the roster on the console's roster page.
    office, admin = _log_in(browser, server, ADMIN)
    admin.click("nav >> text=参保名单")
    admin.wait_for_url("**/console/members")
    admin.set_input_files("input[name=file]", str(ROSTER))
    admin.click("form[enctype] button[type=submit]")
    admin.wait_for_url("**/console/members")
    assert "新增成员 9" in admin.locator("#import-report").inner_text()
    assert "名单中共有 9 名成员" in admin.locator("#member-count").inner_text()
    screenshots.take(admin, "10-roster")

    # A claim through the API; 蒙强 is matched by the masked ID number the invoice prints
    # (436***********3990) and the name.
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

    # The estimate, each value read in a document linked to its box on the page.
    benefit = page.locator("#benefit")
    assert page.locator("#benefit-amount").inner_text() == "¥647.80"
    assert "蒙强（436***********3990），城建集团工会" in benefit.inner_text()
    assert benefit.locator("tr").count() >= 4  # the steps, from 个人自付 to the amount
    link = benefit.locator('a.field-link[title="settlement.self_pay"]')
    assert link.inner_text() == "医保结算单·个人自付"
    anchor = link.get_attribute("href")
    assert anchor and anchor.startswith("#")
    link.click()
    page.wait_for_function(f"location.hash === {anchor!r}")
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == anchor[1:]
    box = page.locator(anchor)
    assert "field-box" in (box.get_attribute("class") or "") and box.is_visible()  # on the settlement's photo
    screenshots.take(page, "11-benefit", full_page=False)

    # Approved for the estimate as pre-filled, paid into the roster's account: nothing retyped.
    approve = page.locator("#approve-form")
    assert approve.locator("input[name=amount]").input_value() == "647.80"
    assert approve.locator("input[name=payout_account]").input_value() == ROSTER_ACCOUNT
    approve.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#claim-status").get_attribute("data-status") == "approved"
    assert "¥647.80" in page.locator("#approved-amount").inner_text()
    assert "6217***********8901" in page.locator("#decision").inner_text() and ROSTER_ACCOUNT not in page.content()
    assert "审批通过，核定 ¥647.80" in page.locator("#history").inner_text()
    # Decided: no more corrections or waivers, only the reversal.
    assert page.locator("#locked").is_visible()
    assert page.locator("details.correct, details.waive, #link").count() == 0
    assert page.locator("#reverse-form").is_visible()
    screenshots.take(page, "07-claim-approved")

    page.click("text=发放")
    page.wait_for_url("**/console/payouts")
    page.locator("#batch-by-hand button[type=submit]").click()
    page.wait_for_url("**/console/payouts/pay_*")
    batch_url = page.url
    assert "1 人次, ¥647.80" in page.locator("#batch-total").inner_text()
    with page.expect_download() as download:
        page.click("#export-xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = list(sheet.values)
    assert rows[1:] == [(1, "蒙强", ROSTER_ACCOUNT, 647.8, claim_id)], rows
    screenshots.take(page, "08-payout-batch")

    # The approver of its claim may not say the bank paid it: the admin does.
    page.locator("#mark-paid button").click()
    page.wait_for_load_state()
    assert "another approver marks it paid" in page.locator("[role=alert]").inner_text()
    admin.goto(batch_url)
    admin.locator("#mark-paid button").click()
    admin.wait_for_load_state()
    assert admin.locator("#batch-state").get_attribute("class") == "status status-paid"
    admin.goto(f"{server.url}/console/claims/{claim_id}")
    assert admin.locator("#claim-status").get_attribute("data-status") == "paid"
    assert ADMIN in admin.locator("#history").inner_text()
    assert admin.locator("#reverse-form").count() == 0  # the money has gone

    admin.click("text=概况")
    admin.wait_for_url("**/console/dashboard")  # else the rows may be looked for before the page has them
    for stage in ("complete", "approved", "paid"):
        row = admin.locator(f'#times tr[data-stage="{stage}"]')
        assert row.count() == 1 and row.locator("td").last.inner_text() == "1", stage
    assert "1 人次, ¥647.80" in admin.locator("#per-month .payouts").first.inner_text()
    assert admin.locator("#per-month svg.chart").count() == 1
    screenshots.take(admin, "09-dashboard")
    office.close()
    desk.close()
