"""A member on their phone (390x844, touch; 360 px wide and at 200% zoom too): identify with a code
sent to the phone, fill in an inpatient claim, photograph the materials and be told at once what is
wrong, see 齐全, submit; and a claim sent incomplete, completed later from the status link.

The server reads with the real PP-OCR engine (the blurred photo must really be measured), so the
walk is marked ``ocr``; the uploads are synthetic renders from the samples generator and the
text-layer PDFs of tests/materials (张三's claim).
"""

from __future__ import annotations

import random
import re
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
import uvicorn
from sqlalchemy import select

from claim_intake.intake import payout
from claim_intake.intake.api.app import create_app
from claim_intake.intake.console.accounts import create_staff
from claim_intake.intake.member.tables import MemberPortal, Notification
from claim_intake.intake.roles import Role
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.db import ClaimRow, Organisation
from claim_intake.samples.capture import phone_photo
from claim_intake.samples.data import make_inpatient_case
from claim_intake.samples.defects import blurred, jpeg
from claim_intake.samples.page import rasterise
from claim_intake.samples.render import invoice_inpatient_page
from tests.browser.conftest import Screenshots, Server
from tests.conftest import pdf_bytes
from tests.materials import discharge_summary_pdf, expense_list_pdf, invoice_pdf, settlement_pdf

pytestmark = [pytest.mark.browser, pytest.mark.ocr]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2,
         "locale": "zh-CN"}
MEMBER = {"name": "张三", "id_number": "11010519491231002X", "phone": "13800138000", "unit": "南宁市某某公司工会"}
READ_TIMEOUT_MS = 180_000
"""A phone photo read by the real engine on a loaded 2-core machine."""


@pytest.fixture(scope="module")
def member_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    app = create_app(Settings(data_dir=tmp_path_factory.mktemp("member")))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    uvi = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=uvi.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uvi.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    service = app.state.service
    with service.sessions() as session:
        session.add(Organisation(id="org_member", name="南宁市某某公司工会"))
        session.flush()
        session.add(MemberPortal(slug="p-test", organisation_id="org_member", title="南宁市某某公司工会",
                                 require_code=True))
        session.commit()
    try:
        yield Server(f"http://127.0.0.1:{sock.getsockname()[1]}", service), "p-test"
    finally:
        uvi.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="module")
def uploads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("uploads")
    rng = random.Random(11)
    page, _ = invoice_inpatient_page(make_inpatient_case(rng))
    photo = np.asarray(phone_photo(rasterise(page), rng).convert("RGB"))[:, :, ::-1]
    (folder / "发票照片.jpg").write_bytes(jpeg(blurred(np.ascontiguousarray(photo))))
    (folder / "门诊发票.pdf").write_bytes(pdf_bytes([
        "广西壮族自治区医疗门诊收费票据（电子）",
        "票据代码：45060121    票据号码：0012340001",
        "交款人：张三    开票日期：2026-10-10",
        "就诊日期：2026-10-10",
        "金额合计（大写）壹佰圆整   （小写）100.00",
        "收款单位（章）：南宁市第一人民医院",
    ]))
    for name, data in (("住院发票.pdf", invoice_pdf()), ("另一张住院发票.pdf", invoice_pdf(number="0012345679")), ("出院记录.pdf", discharge_summary_pdf()),
                       ("费用清单.pdf", expense_list_pdf()), ("结算单.pdf", settlement_pdf())):
        (folder / name).write_bytes(data)
    return folder


def _last_message(server: Server, kind: str) -> str:
    with server.service.sessions() as session:
        body = session.scalar(select(Notification.body).where(Notification.phone == MEMBER["phone"],
                                                              Notification.kind == kind)
                              .order_by(Notification.created_at.desc()).limit(1))
    assert body is not None, f"no {kind} message was sent"
    return body


def _code(server: Server) -> str:
    found = re.search(r"验证码是(\d{6})", _last_message(server, "code"))
    assert found is not None
    return found.group(1)


