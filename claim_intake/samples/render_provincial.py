"""Two provincial outpatient bills with layouts of their own.

- 广西 电子票据 (广西壮族自治区医疗门诊收费票据（电子）): a bordered grid in which each label has a
  cell and its value the next cell (not ``label：value``), a single item table with 数量 and 单位,
  the 小写 total in its own cell after the 大写 one, and the settlement as a row of labels over a
  row of values.
- 黑龙江 机打 (黑龙江省医疗机构门诊收费票据): pre-printed charge categories in a grid whose cells the
  printer fills with amounts (empty cells are categories not charged), the issue date struck into
  pre-printed 年 月 日 blanks, the payment on one ruled line, and a dot-matrix feed that runs
  off the form's lines.
"""

from __future__ import annotations

import zlib
from decimal import Decimal

from claim_intake.extract.amount_words import amount_to_words
from claim_intake.samples.page import RGB, Anchor, Page
from claim_intake.samples.paper import security_tint, sprocket_holes, vertical_text
from claim_intake.samples.printing import CLEAN, Fields, Form, Print
from claim_intake.samples.regional_data import RegionalBill
from claim_intake.samples.render import FORM, _fake_qr, _items_field
from claim_intake.samples.stamps import hospital_stamp, supervision_seal

GUANGXI_SIZE = (1654, 1100)
HEILONGJIANG_SIZE = (1600, 860)
_GRID_INK: RGB = (120, 80, 60)
_HLJ_INK: RGB = (40, 90, 140)  # the 黑龙江 form is printed in blue-grey
_RIBBON: RGB = (45, 45, 55)


