"""The content of an outpatient bill on an older provincial form, drawn from a seeded source.

The older forms split the payment differently from the national one (Shanghai's 现金支付 /
个人账户支付 / 医保统筹支付 / 附加支付, with the cash broken down into 分类自负 / 自负 / 自费), carry a
business serial number and an insurance class, and list the detail lines of each charge category
beside the categories. The amounts are built so that the invariants hold exactly: detail lines add
up to their category, categories to the total, payment parts to the total, and the cash breakdown to
the cash. Hospitals, people and numbers are invented.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from claim_intake.samples.data import (
    _ACCIDENT_CLINICS,
    _CLINICS,
    ZERO,
    ChargeItem,
    ExpenseLine,
    Hospital,
    Invoice,
    OutpatientCase,
    Payment,
    Visit,
    _numbered,
    _patient,
    _person,
    _price,
    money,
)

SHANGHAI = (
    Hospital("上海市东川区中心医院", "上海市", "上海市", "31"),
    Hospital("上海市第十二人民医院", "上海市", "上海市", "31"),
    Hospital("上海滨江中医医院", "上海市", "上海市", "31"),
    Hospital("上海市北浦区眼科医院", "上海市", "上海市", "31"),
)
GUANGXI = (
    Hospital("桂林市第四人民医院", "广西壮族自治区", "桂林市", "45"),
    Hospital("玉林市中医医院", "广西壮族自治区", "玉林市", "45"),
)
HEILONGJIANG = (
    Hospital("哈尔滨市江北区人民医院", "黑龙江省", "哈尔滨市", "23"),
    Hospital("齐齐哈尔市第六医院", "黑龙江省", "齐齐哈尔市", "23"),
)

# Detail lines of the older forms: (category, name, code prefix, spec, unit, qty range, price range).
_DETAIL = (
    ("西药费", "阿莫西林胶囊", "XY", "0.25g*24粒", "盒", 1, 3, 8.0, 22.0),
    ("西药费", "苯磺酸氨氯地平片", "XY", "5mg*28片", "盒", 1, 2, 14.0, 36.0),
    ("中成药费", "复方丹参滴丸", "ZC", "27mg*180丸", "盒", 1, 2, 22.0, 48.0),
    ("中成药费", "银杏叶片", "ZC", "9.6mg*24片", "盒", 1, 3, 16.0, 32.0),
    ("检查费", "常规心电图检查", "JC", "", "次", 1, 1, 20.0, 30.0),
    ("检查费", "彩色多普勒超声", "JC", "", "次", 1, 1, 90.0, 160.0),
    ("化验费", "血常规", "HY", "", "项", 1, 1, 15.0, 25.0),
    ("化验费", "肝功能", "HY", "", "项", 1, 1, 40.0, 70.0),
    ("放射费", "胸部X线摄影", "FS", "", "次", 1, 1, 50.0, 90.0),
    ("治疗费", "肌肉注射", "ZL", "", "次", 1, 3, 3.0, 6.0),
    ("治疗费", "大换药", "ZL", "", "次", 1, 4, 20.0, 30.0),
)
# A herbal prescription: one detail line per herb, often more than one sheet holds.
_HERBS = ("黄芪", "当归", "茯苓", "白术", "党参", "甘草", "川芎", "白芍", "熟地黄", "陈皮", "半夏",
          "枸杞子", "山药", "丹参", "红花", "桃仁", "柴胡", "黄芩", "麦冬", "五味子", "杜仲",
          "牛膝", "菊花", "桔梗", "防风", "荆芥", "连翘", "金银花", "薏苡仁", "泽泻")
# A registration (挂号) bill bills only the consultation, split by who pays.
_REGISTRATION = ("诊查费", "诊查费(自费)")


@dataclass(frozen=True)
class DetailLine:
    """One line of the right-hand detail column: not a charge category."""

    code: str
    line: ExpenseLine
    spec: str


@dataclass(frozen=True)
class RegionalPayment:
    """The older forms' payment block; ``cash`` is what the patient paid at the window."""

    insurance_fund_paid: Decimal  # 医保统筹支付
    personal_account_paid: Decimal  # 个人账户支付
    additional_paid: Decimal  # 附加支付 (a city top-up fund)
    cash: Decimal  # 现金支付
    class_copay: Decimal  # 分类自负
    copay: Decimal  # 自负
    self_expense: Decimal  # 自费: outside insurance altogether


@dataclass(frozen=True)
class RegionalBill:
    """What an older form prints besides the visit: the case's bill as that form splits it."""

    case: OutpatientCase
    payment: RegionalPayment
    details: tuple[DetailLine, ...]
    printed_at: datetime  # 收费日期 / 日期 / 打印时间
    serial: str  # 业务流水号
    institution_type: str  # 医疗机构类型
    insurance_type: str  # 医保类型
    social_security_number: str  # 社会保障号码
    cashier_id: str  # 收款员
    registration: bool  # a 挂号 bill: the consultation only

    @property
    def total_amount(self) -> Decimal:
        return self.case.total_amount


