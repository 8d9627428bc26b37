"""The other medical papers of a claim: the 诊断证明书, the accident's proof, and the older
provincial paper bill that some hospitals still print instead of the unified one."""

from __future__ import annotations

from claim_intake.samples.claimant import Accident, Claimant
from claim_intake.samples.data import InpatientCase, OutpatientCase
from claim_intake.samples.page import Page, text_width, wrap
from claim_intake.samples.printing import CLEAN, Fields, Form, Print
from claim_intake.samples.render import (
    _INVOICE_FIELDS,
    A4_SIZE,
    FORM,
    _cn_date,
    _items_field,
)
from claim_intake.samples.stamps import hospital_stamp

A5_SIZE = (874, 1240)
# Provincial paper bills were narrower than the unified form and printed in one ink.
PROVINCIAL_SIZE = (1560, 900)


def diagnosis_certificate_page(case: InpatientCase | OutpatientCase,
                               opts: Print = CLEAN) -> tuple[Page, Fields]:
    """An A5 诊断证明书: issued at discharge for a stay, on the day for a visit."""
    w, h = A5_SIZE
    page = Page(w, h, face=opts.face or "sans")
    form = Form(page, opts)
    left, right = 70, w - 70
    pat = case.patient
    if isinstance(case, InpatientCase):
        dept, record, day = case.stay.department, case.stay.hospital_record_number, case.stay.discharge_date
        diagnoses, doctor = case.stay.discharge_diagnosis, case.stay.doctor
        advice = "出院后全休两周，定期门诊复查，不适随诊。"
        record_label = "住院号"
    else:
        dept, record, day = case.visit.department, case.visit.outpatient_number, case.visit.visit_date
        diagnoses, doctor, advice = case.visit.diagnosis, case.visit.doctor, case.visit.advice
        record_label = "门诊号"

    hospital = form.value("hospital", case.hospital.name)
    page.text(w / 2, 120, hospital, 38, face="serif_bold", anchor="m")
    page.text(w / 2, 190, opts.title or "诊断证明书", 42, face="serif_bold", anchor="m")
    page.pair(right, 240, "No", record[-6:], 22, anchor="r", sep=".")
    form.pair(left, 300, "姓名", "patient_name", form.value("patient_name", pat.name), 26)
    page.pair(left + 300, 300, "性别", pat.sex, 26)
    page.pair(left + 480, 300, "年龄", f"{pat.age}岁", 26)
    page.pair(left, 350, "科别", dept, 26)
    page.pair(left + 300, 350, record_label, record, 26)
    page.rule(left, 375, right, 375, width=2)

    y = 440
    text = form.value("diagnosis", " ".join(diagnoses))
    form.pair(left, y, "诊断", "diagnosis", diagnoses[0] if text else "", 28)
    for more in diagnoses[1:] if text else ():
        y += 50
        page.text(left + text_width("诊断：", 28, page.face), y, more, 28)
    y += 80
    for i, chunk in enumerate(wrap("建议：" + advice, 28, right - left, page.face)):
        page.text(left, y + i * 48, chunk, 28)

    page.pair(left + 330, h - 250, "医师签名", doctor, 26)
    form.fields["doctor_signed"] = True
    form.pair(left + 330, h - 190, "日期", "issue_date", form.value("issue_date", day, _cn_date), 26)
    page.text(w / 2, h - 90, "本证明仅作病情证明，涂改无效。", 20, anchor="m")
    page.stamp(right - 120, h - 230, hospital_stamp(case.hospital.name, "诊断证明专用章", 220))
    return page, form.fields


def accident_proof_page(accident: Accident, claimant: Claimant) -> tuple[Page, Fields]:
    """A 交通事故责任认定书 or an employer's 意外事故证明: a few lines and a seal, no fields."""
    w, h = A4_SIZE
    page = Page(w, h, face="serif")
    left, right = 110, w - 110
    if accident.traffic:
        page.text(w / 2, 180, accident.issuer, 36, face="serif_bold", anchor="m")
        page.text(w / 2, 260, "道路交通事故责任认定书", 46, face="serif_bold", anchor="m")
        page.text(w / 2, 320, f"公交认字〔{accident.when.year}〕第{claimant.phone[-5:]}号", 26, anchor="m")
        body = [f"交通事故时间：{_cn_date(accident.when)}", f"交通事故地点：{accident.place}",
                f"当事人：{claimant.name}，{claimant.sex}，公民身份号码{claimant.id_number}。",
                "交通事故事实：", "　　" + accident.account,
                "当事人导致交通事故的过错及责任：",
                f"　　对方车辆驾驶人未让直行车辆先行，承担此事故的全部责任；{claimant.name}无责任。"]
    else:
        page.text(w / 2, 240, "意外事故证明", 50, face="serif_bold", anchor="m")
        body = [f"　　兹证明{claimant.name}（公民身份号码：{claimant.id_number}）系我单位在职职工。",
                "　　" + accident.account.replace("工作期间", f"{_cn_date(accident.when)}工作期间"),
                "　　以上情况属实，特此证明。"]
    y = 420
    for paragraph in body:
        for chunk in wrap(paragraph, 30, right - left, page.face):
            page.text(left, y, chunk, 30)
            y += 54
        y += 10
    page.text(right - 40, y + 140, accident.issuer, 30, anchor="r")
    page.text(right - 40, y + 200, _cn_date(accident.when), 30, anchor="r")
    page.stamp(right - 200, y + 150, hospital_stamp(accident.issuer, "", 260))
    return page, {}