def _identify_and_fill(page, server: Server, slug: str, shots: Screenshots) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server.url}/m/{slug}")
    page.fill("#f-name", MEMBER["name"])
    page.fill("#f-id_number", "110105194912310021")  # a wrong check digit, told as typed
    page.locator("#f-phone").focus()
    assert "校验位" in page.locator("#e-id_number").inner_text()
    page.fill("#f-id_number", MEMBER["id_number"])
    page.fill("#f-phone", MEMBER["phone"])
    page.fill("#f-unit", MEMBER["unit"])
    assert page.locator("#e-id_number").inner_text() == ""
    shots.take(page, "m1-member-identify", for_readme=True)
    page.get_by_role("button", name="获取验证码").tap()
    page.get_by_text("验证码已发送到").wait_for()
    page.fill("#f-code", _code(server))
    page.get_by_role("button", name="确定").tap()
    page.get_by_role("link", name="新的互助金申请").tap()
    page.get_by_text("住院", exact=True).tap()
    page.fill("#f-hospital", "南宁市第一人民医院")
    page.fill("#f-start_date", "2026-10-27")
    page.fill("#f-end_date", "2026-10-20")  # out of order: said at once
    assert "不能早于" in page.locator("#e-end_date").inner_text()
    page.fill("#f-start_date", "2026-10-20")
    page.fill("#f-end_date", "2026-10-27")
    page.fill("#f-description", "因肺炎住院7天")
    page.locator("input[name=consent]").check()
    shots.take(page, "m2-member-claim-form", for_readme=True)
    page.get_by_role("button", name="下一步：拍照上传材料").tap()
    page.wait_for_url(re.compile(r"/m/c/clm_"))


def _upload(page, *files: Path) -> None:  # type: ignore[no-untyped-def]
    page.set_input_files("#picker", [str(f) for f in files])


