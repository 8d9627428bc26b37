"""What staff do on a claim, and what the claimant's upload does: each reaches the assessment."""

from __future__ import annotations

import re
import time

from materials import discharge_summary_pdf, expense_list_pdf, invoice_pdf, settlement_pdf

from .conftest import Console, chosen, csrf_of, missing_discharge_summary


def _codes(claim: dict) -> list[str]:
    return [f["code"] for f in claim["findings"]]


def test_a_correction_is_assessed_at_once_and_kept(console: Console) -> None:
    org = console.new_org()
    # The invoice's payer read as 张王: the claimant is 张三.
    claim_id = console.submit(org, [("invoice.pdf", invoice_pdf(payer="张王")), ("discharge.pdf", discharge_summary_pdf()),
                                    ("expense_list.pdf", expense_list_pdf()), ("settlement.pdf", settlement_pdf())])
    claim = console.claim(org, claim_id)
    assert (claim["status"], _codes(claim)) == ("needs_follow_up", ["name_mismatch"])
    invoice = claim["documents"][0]["id"]

    staff = console.login(org.email)
    page = staff.get(f"/console/claims/{claim_id}").text
    assert 'class="box evidence"' in page  # the finding's box drawn on the invoice's page
    response = staff.post(f"/console/claims/{claim_id}/corrections", data={
        "csrf_token": csrf_of(page), "document_id": invoice, "part": "0", "name": "payer_name", "value": "张 三"})
    assert response.status_code == 303

    claim = console.wait_assessed(org, claim_id)
    assert (claim["status"], _codes(claim)) == ("complete", [])
    payer = claim["documents"][0]["fields"]["payer_name"]
    assert (payer["value"], payer["confidence"]) == ("张三", 1.0)
    assert payer["box"] is not None  # still where it was read

    page = staff.get(f"/console/claims/{claim_id}").text
    assert "更正字段 交款人：张三" in page and org.email in page


