"""The older Shanghai outpatient bill, 上海市医疗门(急)诊收费票据, as hospitals printed it until 2021.

Pre-printed continuous paper (a pale tinted form with sprocket strips, the title and labels in the
form's brown ink, the serial ``NO.`` number in red letterpress, the city finance bureau's red seal
over the start of the title) onto which a dot-matrix printer strikes the values. The printer's
feed is rarely true: values land half a line to a line above or below their labels, sometimes on a
ruled line. The left column holds the charge categories (项目 / 金额); the right one the detail
lines (项目编码 / 名称 / 规格 / 数量 / 单价 / 金额), which are not the charge list. Hospitals
configure their printers differently, and ``ShanghaiStyle`` names those differences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Literal

from claim_intake.extract.amount_words import amount_to_words
from claim_intake.samples.page import RGB, Anchor, Page
from claim_intake.samples.paper import (
    handwriting,
    security_tint,
    sideways_imprint,
    sprocket_holes,
    vertical_text,
    watermark,
)
from claim_intake.samples.printing import CLEAN, Fields, Form, Print
from claim_intake.samples.regional_data import DetailLine, RegionalBill
from claim_intake.samples.render import _items_field
from claim_intake.samples.stamps import STAMP_RED, city_supervision_seal, hospital_stamp

SHANGHAI_SIZE = (1640, 1000)
TITLE = "上海市医疗门(急)诊收费票据"
FORM_INK: RGB = (150, 92, 60)
NUMBER_RED: RGB = (214, 52, 58)
PAPER_TINT: RGB = (236, 240, 214)
RIBBON: RGB = (48, 48, 58)
FAINT_RIBBON: RGB = (120, 120, 128)

DateFormat = Literal["dotted", "packed", "iso"]
Amounts = Literal["plain", "bare", "yen"]


@dataclass(frozen=True)
class ShanghaiStyle:
    """How one hospital's printer fills the form."""

    date_label: Literal["收费日期", "日期", "打印时间"] = "收费日期"
    date_format: DateFormat = "dotted"  # 2026.09.15 10:08:12 / 2026091510:08:12 / 2026-09-15 ...
    amounts: Amounts = "plain"  # 15.00 / 15 (and 0, 6.7) / ¥15.00
    total_figure: bool = True  # a 合计 figure under the categories
    words: Literal["zheng", "zero_fen", "with_figure"] = "zheng"  # 叁拾元整 / 肆角零分 / 壹拾捌元¥18.00
    name_over_title: bool = False  # the hospital name struck over the pre-printed title
    header_note: str | None = None  # a dispensary line printed over the end of the title
    visit_date: bool = False  # a 就诊日期 printed at the foot
    payee_line: bool = True  # the hospital name on the 收款单位 line too
    shift: tuple[float, float] = (0.0, 0.0)  # the whole print off its labels (dx, dy)
    pay_shift: float = 0.0  # the payment block further off (dy)
    stamp: Literal["middle", "payment", "items", "none"] = "middle"
    stamp_color: RGB = STAMP_RED
    faint: bool = False  # a worn ribbon
    note: str | None = None  # handwriting across the bill


def shanghai_words(amount: Decimal, style: ShanghaiStyle) -> tuple[str, str]:
    """The 大写 total as printed and as the field's ground truth (without a bracketed figure)."""
    words = amount_to_words(amount, "元")
    if style.words == "zero_fen" and words.endswith("角"):
        words += "零分"
    if style.words == "with_figure":
        words = words.removesuffix("整")
        return f"{words}¥{amount:.2f}", words
    return words, words


def _amount(value: Decimal, style: ShanghaiStyle) -> str:
    if style.amounts == "bare":
        text = f"{value.normalize():f}"
        return text if "." not in text or len(text.split(".")[1]) <= 2 else f"{value:.2f}"
    return f"¥{value:.2f}" if style.amounts == "yen" else f"{value:.2f}"


def _printed_date(at: datetime, fmt: DateFormat) -> str:
    return {"dotted": f"{at:%Y.%m.%d %H:%M:%S}", "packed": f"{at:%Y%m%d%H:%M:%S}",
            "iso": f"{at:%Y-%m-%d %H:%M:%S}"}[fmt]


class _Printer:
    """Strikes values onto the form through the feed's offset."""

    def __init__(self, page: Page, style: ShanghaiStyle) -> None:
        self.page = page
        self.style = style
        self.ink = FAINT_RIBBON if style.faint else RIBBON

    def __call__(self, x: float, y: float, text: str, size: int = 26, *, anchor: Anchor = "l",
                 extra_dy: float = 0.0) -> None:
        if text:
            dx, dy = self.style.shift
            self.page.text(x + dx, y + dy + extra_dy, text, size, color=self.ink, face="sans",
                           anchor=anchor, dots=True)


