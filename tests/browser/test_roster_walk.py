"""The roster and the estimate in chromium: staff import the roster on its page, and a claim's
calculation links each value read in a document to its box on the page."""

from __future__ import annotations

import pytest

from claim_intake.intake.auth import create_key
from claim_intake.intake.console.accounts import create_staff

from .conftest import ROOT, Screenshots, Server, submit

COMPLETE = ROOT / "samples" / "bundles" / "inpatient_complete"
ROSTER = ROOT / "samples" / "roster" / "demo_roster.csv"
EMAIL, PASSWORD = "wang.fang@example.org", "correct horse battery staple"
pytestmark = pytest.mark.browser


def test_roster_import_and_the_estimate_linked_to_the_page(server: Server, browser, screenshots: Screenshots) -> None:
    with server.service.sessions.begin() as session:
        key = create_key(session, "福州市总工会")
        create_staff(session, "福州市总工会", EMAIL, PASSWORD)
    page = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{server.url}/console/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/queue")

    page.click("nav >> text=参保名单")
    page.wait_for_url("**/console/members")
    page.set_input_files("input[name=file]", str(ROSTER))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_url("**/console/members")
    assert "新增成员 9" in page.locator("#import-report").inner_text()
    assert "名单中共有 9 名成员" in page.locator("#member-count").inner_text()
    screenshots.take(page, "10-roster")

    # 蒙强 is matched by the masked ID number the invoice prints (436***********3990) and the name.
    claim_id = submit(server, key, sorted(COMPLETE.iterdir()), "蒙强")
    page.goto(f"{server.url}/console/claims/{claim_id}")
    benefit = page.locator("#benefit")
    assert page.locator("#benefit-amount").inner_text() == "¥647.80"
    assert "蒙强（436***********3990），城建集团工会" in benefit.inner_text()
    link = benefit.locator('a.field-link[title="settlement.self_pay"]')
    assert link.inner_text() == "医保结算单·个人自付"
    anchor = link.get_attribute("href")
    assert anchor and anchor.startswith("#")
    link.click()
    page.wait_for_function(f"location.hash === {anchor!r}")
    box = page.locator(anchor)
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == anchor[1:]
    assert "field-box" in (box.get_attribute("class") or "")  # the box drawn on the settlement's photo
    assert box.is_visible()
    screenshots.take(page, "11-benefit", full_page=False)