def guangxi_e_outpatient_page(bill: RegionalBill, opts: Print = CLEAN) -> tuple[Page, Fields]:
    """The 广西 outpatient e-bill as its platform lays it out (see the module's docstring)."""
    w, h = GUANGXI_SIZE
    page = Page(w, h, face="sans")
    form = Form(page, opts)
    case, pay = bill.case, bill.payment
    hosp, inv, pat, visit = case.hospital, case.invoice, case.patient, case.visit
    code = f"45{inv.number[-6:]}"
    left, right = 80, w - 80

    title = form.value("title", opts.title or "广西壮族自治区医疗门诊收费票据（电子）")
    page.text(w / 2, 110, title, 40, color=FORM, face="sans_bold", anchor="m")
    page.stamp(w / 2, 180, supervision_seal(200, 130))
    page.stamp(left + 70, 120, _fake_qr(code + inv.number, scale=5))

    def grid(top: float, rows: tuple[tuple[tuple[str, str, str], ...], ...], row_h: float = 48,
             label_w: float = 190) -> float:
        """Label cells and value cells, left to right; returns the grid's bottom."""
        cols = len(rows[0])
        col_w = (right - left) / cols
        page.box(left, top, right, top + row_h * len(rows), color=_GRID_INK)
        for r, row in enumerate(rows):
            y = top + r * row_h
            if r:
                page.rule(left, y, right, y, width=1, color=_GRID_INK)
            for c, (lab, name, value) in enumerate(row):
                x = left + c * col_w
                if c:
                    page.rule(x, y, x, y + row_h, width=1, color=_GRID_INK)
                page.rule(x + label_w, y, x + label_w, y + row_h, width=1, color=_GRID_INK)
                page.text(x + label_w / 2, y + 33, lab, 22, color=_GRID_INK, anchor="m")
                text = form.value(name, value) if name else value
                page.text(x + label_w + 14, y + 33, text, 24)
        return top + row_h * len(rows)

    check = f"{zlib.crc32(inv.number.encode()) & 0xFFFFFF:06x}"
    y = grid(250, ((("票据代码", "invoice_code", code), ("票据号码", "invoice_number", inv.number)),
                   (("校验码", "check_code", check), ("开票日期", "issue_date", f"{inv.issue_date}")),
                   (("交款人", "payer_name", pat.name), ("门诊号", "", visit.outpatient_number)),
                   (("就诊日期", "visit_date", f"{visit.visit_date}"), ("医保类型", "", bill.insurance_type))))

    # One item table: 项目名称 / 数量 / 单位 / 金额（元） / 备注.
    top = y + 30
    heads = (("项目名称", left, 520), ("数量", 520, 700), ("单位", 700, 880),
             ("金额（元）", 880, 1200), ("备注", 1200, right))
    items = opts.items or tuple((i.name, i.amount) for i in case.items)
    row_h = 44
    bottom = top + row_h * (len(items) + 1)
    page.box(left, top, right, bottom, color=_GRID_INK)
    page.rule(left, top + row_h, right, top + row_h, width=1, color=_GRID_INK)
    for head, x0, x1 in heads:
        if x0 != left:
            page.rule(x0, top, x0, bottom, width=1, color=_GRID_INK)
        page.text((x0 + x1) / 2, top + 31, head, 22, color=_GRID_INK, anchor="m")
    for i, ((name, amount), item) in enumerate(zip(items, case.items)):
        yy = top + row_h * (i + 1) + 31
        page.text(left + 16, yy, name, 24)
        page.text(610, yy, str(len(item.lines)), 24, anchor="m")
        page.text(790, yy, "项", 24, anchor="m")
        page.text(1180, yy, f"{amount:.2f}", 24, anchor="r")
    form.fields["items"] = _items_field(list(items))

    words = form.value("total_amount_words", amount_to_words(case.total_amount))
    total = form.value("total_amount", case.total_amount)
    y = grid(bottom, ((("合计（大写）", "", words), ("合计（小写）", "", f"¥{Decimal(total):.2f}")),),
             row_h=52, label_w=200)

    # The settlement: a row of labels over a row of values.
    parts = (("医保统筹基金支付", "insurance_fund_paid", pay.insurance_fund_paid),
             ("其他支付", "other_paid", pay.additional_paid),
             ("个人账户支付", "personal_account_paid", pay.personal_account_paid),
             ("个人现金支付", "personal_cash_paid", pay.cash),
             ("个人自费", "self_expense", pay.self_expense))
    top = y + 30
    col_w = (right - left) / len(parts)
    page.box(left, top, right, top + 100, color=_GRID_INK)
    page.rule(left, top + 48, right, top + 48, width=1, color=_GRID_INK)
    for i, (lab, name, value) in enumerate(parts):
        x = left + i * col_w
        if i:
            page.rule(x, top, x, top + 100, width=1, color=_GRID_INK)
        page.text(x + col_w / 2, top + 33, lab, 22, color=_GRID_INK, anchor="m")
        page.text(x + col_w / 2, top + 83, f"{Decimal(form.value(name, value)):.2f}", 24, anchor="m")

    foot = h - 80
    payee = form.value("payee", hosp.name)
    page.pair(left, foot, "收款单位（章）", payee, 24, label_color=_GRID_INK)
    page.pair(left + 780, foot, "复核人", inv.reviewer, 24, label_color=_GRID_INK)
    page.pair(left + 1150, foot, "收款人", inv.cashier, 24, label_color=_GRID_INK)
    page.stamp(left + 260, foot - 40, hospital_stamp(hosp.name, "财务专用章", 220))
    return page, form.fields