_PROVINCIAL_FIELDS = tuple(f for f in _INVOICE_FIELDS
                           if f not in {"invoice_code", "check_code", "payer_id", "other_paid",
                                        "self_pay", "self_expense", "visit_date"})


def provincial_invoice_page(case: InpatientCase, opts: Print = CLEAN) -> tuple[Page, Fields]:
    """An older provincial 住院收费收据: ``No`` number top right, no 票据代码, ``检查费：10.00``
    charge lines, and the 小写 total on the line under the 大写 one."""
    w, h = PROVINCIAL_SIZE
    page = Page(w, h, face=opts.face or "serif")
    form = Form(page, opts, label_color=FORM)
    left, right = 80, w - 80
    hosp, inv, pay, stay, pat = case.hospital, case.invoice, case.payment, case.stay, case.patient
    title = form.value("title", opts.title or f"{hosp.province}医疗机构住院收费收据")
    page.text(w / 2, 110, title, 42, color=FORM, face="serif_bold", anchor="m")
    page.text(right, 160, "No" + form.value("invoice_number", inv.number[-8:]), 32,
              color=(200, 40, 40), anchor="r")

    def dotted(day: object) -> str:
        return f"{day:%Y.%m.%d}"

    form.pair(left, 220, "交款人", "payer_name", form.value("payer_name", pat.name), 28)
    form.pair(left + 420, 220, "住院号", "hospital_record_number",
              form.value("hospital_record_number", stay.hospital_record_number), 28)
    form.pair(left + 880, 220, "科别", "department", form.value("department", stay.department), 28)
    span = (f"{form.value('admission_date', stay.admission_date, dotted)}-"
            f"{form.value('discharge_date', stay.discharge_date, dotted)}")
    form.pair(left, 270, "住院时间", ("admission_date", "discharge_date"), span, 28)
    form.pair(left + 880, 270, "开票日期", "issue_date",
              form.value("issue_date", inv.issue_date, _cn_date), 28)

    items = opts.items or tuple((item.name, item.amount) for item in case.items)
    top = 300
    rows = (len(items) + 2) // 3
    page.box(left, top, right, top + 30 + rows * 50, color=FORM)
    for i, (name, amount) in enumerate(items):
        x = left + 30 + (i // rows) * (right - left) / 3
        page.pair(x, top + 60 + (i % rows) * 50, name, form.money(amount), 28, label_color=FORM)
    form.fields["items"] = _items_field(list(items))

    y = top + 30 + rows * 50 + 60
    form.pair(left, y, "合计(大写)", "total_amount_words",
              form.value("total_amount_words", case.total_amount_words), 30)
    form.pair(left, y + 55, "(小写)", "total_amount",
              form.value("total_amount", case.total_amount, form.money), 30, sep="")
    for (label, name), x in zip((("医保统筹基金支付", "insurance_fund_paid"),
                                 ("个人账户支付", "personal_account_paid"),
                                 ("个人现金支付", "personal_cash_paid")), (left, left + 520, left + 980)):
        form.pair(x, y + 125, label, name, form.value(name, getattr(pay, name), form.money), 28)
    payee = form.value("payee", hosp.name)
    form.pair(left, h - 70, "收款单位(章)", "payee", payee, 28)
    page.pair(left + 980, h - 70, "收款人", inv.cashier, 28, label_color=FORM)
    name_end = left + text_width(f"收款单位(章)：{payee}", 28, page.face)
    page.stamp(name_end - 80, h - 100, hospital_stamp(hosp.name, diameter=240))
    return page, {k: form.fields[k] for k in _PROVINCIAL_FIELDS if k in form.fields}
