"""Papers that claimants upload but that are not claim material (doc_type ``other``): a VAT
e-invoice from a pharmacy and a lab report. Both look like claim papers on purpose: a 发票 with a
大写 total, a hospital header with the patient's name."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from claim_intake.extract.amount_words import amount_to_words
from claim_intake.samples.claimant import Claimant
from claim_intake.samples.data import Hospital, Patient, money
from claim_intake.samples.page import Page
from claim_intake.samples.printing import Fields
from claim_intake.samples.render import A4_SIZE, FORM, INVOICE_SIZE, _cn_date
from claim_intake.samples.stamps import hospital_stamp

_GOODS = (("*医疗仪器器械*电子血压计", "台", 1, 159.0, 299.0), ("*医用材料*医用外科口罩", "盒", 2, 18.0, 32.0),
          ("*中成药*复方丹参滴丸", "盒", 3, 22.0, 35.0), ("*医疗仪器器械*血糖试纸", "盒", 2, 68.0, 120.0))
_PHARMACIES = ("大参林医药集团股份有限公司", "老百姓大药房连锁股份有限公司", "一心堂药业集团股份有限公司")
_LABS = (("白细胞计数(WBC)", 3.5, 9.5, "10^9/L"), ("红细胞计数(RBC)", 4.3, 5.8, "10^12/L"),
         ("血红蛋白(HGB)", 130.0, 175.0, "g/L"), ("血小板计数(PLT)", 125.0, 350.0, "10^9/L"),
         ("中性粒细胞百分比", 40.0, 75.0, "%"), ("淋巴细胞百分比", 20.0, 50.0, "%"))


def vat_invoice_page(rng: random.Random, claimant: Claimant, province: str,
                     day: date) -> tuple[Page, Fields]:
    """A 增值税电子普通发票 for goods bought at a pharmacy, issued to the claimant's employer."""
    w, h = INVOICE_SIZE
    page = Page(w, h, face="serif")
    left, right = 70, w - 70
    short = province.removesuffix("壮族自治区").removesuffix("省")
    page.text(w / 2, 120, f"{short}增值税电子普通发票", 44, color=FORM, face="serif_bold", anchor="m")
    for i, (label, value) in enumerate((
            ("发票代码", f"0{rng.randint(10**10, 10**11 - 1)}"), ("发票号码", f"{rng.randint(0, 10**8 - 1):08d}"),
            ("开票日期", _cn_date(day)),
            ("校验码", " ".join(f"{rng.randint(0, 99999):05d}" for _ in range(4))))):
        page.pair(1080, 190 + i * 40, label, value, 24, label_color=FORM)
    page.box(left, 360, right, 880, color=FORM)
    page.pair(left + 20, 400, "购买方名称", claimant.employer, 26, label_color=FORM)
    taxpayer = f"91{rng.randint(10**15, 10**16 - 1)}"
    page.pair(left + 20, 445, "纳税人识别号", taxpayer, 26, label_color=FORM)
    page.rule(left, 470, right, 470, color=FORM)
    heads = ((left + 20, "货物或应税劳务名称"), (700, "单位"), (800, "数量"), (920, "单价"),
             (1100, "金额"), (1260, "税率"), (1380, "税额"))
    for x, text in heads:
        page.text(x, 510, text, 24, color=FORM)
    total_amount = total_tax = Decimal("0.00")
    for r, (name, unit, qty, lo, hi) in enumerate(rng.sample(_GOODS, k=2)):
        price = money(rng.uniform(lo, hi))
        amount = money(price * qty / Decimal("1.13"))
        tax = money(price * qty) - amount
        total_amount, total_tax = total_amount + amount, total_tax + tax
        for x, text in zip((x for x, _ in heads), (name, unit, str(qty), f"{price / Decimal('1.13'):.2f}",
                                                   f"{amount:.2f}", "13%", f"{tax:.2f}")):
            page.text(x, 560 + r * 44, text, 24)
    page.pair(left + 20, 720, "合计", f"¥{total_amount:.2f}", 24, label_color=FORM)
    page.pair(1260, 720, "税额", f"¥{total_tax:.2f}", 24, label_color=FORM)
    page.rule(left, 745, right, 745, color=FORM)
    gross = total_amount + total_tax
    page.pair(left + 20, 790, "价税合计（大写）", amount_to_words(gross), 26, label_color=FORM, sep="")
    page.pair(1100, 790, "（小写）", f"¥{gross:.2f}", 26, label_color=FORM, sep="")
    pharmacy = rng.choice(_PHARMACIES)
    page.pair(left + 20, 850, "销售方名称", pharmacy, 26, label_color=FORM)
    page.pair(left, 950, "收款人", rng.choice("张王李刘陈") + "敏", 24, label_color=FORM)
    page.pair(700, 950, "开票人", "系统", 24, label_color=FORM)
    page.stamp(1300, 960, hospital_stamp(pharmacy, "发票专用章", 220))
    return page, {}


def lab_report_page(rng: random.Random, patient: Patient, hospital: Hospital, department: str,
                    day: date) -> tuple[Page, Fields]:
    """A 检验报告单 (blood count): patient details, 检验项目 / 结果 / 单位 / 参考值."""
    w, h = A4_SIZE
    page = Page(w, h, face="sans")
    left, right = 80, w - 80
    page.text(w / 2, 130, hospital.name, 40, face="sans_bold", anchor="m")
    page.text(w / 2, 200, "检验报告单", 44, face="sans_bold", anchor="m")
    header = (("姓名", patient.name), ("性别", patient.sex), ("年龄", f"{patient.age}岁"),
              ("科别", department), ("样本类型", "全血"))
    for i, (label, value) in enumerate(header):
        page.pair(left + (i % 3) * 370, 270 + (i // 3) * 46, label, value, 26)
    page.rule(left, 340, right, 340, width=2)
    for x, text in ((left, "检验项目"), (560, "结果"), (760, "单位"), (930, "参考值")):
        page.text(x, 385, text, 26, face="sans_bold")
    page.rule(left, 405, right, 405, width=1)
    for r, (name, lo, hi, unit) in enumerate(_LABS):
        value = rng.uniform(lo * 0.85, hi * 1.1)
        flag = "↑" if value > hi else "↓" if value < lo else ""
        for x, text in ((left, name), (560, f"{value:.1f}{flag}"), (760, unit), (930, f"{lo:g}-{hi:g}")):
            page.text(x, 450 + r * 50, text, 26)
    page.rule(left, 770, right, 770, width=1)
    page.pair(left, 820, "检验者", rng.choice("张王李刘陈") + "晓", 26)
    page.pair(left + 370, 820, "审核者", rng.choice("黄赵周吴徐") + "敏", 26)
    page.pair(left + 740, 820, "报告日期", day.isoformat(), 26)
    page.text(left, 880, "本报告仅对所检测标本负责。", 22)
    return page, {}