def heilongjiang_outpatient_page(bill: RegionalBill, opts: Print = CLEAN, *,
                                 shift: tuple[float, float] = (0.0, 0.0)) -> tuple[Page, Fields]:
    """The 黑龙江 机打 outpatient bill (see the module's docstring); ``shift`` is the feed's offset."""
    w, h = HEILONGJIANG_SIZE
    page = Page(w, h, face="serif")
    form = Form(page, opts)
    case, pay = bill.case, bill.payment
    hosp, inv, pat, visit = case.hospital, case.invoice, case.patient, case.visit
    left, right = 120, w - 120
    dx, dy = shift

    def label(x: float, y: float, text: str, size: int = 24, anchor: Anchor = "l") -> None:
        page.text(x, y, text, size, color=_HLJ_INK, anchor=anchor)

    def strike(x: float, y: float, text: str, size: int = 26, anchor: Anchor = "l") -> None:
        if text:
            page.text(x + dx, y + dy, text, size, color=_RIBBON, face="sans", anchor=anchor,
                      dots=True)

    title = form.value("title", opts.title or "黑龙江省医疗机构门诊收费票据")
    label(w / 2, 95, title, 40, "m")
    page.stamp(w / 2, 80, supervision_seal(200, 120))
    label(right - 300, 150, "NO", 26)
    page.text(right - 250, 150, form.value("invoice_number", inv.number[-8:]), 34,
              color=(205, 45, 50), face="sans")

    label(left, 200, "姓名", 24)
    strike(left + 70, 200, form.value("payer_name", pat.name))
    label(left + 330, 200, "性别", 24)
    strike(left + 400, 200, pat.sex)
    label(left + 520, 200, "门诊号", 24)
    strike(left + 610, 200, visit.outpatient_number)
    label(left + 900, 200, "科别", 24)
    strike(left + 970, 200, visit.department)

    # The category grid: two rows of six pre-printed names, each over an amount blank.
    categories = ("西药费", "中成药费", "中草药费", "检查费", "化验费", "放射费",
                  "治疗费", "手术费", "材料费", "诊查费", "挂号费", "其它费")
    charged = dict(opts.items or tuple((i.name, i.amount) for i in case.items))
    top, cell_w, cell_h = 225, (right - left) / 6, 110
    page.box(left, top, right, top + 2 * cell_h, color=_HLJ_INK)
    page.rule(left, top + cell_h, right, top + cell_h, color=_HLJ_INK)
    printed: list[tuple[str, Decimal]] = []
    for k, cat in enumerate(categories):
        r, c = divmod(k, 6)
        x, y = left + c * cell_w, top + r * cell_h
        if c:
            page.rule(x, y, x, y + cell_h, width=1, color=_HLJ_INK)
        page.rule(x, y + 44, x + cell_w, y + 44, width=1, color=_HLJ_INK)
        label(x + cell_w / 2, y + 32, cat, 22, "m")
        amount = charged.get(cat) or charged.get(cat.replace("中草药费", "草药费"))
        if amount is not None:
            strike(x + cell_w / 2, y + 88, f"{amount:.2f}", 26, "m")
            printed.append((cat, amount))
    if len(printed) != len(charged):
        raise ValueError(f"categories the 黑龙江 form has no cell for: {set(charged) - set(dict(printed))}")
    form.fields["items"] = _items_field(printed)

    y = top + 2 * cell_h + 60
    label(left, y, "合计人民币(大写)", 24)
    strike(left + 220, y, form.value("total_amount_words", amount_to_words(case.total_amount, "元")))
    label(right - 330, y, "¥", 26)
    strike(right - 300, y, f"{Decimal(form.value('total_amount', case.total_amount)):.2f}")
    page.rule(left, y + 20, right, y + 20, width=1, color=_HLJ_INK)
    y += 70
    for k, (lab, name, value) in enumerate((
            ("统筹支付", "insurance_fund_paid", pay.insurance_fund_paid),
            ("其他支付", "other_paid", pay.additional_paid),
            ("个人账户", "personal_account_paid", pay.personal_account_paid),
            ("现金支付", "personal_cash_paid", pay.cash),
            ("其中自费", "self_expense", pay.self_expense))):
        x = left + k * (right - left) / 5
        label(x, y, lab, 24)
        strike(x + 105, y, f"{Decimal(form.value(name, value)):.2f}")
    page.rule(left, y + 30, right, y + 30, width=1, color=_HLJ_INK)

    foot = h - 90
    label(left, foot, "收款单位(盖章)", 24)
    strike(left + 190, foot, form.value("payee", hosp.name))
    label(left + 720, foot, "收款人", 24)
    strike(left + 810, foot, inv.cashier)
    day = inv.issue_date
    form.value("issue_date", day)
    x = right - 330
    for part, unit in ((f"{day.year}", "年"), (f"{day.month:02d}", "月"), (f"{day.day:02d}", "日")):
        strike(x, foot, part)
        x += 22 * len(part) + 6
        label(x, foot, unit, 24)
        x += 50
    vertical_text(page, right + 45, 260, "第二联 报销凭证", 20, _HLJ_INK)
    page.stamp(w / 2, h / 2, security_tint(w - 120, h - 40, (226, 236, 244), hosp.name + inv.number))
    sprocket_holes(page)
    page.stamp(left + 420, foot - 60, hospital_stamp(hosp.name, "收费专用章", 230))
    return page, form.fields