def shanghai_outpatient_page(bill: RegionalBill, style: ShanghaiStyle = ShanghaiStyle(),
                             opts: Print = CLEAN, *, continuation: bool = False,
                             details: Sequence[DetailLine] | None = None,
                             invoice_number: str | None = None) -> tuple[Page, Fields]:
    """One sheet of the form. A payment whose detail lines overflow one sheet is printed over
    several: every sheet has its own number and the header, only the first the categories, the
    totals and the payment block; a ``continuation`` sheet holds detail lines only."""
    w, h = SHANGHAI_SIZE
    page = Page(w, h, face="serif")
    form = Form(page, opts)
    case, pay = bill.case, bill.payment
    hosp, pat = case.hospital, case.patient
    key = f"{hosp.name}{invoice_number or case.invoice.number}"
    strike = _Printer(page, style)
    totals = not continuation

    def label(x: float, y: float, text: str, size: int = 24, anchor: Anchor = "l") -> None:
        page.text(x, y, text, size, color=FORM_INK, anchor=anchor)

    left, right, top, bottom = 165, 1455, 195, 815
    mid = 650  # the rule between the categories and the detail column

    # --- the pre-printed form ---
    title = form.value("title", TITLE)
    title_x = 980
    label(title_x, 130, " ".join(title[3:]), 44, "m")  # 医 疗 门 ... set wide under the seal
    label(title_x - 330, 112, "上海市", 30, "m")
    page.text(1200, 178, "NO.", 22, color=FORM_INK)
    number = form.value("invoice_number", invoice_number or case.invoice.number)
    page.text(1250, 180, number, 38, color=NUMBER_RED, face="sans")
    label(left - 10, 178, "业务流水号：", 22)
    label(580, 178, "医疗机构类型：", 22)
    page.box(left, top, right, bottom, color=FORM_INK)
    label(left + 10, 228, "姓名：", 22)
    label(520, 228, "性别：", 22)
    label(640, 228, "医保类型：", 22)
    label(1060, 228, "社会保障号码：", 22)
    for y in (245, 290):
        page.rule(left, y, right, y, width=1, color=FORM_INK)
    page.rule(mid, 245, mid, bottom - 60, width=1, color=FORM_INK)
    label((left + 400) / 2, 275, "项目", 22, "m")
    label(530, 275, "金额（元）", 22, "m")
    for x, head in ((760, "项目编码"), (980, "名称"), (1150, "规格"), (1240, "数量"),
                    (1320, "单价"), (1410, "金额（元）")):
        label(x, 275, head, 22, "m")
    words_y, pay_top = 580, 615
    page.rule(left, words_y - 35, mid, words_y - 35, width=1, color=FORM_INK)
    page.rule(left, pay_top - 8, mid, pay_top - 8, width=1, color=FORM_INK)
    label(left + 10, words_y, "合计(大写)：", 24)
    rows = (("现金支付：", "个人账户支付："), ("医保统筹支付：", "附加支付："))
    for i, (a, b) in enumerate(rows):
        label(left + 10, pay_top + 30 + i * 42, a, 22)
        label(left + 250, pay_top + 30 + i * 42, b, 22)
    label(left + 10, pay_top + 114, "现金支付中：分类自负", 22)
    label(left + 330, pay_top + 114, "元  自负", 22)
    label(mid - 30, pay_top + 114, "元", 22)
    label(left + 10, pay_top + 156, "自费", 22)
    label(left + 150, pay_top + 156, "元 (不属于医保报销范围)", 20)
    page.rule(left, pay_top + 170, mid, pay_top + 170, width=1, color=FORM_INK)
    label(left + 10, pay_top + 196, "当年账户余额：", 20)
    label(left + 250, pay_top + 196, "历年账户余额：", 20)
    page.rule(left, bottom - 60, right, bottom - 60, width=1, color=FORM_INK)
    foot = bottom + 45
    label(left - 10, foot, "收款单位(章)：", 22)
    label(800, foot, "收款员：", 22)
    label(1150, foot, f"{style.date_label}：", 22)
    vertical_text(page, right + 45, 330, "第一联 收据联", 20, FORM_INK)
    vertical_text(page, right + 75, 330, "盖章有效 遗失不补", 20, FORM_INK)
    page.stamp(120, 520, sideways_imprint(f"上海市票据印刷厂 {case.visit.visit_date.year - 1}年"
                                          "印制 500万份", 18, FORM_INK))
    page.stamp(w / 2, h / 2, security_tint(w - 120, h - 40, PAPER_TINT, key))
    page.stamp(1050, 520, watermark(220, (210, 190, 90)))
    sprocket_holes(page)

    # --- the dot-matrix print ---
    if style.header_note:
        strike(title_x + 250, 118, style.header_note, 26)
    name = form.value("payee", hosp.name)
    if style.name_over_title:
        strike(title_x - 120, 150, name, 30, anchor="m")
    else:  # printed with the form, glued to the title
        label(title_x - 420, 136, name, 34, "r")
    strike(left + 140, 178, bill.serial, 22)
    strike(740, 178, bill.institution_type, 22)
    strike(left + 75, 228, form.value("payer_name", pat.name), 26)
    strike(585, 228, pat.sex, 24)
    strike(760, 228, bill.insurance_type, 24)
    strike(1220, 228, bill.social_security_number, 24)

    if totals:
        items = opts.items or tuple((i.name, i.amount) for i in case.items)
        for i, (item, amount) in enumerate(items):
            strike(left + 25, 330 + i * 40, item, 26)
            strike(mid - 30, 330 + i * 40, _amount(amount, style), 26, anchor="r")
        form.fields["items"] = _items_field(list(items))
        total = form.value("total_amount", case.total_amount)
        if style.total_figure:
            strike(400, 330 + len(items) * 40 + 10, "合计", 26)
            strike(mid - 30, 330 + len(items) * 40 + 10, _amount(Decimal(total), style), 26,
                   anchor="r")
        printed, words = shanghai_words(case.total_amount, style)
        form.fields["total_amount_words"] = words
        strike(left + 150, words_y, printed, 26)
        dy = style.pay_shift
        for x, y, field, value in (
                (left + 130, pay_top + 30, "personal_cash_paid", pay.cash),
                (left + 410, pay_top + 30, "personal_account_paid", pay.personal_account_paid),
                (left + 150, pay_top + 72, "insurance_fund_paid", pay.insurance_fund_paid),
                (left + 370, pay_top + 72, "other_paid", pay.additional_paid),
                (left + 90, pay_top + 156, "self_expense", pay.self_expense)):
            strike(x, y, _amount(Decimal(form.value(field, value)), style), 24, extra_dy=dy)
        strike(left + 250, pay_top + 114, _amount(pay.class_copay, style), 24, extra_dy=dy)
        strike(left + 420, pay_top + 114, _amount(pay.copay, style), 24, extra_dy=dy)
        if style.amounts == "yen":  # the mobile payment that replaced the cash, at the foot
            strike(mid + 20, bottom - 20, f"实收：支付宝支付:{pay.cash:.2f} 找零:0.00", 24)
    if bill.registration:  # the detail column holds the registration, not charges
        strike(mid + 120, 340, f"{pat.name}  {case.visit.department}", 26)
        strike(mid + 120, 380, f"普通挂号  第{int(bill.cashier_id) % 90 + 1}号", 26)
    for i, d in enumerate(bill.details if details is None else details):
        y = 325 + i * 32
        strike(mid + 10, y, d.code, 20)
        strike(870, y, d.line.name, 22)
        strike(1120, y, d.spec, 20)
        strike(1260, y, str(d.line.quantity), 22, anchor="r")
        strike(1350, y, _amount(d.line.unit_price, style), 22, anchor="r")
        strike(right - 10, y, _amount(d.line.amount, style), 22, anchor="r")
    if style.payee_line:
        strike(left + 150, foot, name, 24)
    strike(890, foot, bill.cashier_id, 24)
    form.value("issue_date", bill.printed_at.date())
    strike(1150 + 22 * (len(style.date_label) + 1), foot, _printed_date(bill.printed_at, style.date_format), 24)
    if style.visit_date:
        form.value("visit_date", case.visit.visit_date)
        strike(800, bottom - 20, f"就诊日期：{_printed_date(bill.printed_at, 'dotted')[:10]}", 22)

    # --- after printing: seals, stamp, pen ---
    page.stamp(title_x - 330, 120, city_supervision_seal("上海市", 210, 130))
    if style.stamp != "none":
        at = {"middle": (820, 500), "payment": (430, 690), "items": (420, 400)}[style.stamp]
        page.stamp(*at, hospital_stamp(hosp.name, "门诊收费专用章", 250, style.stamp_color))
    if style.note:
        page.stamp(1150, 640, handwriting(style.note, 34, key))
    return page, form.fields
