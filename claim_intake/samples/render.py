"""Lays out each inpatient document and returns it with its ground-truth fields.

Layouts follow the real documents: the national unified bill (财综〔2019〕29号) with its form
printed in red-brown and the values in black, a hospital's 出院记录 with a header row of short
fields, an itemised 住院费用明细清单, and a city's 基本医疗保险结算单. Ground-truth field names
and value formats are those of the domain reference (shared/spec/claim-materials.md).
"""

from __future__ import annotations

import zlib
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from PIL import Image

from claim_intake.samples.data import InpatientCase, OutpatientCase
from claim_intake.samples.page import RGB, Anchor, Page, rasterise, text_width, wrap
from claim_intake.samples.printing import CLEAN, Fields, Form, Print
from claim_intake.samples.stamps import hospital_stamp, supervision_seal

Case = InpatientCase | OutpatientCase

# The unified bill's form (title, labels, rules) is printed in this red-brown on most printings.
FORM: RGB = (160, 62, 48)
INVOICE_SIZE = (1654, 1169)
A4_SIZE = (1240, 1754)
BODY = 28


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _iso(day: date) -> str:
    return day.isoformat()


def _cn_date(day: date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _fake_qr(key: str, modules: int = 25, scale: int = 5) -> Image.Image:
    """A QR-looking block (three finder squares, random modules); real bills carry a QR code."""
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    grid = rng.random((modules, modules)) < 0.5
    for r, c in ((0, 0), (0, modules - 7), (modules - 7, 0)):
        finder = np.ones((7, 7), dtype=bool)
        finder[1:6, 1:6] = False
        finder[2:5, 2:5] = True
        grid[r:r + 7, c:c + 7] = finder
    alpha = np.kron(grid, np.ones((scale, scale), dtype=bool)).astype(np.uint8) * 255
    rgba = np.zeros((*alpha.shape, 4), dtype=np.uint8)
    rgba[..., 3] = alpha
    return Image.fromarray(rgba, "RGBA")


def _items_field(pairs: list[tuple[str, Decimal]]) -> list[dict[str, str]]:
    return [{"name": name, "amount": _money(amount)} for name, amount in pairs]


# Fields of the unified bill, in the domain reference's order.
_INVOICE_FIELDS = (
    "title", "invoice_code", "invoice_number", "check_code", "issue_date", "payer_name", "payer_id",
    "total_amount", "total_amount_words", "insurance_fund_paid", "other_paid",
    "personal_account_paid", "personal_cash_paid", "self_pay", "self_expense", "payee",
    "visit_date", "admission_date", "discharge_date", "hospital_record_number", "department", "items",
)
# Pre-printed 机打 paper: the form's ink is paler than an e-bill's.
PREPRINTED: RGB = (204, 132, 116)


def _visit_row(case: Case, form: Form) -> tuple[tuple[str, str | tuple[str, ...], str], ...]:
    """The first row of 其他信息: the stay of an inpatient bill, the visit of an outpatient one."""
    if isinstance(case, InpatientCase):
        stay = case.stay
        span = (f"{form.value('admission_date', stay.admission_date)}"
                f"至{form.value('discharge_date', stay.discharge_date)}")
        return (("住院时间", ("admission_date", "discharge_date"), span),
                ("住院号", "hospital_record_number",
                 form.value("hospital_record_number", stay.hospital_record_number)),
                ("住院科别", "department", form.value("department", stay.department)))
    visit = case.visit
    return (("就诊日期", "visit_date", form.value("visit_date", visit.visit_date)),
            ("门诊号", "hospital_record_number",
             form.value("hospital_record_number", visit.outpatient_number)),
            ("就诊科室", "department", form.value("department", visit.department)))


def unified_invoice_page(case: Case, opts: Print = CLEAN) -> tuple[Page, Fields]:
    """The national unified bill (财综〔2019〕29号), 住院 or 门诊 after the case, 电子 or 机打."""
    w, h = INVOICE_SIZE
    # Bill printers use a Song (serif) face; its wide asterisks also keep a masked ID's length
    # readable, where OCR merges the narrow sans ones.
    page = Page(w, h, face=opts.face or "serif")
    dot_matrix = opts.shift is not None
    ink = PREPRINTED if dot_matrix else FORM
    form = Form(page, opts, label_color=ink, value_face="sans" if page.face != "sans" else "serif")
    left, right = 70, w - 70
    hosp, inv, pay, pat = case.hospital, case.invoice, case.payment, case.patient
    kind = "住院" if isinstance(case, InpatientCase) else "门诊"
    title = form.value("title", opts.title or
                       f"{hosp.province}医疗{kind}收费票据{'' if dot_matrix else '（电子）'}")

    page.stamp(w / 2, 84, supervision_seal(230, 150))
    if not dot_matrix:  # the QR code is printed with an e-bill, not on pre-printed paper
        page.stamp(left + 65, 95, _fake_qr(inv.code + inv.number))
    page.text(w / 2, 205, title, 40, color=ink, face="serif_bold", anchor="m")

    def pair(x: float, y: float, label: str, name: str, raw: Any, fmt: Any = str) -> None:
        form.pair(x, y, label, name, form.value(name, raw, fmt), BODY)

    pair(left, 260, "票据代码", "invoice_code", inv.code)
    pair(1100, 260, "票据号码", "invoice_number", inv.number)
    pair(left, 305, "交款人统一社会信用代码", "payer_id", pat.id_number)
    pair(1100, 305, "校验码", "check_code", inv.check_code)
    pair(left, 350, "交款人", "payer_name", pat.name)
    pair(1100, 350, "开票日期", "issue_date", inv.issue_date)

    # Charge lines sit in two side-by-side groups of 项目名称 / 金额（元） / 备注.
    items = opts.items or tuple((item.name, item.amount) for item in case.items)
    top, head_h, row_h = 375, 50, 46
    rows = (len(items) + 1) // 2
    table_bottom = top + head_h + rows * row_h
    half = (right - left) / 2
    cols = (0, 350, 570)  # offsets of name, amount and remark columns within a group
    page.box(left, top, right, table_bottom, color=ink)
    page.rule(left, top + head_h, right, top + head_h, color=ink)
    for g in range(2):
        gx = left + g * half
        for off in cols[1:] + ((half,) if g == 0 else ()):
            page.rule(gx + off, top, gx + off, table_bottom, width=1 if off != half else 2, color=ink)
        page.text(gx + cols[1] / 2, top + 36, "项目名称", BODY, color=ink, anchor="m")
        page.text(gx + (cols[1] + cols[2]) / 2, top + 36, "金额（元）", BODY, color=ink, anchor="m")
        page.text(gx + (cols[2] + half) / 2, top + 36, "备注", BODY, color=ink, anchor="m")
    for i, (name, amount) in enumerate(items):
        gx = left + (i // rows) * half
        y = top + head_h + (i % rows) * row_h + 35
        form.cell(gx + 20, y, name, BODY)
        form.cell(gx + cols[2] - 20, y, form.money(amount), BODY, anchor="r")
    form.fields["items"] = _items_field(list(items))

    total_bottom = table_bottom + 62
    page.box(left, table_bottom, right, total_bottom, color=ink)
    # The form prints these two labels without a colon.
    form.pair(left + 20, table_bottom + 43, "金额合计（大写）", "total_amount_words",
              form.value("total_amount_words", case.total_amount_words), BODY, sep="")
    form.pair(1100, table_bottom + 43, "（小写）", "total_amount",
              form.value("total_amount", case.total_amount, form.money), BODY, sep="")

    info_top, info_bottom = total_bottom, total_bottom + 170
    page.box(left, info_top, right, info_bottom, color=ink)
    page.rule(left + 150, info_top, left + 150, info_bottom, color=ink)
    page.text(left + 75, (info_top + info_bottom) / 2 + 10, "其他信息", BODY, color=ink, anchor="m")
    info = (
        _visit_row(case, form),
        tuple((label, name, form.value(name, getattr(pay, name), form.money)) for label, name in (
            ("医保统筹基金支付", "insurance_fund_paid"), ("其他支付", "other_paid"),
            ("个人账户支付", "personal_account_paid"))),
        tuple((label, name, form.value(name, getattr(pay, name), form.money)) for label, name in (
            ("个人现金支付", "personal_cash_paid"), ("个人自付", "self_pay"),
            ("个人自费", "self_expense"))),
    )
    for r, row in enumerate(info):
        for (label, names, text), x in zip(row, (left + 175, 790, 1190)):
            form.pair(x, info_top + 45 + r * 52, label, names, text, BODY)

    footer_y = info_bottom + 70
    pair(left, footer_y, "收款单位（章）", "payee", hosp.name)
    page.pair(980, footer_y, "复核人", inv.reviewer, BODY, label_color=ink)
    page.pair(1280, footer_y, "收款人", inv.cashier, BODY, label_color=ink)
    stamp = hospital_stamp(hosp.name, diameter=250)
    if opts.stamp_over_amounts:
        page.stamp(1080, info_top + 40, stamp)
    else:
        # The stamp lands on the payee's name, as on real bills; its rim only grazes the payments
        # above, since a stamp across a whole line of print makes OCR drop that line.
        name_end = left + text_width(f"收款单位（章）：{hosp.name}", BODY, page.face)
        page.stamp(name_end - 60, footer_y + 20, stamp)
    return page, {k: form.fields[k] for k in _INVOICE_FIELDS if k in form.fields}


def invoice_inpatient_page(case: InpatientCase, opts: Print = CLEAN) -> tuple[Page, Fields]:
    return unified_invoice_page(case, opts)


_SUMMARY_FIELDS = (
    "hospital", "patient_name", "sex", "age", "department", "hospital_record_number",
    "admission_date", "discharge_date", "length_of_stay_days", "admission_diagnosis",
    "discharge_diagnosis", "doctor_signed",
)


def discharge_summary_page(case: InpatientCase, opts: Print = CLEAN) -> tuple[Page, Fields]:
    w, h = A4_SIZE
    page = Page(w, h, face=opts.face or "sans")
    form = Form(page, opts)
    left, right = 90, w - 90
    pat, stay = case.patient, case.stay
    hospital = form.value("hospital", case.hospital.name)
    page.text(w / 2, 140, hospital, 44, face="serif_bold", anchor="m")
    page.text(w / 2, 220, opts.title or "出院记录", 48, face="serif_bold", anchor="m")

    header = (("科室", "department", stay.department, str),
              ("病案号", "hospital_record_number", stay.hospital_record_number, str),
              ("姓名", "patient_name", pat.name, str), ("性别", "sex", pat.sex, str),
              ("年龄", "age", pat.age, lambda age: f"{age}岁"))
    x = left
    for label, name, raw, fmt in header:
        value = form.value(name, raw, fmt)
        form.pair(x, 300, label, name, value, 26)
        x += text_width(f"{label}：{value}", 26, page.face) + 40
    page.rule(left, 320, right, 320, width=3)

    y = 390
    step = 56

    def line(label: str, name: str, value: str) -> None:
        nonlocal y
        form.pair(left, y, label, name, value, 30)
        y += step

    line("入院日期", "admission_date", form.value("admission_date", stay.admission_date, _cn_date))
    line("出院日期", "discharge_date", form.value("discharge_date", stay.discharge_date, _cn_date))
    line("住院天数", "length_of_stay_days",
         form.value("length_of_stay_days", stay.length_of_stay_days, lambda d: f"{d}天"))
    for label, name, diagnoses in (("入院诊断", "admission_diagnosis", stay.admission_diagnosis),
                                   ("出院诊断", "discharge_diagnosis", stay.discharge_diagnosis)):
        if not form.value(name, " ".join(diagnoses)):
            line(label, name, "")
            continue
        # Further diagnoses are printed one a line under the first, aligned with it.
        line(label, name, diagnoses[0])
        for more in diagnoses[1:]:
            page.text(left + text_width(f"{label}：", 30, page.face), y, more, 30)
            y += step

    page.text(left, y, "诊疗经过：", 30)
    y += step
    # The course names the patient: a summary of another patient names them there too.
    course = stay.course.replace(pat.name, form.fields.get("patient_name", pat.name))
    for text in wrap("　　" + course, 30, right - left, page.face):
        page.text(left, y, text, 30)
        y += 50
    y += 6
    page.text(left, y, "出院医嘱：", 30)
    y += step
    for order in stay.discharge_orders:
        for text in wrap(order, 30, right - left - 60, page.face):
            page.text(left + 60, y, text, 30)
            y += 50

    page.pair(right - 420, h - 260, "医师签名", stay.doctor, 30)
    form.fields["doctor_signed"] = True
    page.text(right - 420, h - 200, _cn_date(stay.discharge_date), 30)
    page.rule(left, h - 120, right, h - 120, width=1)
    page.text(w / 2, h - 80, "第1页", 26, anchor="m")
    return page, {k: form.fields[k] for k in _SUMMARY_FIELDS if k in form.fields}


def expense_list_page(case: InpatientCase) -> tuple[Page, Fields]:
    w, h = A4_SIZE
    page = Page(w, h)
    left, right = 80, w - 80
    pat, stay = case.patient, case.stay
    page.text(w / 2, 130, case.hospital.name, 36, face="sans_bold", anchor="m")
    page.text(w / 2, 200, "住院费用明细清单", 44, face="sans_bold", anchor="m")
    page.pair(left, 270, "姓名", pat.name, 28)
    page.pair(430, 270, "住院号", stay.hospital_record_number, 28)
    page.pair(820, 270, "科室", stay.department, 28)
    page.pair(left, 320, "入院日期", _iso(stay.admission_date), 28)
    page.pair(430, 320, "出院日期", _iso(stay.discharge_date), 28)
    page.pair(820, 320, "住院天数", f"{stay.length_of_stay_days}天", 28)

    # (header, left edge, alignment); the text sits 12 px inside its cell.
    columns: tuple[tuple[str, int, Anchor], ...] = (("序号", left, "m"), ("项目名称", 170, "l"), ("类别", 510, "l"),
               ("单位", 680, "m"), ("数量", 770, "r"), ("单价", 900, "r"), ("金额", 1040, "r"))
    edges = [x for _, x, _ in columns] + [right]
    top, head_h, row_h = 350, 50, 46
    lines = case.expense_lines
    bottom = top + head_h + len(lines) * row_h

    def cell(col: int, y: float, text: str) -> None:
        _, x0, align = columns[col]
        x1 = edges[col + 1]
        x = {"l": x0 + 12, "m": (x0 + x1) / 2, "r": x1 - 12}[align]
        page.text(x, y, text, 26, anchor=align)

    page.box(left, top, right, bottom)
    page.rule(left, top + head_h, right, top + head_h)
    for x in edges[1:-1]:
        page.rule(x, top, x, bottom, width=1)
    for col, (name, _, _) in enumerate(columns):
        _, x0, _ = columns[col]
        page.text((x0 + edges[col + 1]) / 2, top + 35, name, 26, face="sans_bold", anchor="m")
    for i, (category, line) in enumerate(lines):
        y = top + head_h + i * row_h + 33
        for col, text in enumerate((str(i + 1), line.name, category, line.unit, str(line.quantity),
                                    _money(line.unit_price), _money(line.amount))):
            cell(col, y, text)
        if i < len(lines) - 1:
            page.rule(left, y + 13, right, y + 13, width=1, color=(150, 150, 150))

    page.pair(right - 12, bottom + 50, "合计", _money(case.total_amount), 30, face="sans_bold",
              anchor="r")
    page.pair(left, h - 140, "打印日期", _iso(case.invoice.issue_date), 26)
    page.text(right, h - 140, "第1页 共1页", 26, anchor="r")

    fields: Fields = {
        "patient_name": pat.name,
        "hospital_record_number": stay.hospital_record_number,
        "admission_date": _iso(stay.admission_date),
        "discharge_date": _iso(stay.discharge_date),
        "total_amount": _money(case.total_amount),
        "items": _items_field([(line.name, line.amount) for _, line in lines]),
    }
    return page, fields


def settlement_page(case: InpatientCase) -> tuple[Page, Fields]:
    w, h = A4_SIZE
    page = Page(w, h)
    left, right, mid = 90, w - 90, w / 2 + 10
    pat, stay, pay = case.patient, case.stay, case.payment
    page.text(w / 2, 160, f"{case.hospital.city}基本医疗保险结算单", 44, face="sans_bold", anchor="m")
    page.pair(left, 240, "定点医疗机构", case.hospital.name, 26)
    page.pair(right, 240, "结算日期", _iso(case.invoice.issue_date), 26, anchor="r")

    rows = (
        (("姓名", pat.name), ("性别", pat.sex)),
        (("身份证号", pat.id_number), ("人员类别", "在职职工")),
        (("入院日期", _iso(stay.admission_date)), ("出院日期", _iso(stay.discharge_date))),
        (("住院天数", str(stay.length_of_stay_days)), ("科室", stay.department)),
        (("医疗费总额", _money(case.total_amount)), ("统筹基金支付", _money(pay.insurance_fund_paid))),
        (("其他支付", _money(pay.other_paid)), ("个人账户支付", _money(pay.personal_account_paid))),
        (("个人现金支付", _money(pay.personal_cash_paid)), ("个人自付", _money(pay.self_pay))),
        (("个人自费", _money(pay.self_expense)), ("结算方式", "医保直接结算")),
    )
    top, row_h = 270, 72
    bottom = top + row_h * (len(rows) + 1)
    page.box(left, top, right, bottom, width=3)
    page.rule(mid, top, mid, bottom - row_h, width=1)
    for r, row in enumerate(rows):
        y = top + r * row_h
        page.rule(left, y + row_h, right, y + row_h, width=1)
        for (label, value), x in zip(row, (left + 20, mid + 20)):
            page.pair(x, y + 48, label, value, 28)
    page.pair(left + 20, bottom - row_h + 48, "医疗费总额（大写）", case.total_amount_words, 28)

    page.pair(left, bottom + 80, "经办人", case.invoice.cashier, 26)
    page.pair(mid, bottom + 80, "打印日期", _iso(case.invoice.issue_date), 26)
    page.text(left, bottom + 140, "本结算单由定点医疗机构打印，加盖医保结算专用章有效。", 24)
    page.stamp(right - 200, bottom + 60, hospital_stamp(case.hospital.name, "医保结算专用章", 260))

    fields: Fields = {
        "patient_name": pat.name,
        "admission_date": _iso(stay.admission_date),
        "discharge_date": _iso(stay.discharge_date),
        "total_amount": _money(case.total_amount),
        "insurance_fund_paid": _money(pay.insurance_fund_paid),
        "self_pay": _money(pay.self_pay),
        "self_expense": _money(pay.self_expense),
    }
    return page, fields


def _render(layout: tuple[Page, Fields]) -> tuple[Image.Image, Fields]:
    page, fields = layout
    return rasterise(page), fields


def render_invoice_inpatient(case: InpatientCase) -> tuple[Image.Image, Fields]:
    return _render(invoice_inpatient_page(case))


def render_discharge_summary(case: InpatientCase) -> tuple[Image.Image, Fields]:
    return _render(discharge_summary_page(case))


def render_expense_list(case: InpatientCase) -> tuple[Image.Image, Fields]:
    return _render(expense_list_page(case))


def render_settlement(case: InpatientCase) -> tuple[Image.Image, Fields]:
    return _render(settlement_page(case))