def test_a_correction_that_is_not_a_value_of_the_field_is_refused(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    invoice = console.claim(org, claim_id)["documents"][0]["id"]
    staff = console.login(org.email)
    page = staff.get(f"/console/claims/{claim_id}").text
    response = staff.post(f"/console/claims/{claim_id}/corrections", data={
        "csrf_token": csrf_of(page), "document_id": invoice, "part": "0", "name": "issue_date", "value": "昨天"})
    assert response.status_code == 303
    assert "无法识别该值" in staff.get(f"/console/claims/{claim_id}").text
    assert console.claim(org, claim_id)["documents"][0]["fields"]["issue_date"]["value"] == "2026-11-01"


def test_a_waiver_closes_the_finding_for_status_and_stays_through_later_assessments(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    staff = console.login(org.email)
    assert claim_id in staff.get("/console/queue").text
    page = staff.get(f"/console/claims/{claim_id}").text
    (key,) = re.findall(r'name="finding_key" value="([^"]+)"', page)
    response = staff.post(f"/console/claims/{claim_id}/waivers",
                          data={"csrf_token": csrf_of(page), "finding_key": key, "reason": "出院小结已线下提交原件"})
    assert response.status_code == 303
    claim = console.wait_assessed(org, claim_id)
    assert claim["status"] == "complete"
    assert _codes(claim) == ["missing_document"]  # still on record, no longer open
    assert claim_id not in staff.get("/console/queue").text
    assert "已豁免" in staff.get(f"/console/claims/{claim_id}").text

    # Another correction assesses again: the waiver still holds.
    page = staff.get(f"/console/claims/{claim_id}").text
    staff.post(f"/console/claims/{claim_id}/corrections", data={
        "csrf_token": csrf_of(page), "document_id": claim["documents"][0]["id"], "part": "0",
        "name": "payer_name", "value": "张三"})
    assert console.wait_assessed(org, claim_id)["status"] == "complete"


def test_the_claimants_upload_closes_the_gap(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    staff = console.login(org.email)
    page = staff.get(f"/console/claims/{claim_id}").text
    staff.post(f"/console/claims/{claim_id}/links", data={"csrf_token": csrf_of(page)})
    (url,) = re.findall(r'id="follow-up-link" href="([^"]+)"', staff.get(f"/console/claims/{claim_id}").text)

    claimant = console.client()
    form = claimant.get(url)
    empty = claimant.post(url, data={"csrf_token": csrf_of(form.text)}, files=[("files", ("", b""))])
    assert empty.status_code == 400 and "请先拍照或选择文件" in empty.text
    response = claimant.post(url, data={"csrf_token": csrf_of(form.text)},
                             files=[("files", ("出院小结.pdf", discharge_summary_pdf()))])
    assert response.status_code == 303

    deadline = time.monotonic() + 30
    while "材料已齐全" not in (shown := claimant.get(url).text):
        assert time.monotonic() < deadline, shown
        time.sleep(0.1)
    assert console.claim(org, claim_id)["status"] == "complete"
    assert claim_id not in staff.get("/console/queue").text
    history = staff.get(f"/console/claims/{claim_id}").text
    assert "申报人上传了 1 个文件" in history
    # Nothing more to upload once complete.
    assert claimant.post(url, data={"csrf_token": csrf_of(form.text)},
                         files=[("files", ("again.pdf", discharge_summary_pdf()))]).status_code == 409


def test_the_queue_filters_and_assignment(console: Console) -> None:
    org = console.new_org()
    colleague = console.add_staff(org)
    missing = console.submit(org, missing_discharge_summary())
    named = console.submit(org, [("invoice.pdf", invoice_pdf(payer="张王")), ("discharge.pdf", discharge_summary_pdf()),
                                 ("expense_list.pdf", expense_list_pdf()), ("settlement.pdf", settlement_pdf())])
    staff = console.login(org.email)
    queue = staff.get("/console/queue").text
    assert queue.index(missing) < queue.index(named)  # oldest first
    assert "缺少材料" in queue and "姓名不一致" in queue

    only_names = staff.get("/console/queue", params={"code": "name_mismatch"}).text
    assert named in only_names and missing not in only_names
    # The form shows the filter chosen, and "all" where none is.
    codes, selected = chosen(only_names, "code")
    assert codes[0] == "" and "missing_document" in codes and selected == ["name_mismatch"]
    assert chosen(only_names, "claim_type") == (["", "inpatient", "outpatient_special", "accident"], [])

    page = staff.get(f"/console/claims/{named}").text
    (colleague_id,) = re.findall(rf'<option value="(stf_\w+)" >{re.escape(colleague)}</option>', page)
    staff.post(f"/console/claims/{named}/assignment", data={"csrf_token": csrf_of(page), "staff_id": colleague_id})
    theirs = staff.get("/console/queue", params={"assignee": colleague_id}).text
    assert named in theirs and missing not in theirs
    assignees, selected = chosen(theirs, "assignee")
    assert assignees[:3] == ["", "me", "none"] and colleague_id in assignees and selected == [colleague_id]
    unassigned = staff.get("/console/queue", params={"assignee": "none"}).text
    assert missing in unassigned and named not in unassigned
    assert f"分配给 {colleague}" in staff.get(f"/console/claims/{named}").text


def test_a_contact_is_logged_in_the_history(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    staff = console.login(org.email)
    page = staff.get(f"/console/claims/{claim_id}").text
    response = staff.post(f"/console/claims/{claim_id}/contacts", data={
        "csrf_token": csrf_of(page), "channel": "wechat", "outcome": "reached", "next_step": "周五前补拍出院小结"})
    assert response.status_code == 303
    assert "联系（微信，已联系上）：周五前补拍出院小结" in staff.get(f"/console/claims/{claim_id}").text
    bad = staff.post(f"/console/claims/{claim_id}/contacts", data={
        "csrf_token": csrf_of(page), "channel": "fax", "outcome": "reached"})
    assert bad.status_code == 422


def test_pages_are_served_as_images_with_their_ocr_boxes(console: Console) -> None:
    org = console.new_org()
    claim_id = console.submit(org, missing_discharge_summary())
    invoice = console.claim(org, claim_id)["documents"][0]["id"]
    staff = console.login(org.email)
    image = staff.get(f"/console/claims/{claim_id}/documents/{invoice}/pages/1")
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"
    assert staff.get(f"/console/claims/{claim_id}/documents/{invoice}/pages/2").status_code == 404
    page = staff.get(f"/console/claims/{claim_id}").text
    assert page.count('class="box ocr-line"') >= 6  # the invoice's text lines, and the others'
    assert "交款人：张三" in page


def test_the_dashboard_and_english_labels(console: Console) -> None:
    org = console.new_org()
    staff = console.login(org.email)
    assert "暂无" in staff.get("/console/dashboard").text  # no claim complete yet: no median
    console.submit(org, missing_discharge_summary())
    console.submit(org, [("invoice.pdf", invoice_pdf(number="0087654321")), ("discharge.pdf", discharge_summary_pdf()),
                         ("expense_list.pdf", expense_list_pdf()), ("settlement.pdf", settlement_pdf())])
    board = staff.get("/console/dashboard").text
    assert "各状态申报数" in board and "暂无" not in board
    assert re.search(r"<dt>1天以内</dt><dd><span[^>]*></span>1</dd>", board)
    english = staff.get("/console/dashboard", params={"lang": "en"})
    assert "Claims by status" in english.text and "under 1 day" in english.text
    assert "Follow-up queue" in staff.get("/console/queue").text  # remembered in a cookie