def _readable_zoomed(page) -> None:  # type: ignore[no-untyped-def]
    """The phone at 200% zoom (390 px wide: a layout of 195): nothing wider than the screen, and no
    text squeezed into a column of a character or two."""
    before = page.viewport_size
    page.set_viewport_size({"width": 195, "height": 422})
    assert page.evaluate("document.documentElement.scrollWidth") <= 195
    squeezed = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.offsetParent
        && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim().length >= 4)
        && e.getBoundingClientRect().width < 4 * parseFloat(getComputedStyle(e).fontSize))
        .map(e => e.textContent.trim().slice(0, 10))""")
    assert squeezed == [], f"text squeezed narrower than four characters at 200%: {squeezed}"
    page.set_viewport_size(before)


def test_a_member_photographs_the_materials_and_is_told_what_to_retake(
        browser, member_server: tuple[Server, str], uploads: Path, screenshots: Screenshots) -> None:  # type: ignore[no-untyped-def]
    server, slug = member_server
    context = browser.new_context(**PHONE)
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.url) else None)
    _identify_and_fill(page, server, slug, screenshots)

    # A blurred photo: told to retake it, in words.
    _upload(page, uploads / "发票照片.jpg")
    warning = page.locator(".doc.retake .warn", has_text="照片模糊")
    warning.wait_for(timeout=READ_TIMEOUT_MS)
    assert "照片模糊" in warning.inner_text() and "重新拍照" in warning.inner_text()
    page.wait_for_function("() => { const i = document.querySelector('.doc.retake img.thumb');"
                           " return i && i.complete && i.naturalWidth > 0; }")  # the photo, beside what it says
    screenshots.take(page, "m3-member-retake", for_readme=True)
    with page.expect_navigation():  # the page reloads; upload only once it has
        page.get_by_role("button", name="删掉这份，重新拍").tap()

    # The outpatient bill by mistake: told it is the wrong one.
    page.wait_for_selector(".doc", state="detached")
    _upload(page, uploads / "门诊发票.pdf")
    page.get_by_text("这是门诊收费票据，住院申报需要的是住院收费票据").wait_for(timeout=READ_TIMEOUT_MS)
    with page.expect_navigation():  # the page reloads; upload only once it has
        page.get_by_role("button", name="删掉这份，重新拍").tap()

    # The right materials: 齐全, then submit.
    page.wait_for_selector(".doc", state="detached")
    _upload(page, uploads / "住院发票.pdf", uploads / "出院记录.pdf", uploads / "费用清单.pdf", uploads / "结算单.pdf")
    page.locator(".complete", has_text="材料齐全").wait_for(timeout=READ_TIMEOUT_MS)
    assert page.locator(".needs li.have").count() == 4
    assert page.locator(".doc.ok").count() == 4
    assert "张三" in page.locator("#live").inner_text()  # the fields found are shown
    screenshots.take(page, "m4-member-complete", for_readme=True)
    # A 360-px phone: nothing wider than the screen, every button a thumb's size.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    heights = page.locator("button, a.button, label.camera").evaluate_all(
        "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44, heights
    _readable_zoomed(page)
    page.get_by_role("button", name="提交申请").tap()
    page.get_by_text("已提交").wait_for()
    assert "材料齐全" in page.locator("#stage").inner_text()
    screenshots.take(page, "m5-member-status", for_readme=True)

    # Staff approve it: the member's page says so, with the amount, and a message went out.
    claim_id = page.url.rstrip("/").rsplit("/", 1)[1]
    with server.service.sessions.begin() as session:
        claim = session.get(ClaimRow, claim_id)
        approver = create_staff(session, session.get(Organisation, claim.organisation_id).name,
                                "approver@example.org", "correct horse battery", Role.approver)
        change = payout.approve(session, approver, claim, Decimal("1234.50"), "按规则核定")
    server.service.publish(change)
    page.reload()
    assert "已审核" in page.locator("#stage").inner_text()
    assert "1234.50" in page.content()
    with server.service.sessions() as session:
        bodies = list(session.scalars(select(Notification.body).where(Notification.claim_id == claim_id)))
    assert any("核定互助金1234.50元" in body for body in bodies), bodies
    assert outside == [], f"the pages loaded something from outside: {outside}"
    context.close()


def test_an_incomplete_claim_is_sent_and_completed_later_from_the_status_link(
        browser, member_server: tuple[Server, str], uploads: Path, screenshots: Screenshots) -> None:  # type: ignore[no-untyped-def]
    server, slug = member_server
    context = browser.new_context(**PHONE)
    page = context.new_page()
    _identify_and_fill(page, server, slug, screenshots)
    # Another stay's invoice: the first test's is already used by its claim (duplicate_invoice).
    _upload(page, uploads / "另一张住院发票.pdf", uploads / "出院记录.pdf")
    page.locator(".doc.ok").nth(1).wait_for(timeout=READ_TIMEOUT_MS)
    page.locator('#live > [data-reading="0"]').wait_for(timeout=READ_TIMEOUT_MS)
    assert "住院费用明细清单" in page.locator(".missing").inner_text()
    page.get_by_role("button", name="先提交，缺的材料以后再补").tap()
    page.get_by_text("已提交").wait_for()
    assert "待补充" in page.locator("#stage").inner_text()
    context.close()

    # Later, on the phone: the message asks for what is missing and carries the status link.
    message = _last_message(server, "needs_follow_up")
    assert "住院费用明细清单" in message
    link = re.search(r"(/m/s/\S+)", message)
    assert link is not None
    later = browser.new_context(**PHONE)
    page = later.new_page()
    page.goto(server.url + link.group(1).rstrip("。"))
    page.get_by_role("button", name="发送验证码").tap()
    page.locator("#f-code").wait_for()
    page.fill("#f-code", _code(server))
    page.get_by_role("button", name="查看").tap()
    page.wait_for_url(re.compile(r"/m/c/clm_"))
    screenshots.take(page, "m6-member-status-missing", for_readme=True)
    _upload(page, uploads / "费用清单.pdf", uploads / "结算单.pdf")
    page.locator(".complete", has_text="材料齐全").wait_for(timeout=READ_TIMEOUT_MS)
    page.reload()
    assert "材料齐全" in page.locator("#stage").inner_text()
    later.close()