def _regional_payment(rng: random.Random, items: tuple[ChargeItem, ...], insured: bool
                      ) -> RegionalPayment:
    total = sum((i.amount for i in items), ZERO)
    self_expense = sum((i.amount for i in items if "自费" in i.name), ZERO)
    if self_expense == ZERO and rng.random() < 0.4:
        self_expense = money(total * Decimal(str(rng.uniform(0.05, 0.3))))
    covered = total - self_expense
    fund = money(covered * Decimal(str(rng.uniform(0.3, 0.6)))) if insured and rng.random() < 0.6 else ZERO
    additional = money((covered - fund) * Decimal(str(rng.uniform(0.4, 0.7)))) \
        if insured and rng.random() < 0.5 else ZERO
    copay_total = covered - fund - additional
    account = min(copay_total, money(rng.randint(5, 60))) if insured and rng.random() < 0.3 else ZERO
    out_of_pocket = copay_total - account
    class_copay = money(out_of_pocket * Decimal(str(rng.uniform(0.1, 0.4)))) \
        if rng.random() < 0.4 else ZERO
    return RegionalPayment(
        insurance_fund_paid=fund, personal_account_paid=account, additional_paid=additional,
        cash=out_of_pocket + self_expense, class_copay=class_copay,
        copay=out_of_pocket - class_copay, self_expense=self_expense,
    )


def _details(rng: random.Random, *, registration: bool, herbal: bool,
             bare: bool) -> tuple[tuple[ChargeItem, ...], tuple[DetailLine, ...]]:
    """Charge categories and their detail lines; ``bare`` prices in whole yuan, as some
    hospitals' consultation and drug prices are."""
    if registration:
        fee = ExpenseLine("门诊诊查费", "次", 1, Decimal(rng.choice((15, 19, 25, 30))))
        own = ExpenseLine("专家诊查费(自费)", "次", 1, Decimal(rng.choice((3, 20, 50, 100, 197))))
        items = (ChargeItem(_REGISTRATION[1], (own,)), ChargeItem(_REGISTRATION[0], (fee,)))
        return items, ()
    if herbal:
        picks = [("草药费", herb, "CY", f"{rng.choice((6, 9, 10, 12, 15))}g", "帖", 7, 14, 0.3, 2.4)
                 for herb in rng.sample(_HERBS, k=rng.randint(22, 28))]
    else:
        picks = rng.sample(_DETAIL, k=rng.randint(2, 4))
    by_category: dict[str, list[DetailLine]] = {}
    for category, name, prefix, spec, unit, qlo, qhi, plo, phi in picks:
        price = max(Decimal(round(rng.uniform(plo, phi))), Decimal(1)) if bare \
            else _price(rng, plo, phi)
        line = ExpenseLine(name, unit, rng.randint(qlo, qhi), price)
        code = f"{prefix}{rng.randint(10**7, 10**8 - 1)}"
        by_category.setdefault(category, []).append(DetailLine(code, line, spec))
    if herbal:  # a herbal prescription is billed with a consultation fee
        fee = ExpenseLine("中医辨证论治", "次", 1, Decimal(rng.choice((2, 3, 5))))
        by_category["其它费"] = [DetailLine(f"QT{rng.randint(10**7, 10**8 - 1)}", fee, "")]
    items = tuple(ChargeItem(c, tuple(d.line for d in lines)) for c, lines in by_category.items())
    details = tuple(d for lines in by_category.values() for d in lines)
    return items, details


def make_regional_bill(rng: random.Random, hospitals: tuple[Hospital, ...], *,
                       registration: bool = False, herbal: bool = False, bare: bool = False,
                       accident: bool = False, visit_on: date | None = None) -> RegionalBill:
    """A consistent outpatient visit billed on an older provincial form; ``accident`` makes it an
    emergency visit for an injury."""
    hospital = rng.choice(hospitals)
    patient = _patient(rng, hospital)
    clinic = rng.choice(_ACCIDENT_CLINICS if accident else _CLINICS)
    items, details = _details(rng, registration=registration, herbal=herbal, bare=bare)
    day = visit_on or date(2026, 8, 1) + timedelta(days=rng.randint(0, 100))
    printed_at = datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59), rng.randint(0, 59)))
    insured = rng.random() < 0.75
    payment = _regional_payment(rng, items, insured)
    invoice = Invoice(
        code="",  # the older forms carry no 票据代码
        number=f"{rng.randint(10**9, 2 * 10**9 - 1)}",
        check_code="",
        issue_date=day,
        reviewer=_person(rng)[0],
        cashier=_person(rng)[0],
    )
    visit = Visit(department=clinic.department, visit_date=day,
                  outpatient_number=f"{rng.randint(10**7, 10**8 - 1)}",
                  diagnosis=_numbered(clinic.diagnosis), advice=clinic.advice,
                  doctor=_person(rng)[0])
    # The national Payment view of the same split, for the documents that share OutpatientCase.
    national = Payment(
        insurance_fund_paid=payment.insurance_fund_paid, other_paid=payment.additional_paid,
        personal_account_paid=payment.personal_account_paid, personal_cash_paid=payment.cash,
        self_pay=payment.class_copay + payment.copay + payment.personal_account_paid,
        self_expense=payment.self_expense)
    case = OutpatientCase(patient, hospital, visit, items, national, invoice)
    return RegionalBill(
        case=case, payment=payment, details=details, printed_at=printed_at,
        serial=f"{day:%y%m%d}{rng.randint(10**9, 10**10 - 1)}",
        institution_type=rng.choice(("三级甲等综合医院", "二级综合医院", "三级专科医院", "一级医院")),
        insurance_type=("医保病人" if insured else "自费") if rng.random() < 0.5
        else ("门诊统筹" if insured else "自费病人"),
        social_security_number=f"{hospital.region_code}{rng.randint(10**8, 10**9 - 1)}",
        cashier_id=f"{rng.randint(1000, 99999)}",
        registration=registration,
    )
