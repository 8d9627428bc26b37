"""The console end to end in chromium: a member of staff follows a claim up, and the claimant
closes the gap from a phone."""

from __future__ import annotations

import httpx
import pytest

from claim_intake.intake.auth import create_key
from claim_intake.intake.console.accounts import create_staff

from .conftest import ROOT, Screenshots, Server, submit

BUNDLES = ROOT / "samples" / "bundles"
COMPLETE = BUNDLES / "inpatient_complete"
EMAIL, PASSWORD = "li.hua@example.org", "correct horse battery staple"
pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}


def test_staff_follow_up_and_the_claimants_upload(server: Server, browser, screenshots: Screenshots) -> None:
    with server.service.sessions.begin() as session:
        key = create_key(session, "南宁市总工会")
        create_staff(session, "南宁市总工会", EMAIL, PASSWORD)
    # 蒙强's claim without its discharge summary (the complete bundle less that page), and another
    # claim in the queue before it.
    submit(server, key, sorted((BUNDLES / "inpatient_missing_discharge_summary").iterdir()), "王立新")
    claim_id = submit(server, key, [COMPLETE / "01_invoice.jpg", COMPLETE / "03_expense_list.pdf",
                                    COMPLETE / "04_settlement.jpg"], "蒙强")

    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = desk.new_page()
    page.goto(f"{server.url}/console/")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/queue")
    entry = page.locator(".queue-item", has_text="蒙强")
    assert "姓名不一致" in entry.inner_text() and "缺少材料" in entry.inner_text()
    screenshots.take(page, "01-queue", for_readme=True)

    entry.locator("a.claim-link").click()
    page.wait_for_url(f"**/console/claims/{claim_id}")
    name_finding = page.locator('.finding[data-code="name_mismatch"]')
    assert "家强" in name_finding.inner_text()
    name_finding.locator(".show-evidence").click()
    evidence = page.locator(".evidence.active")
    evidence.first.wait_for(state="visible")
    assert evidence.count() == 1
    page.check("#toggle-lines")
    assert page.locator(".ocr-line").first.is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    screenshots.take(page, "02-claim", for_readme=True, full_page=False)

    # The payer's name as printed on the photo.
    row = page.locator('#' + _invoice_id(server, claim_id) + ' tr[data-field="payer_name"]')
    row.locator("summary").click()
    row.locator("input[name=value]").fill("蒙强")
    row.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator('.finding.open[data-code="name_mismatch"]').count() == 0
    assert page.locator('.finding.open[data-code="missing_document"]').count() == 1
    assert "更正字段 交款人：蒙强" in page.locator("#history").inner_text()

    contact = page.locator("#contact")
    contact.locator("select[name=channel]").select_option("wechat")
    contact.locator("select[name=outcome]").select_option("reached")
    contact.locator("input[name=next_step]").fill("发补件链接，请其拍出院小结")
    contact.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "联系（微信，已联系上）" in page.locator("#history").inner_text()

    page.locator("#create-link").click()
    page.wait_for_load_state()
    link = page.locator("#follow-up-link").get_attribute("href")
    assert link and f"/f/{claim_id}/" in link
    screenshots.take(page, "03-claim-after-review")

    phone = browser.new_context(**PHONE, locale="zh-CN")
    mobile = phone.new_page()
    mobile.goto(link)
    assert "请补充上传出院小结（出院记录）的照片" in mobile.locator(".missing").inner_text()
    file_input = mobile.locator("input[type=file]")
    assert file_input.get_attribute("capture") == "environment"
    screenshots.take(mobile, "04-follow-up-phone")
    file_input.set_input_files(str(COMPLETE / "02_discharge_summary.png"))
    mobile.locator("button[type=submit]").click()
    mobile.locator(".done").wait_for(timeout=60_000)  # the page polls until the upload is read
    assert "材料已齐全" in mobile.locator(".done").inner_text()
    screenshots.take(mobile, "05-follow-up-complete")

    page.goto(f"{server.url}/console/queue")
    assert page.locator(".queue-item", has_text="蒙强").count() == 0
    assert page.locator(".queue-item", has_text="王立新").count() == 1
    page.goto(f"{server.url}/console/claims/{claim_id}")
    assert page.locator("#claim-status").get_attribute("data-status") == "complete"
    assert "申报人上传了 1 个文件" in page.locator("#history").inner_text()
    screenshots.take(page, "06-claim-complete")

    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {key}"}) as api:
        assert api.get(f"/v1/claims/{claim_id}").json()["status"] == "complete"
    phone.close()
    desk.close()


def _invoice_id(server: Server, claim_id: str) -> str:
    from claim_intake.intake.store.db import ClaimRow

    with server.service.sessions() as session:
        return session.get(ClaimRow, claim_id).documents[0].id
