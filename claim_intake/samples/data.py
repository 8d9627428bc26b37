"""The content of a synthetic inpatient claim, drawn from a seeded random source.

One ``InpatientCase`` is everything the four inpatient documents print. Its amounts are built so
that the document invariants hold exactly (charge lines add up to the total, payment parts add up
to the total, 个人自付 + 个人自费 is what the patient paid); the generator of inconsistent
cases breaks them on purpose from here.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from claim_intake.extract.amount_words import amount_to_words

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | float) -> Decimal:
    """Rounds to fen the way hospital billing systems do."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Patient:
    name: str
    sex: str  # 男 / 女
    age: int
    id_number: str  # masked as printed, e.g. 450***********123X


@dataclass(frozen=True)
class Hospital:
    name: str
    province: str
    city: str
    region_code: str  # the two-digit province code that starts ID and bill numbers


@dataclass(frozen=True)
class ExpenseLine:
    """One line of the expense list (住院费用明细清单)."""

    name: str
    unit: str
    quantity: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return money(self.quantity * self.unit_price)


@dataclass(frozen=True)
class ChargeItem:
    """One charge category of the bill (项目名称, e.g. 西药费), itemised on the expense list."""

    name: str
    lines: tuple[ExpenseLine, ...]

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True)
class Payment:
    """How the total was paid: the bill's 其他信息 block and the settlement."""

    insurance_fund_paid: Decimal
    other_paid: Decimal
    personal_account_paid: Decimal
    personal_cash_paid: Decimal
    self_pay: Decimal  # 个人自付: the patient's share of covered costs
    self_expense: Decimal  # 个人自费: costs insurance does not cover at all


@dataclass(frozen=True)
class Stay:
    department: str
    admission_date: date
    discharge_date: date
    hospital_record_number: str
    admission_diagnosis: tuple[str, ...]  # numbered as printed, one a line: 1.胸痛待查
    discharge_diagnosis: tuple[str, ...]
    course: str  # 诊疗经过, free text
    discharge_orders: tuple[str, ...]  # 出院医嘱, numbered as printed
    doctor: str

    @property
    def length_of_stay_days(self) -> int:
        return (self.discharge_date - self.admission_date).days


@dataclass(frozen=True)
class Invoice:
    code: str  # 票据代码, 8 digits
    number: str  # 票据号码, 10 digits
    check_code: str  # 校验码, 6 lowercase hex digits
    issue_date: date
    reviewer: str  # 复核人
    cashier: str  # 收款人


class _Billed:
    """A case whose bill totals its charge items (both kinds of invoice)."""

    items: tuple[ChargeItem, ...]

    @property
    def total_amount(self) -> Decimal:
        return sum((item.amount for item in self.items), ZERO)

    @property
    def total_amount_words(self) -> str:
        return amount_to_words(self.total_amount)


@dataclass(frozen=True)
class InpatientCase(_Billed):
    patient: Patient
    hospital: Hospital
    stay: Stay
    items: tuple[ChargeItem, ...]
    payment: Payment
    invoice: Invoice

    @property
    def expense_lines(self) -> tuple[tuple[str, ExpenseLine], ...]:
        """Every expense-list line with the name of its charge category."""
        return tuple((item.name, line) for item in self.items for line in item.lines)


_HOSPITALS = (
    Hospital("南宁市第一人民医院", "广西壮族自治区", "南宁市", "45"),
    Hospital("柳州市工人医院", "广西壮族自治区", "柳州市", "45"),
    Hospital("广州市第一人民医院", "广东省", "广州市", "44"),
    Hospital("长沙市中心医院", "湖南省", "长沙市", "43"),
    Hospital("成都市第三人民医院", "四川省", "成都市", "51"),
    Hospital("杭州市第一人民医院", "浙江省", "杭州市", "33"),
    Hospital("济南市中心医院", "山东省", "济南市", "37"),
)

# 韦, 覃 and 蒙 are common in Guangxi; the rest are the most common surnames nationally.
_SURNAMES = "张王李刘陈杨黄赵周吴徐孙马朱胡林郭何高罗梁韦覃蒙"
_GIVEN = {
    "男": ("伟", "强", "建国", "志明", "海涛", "俊杰", "国华", "文斌", "永刚", "德胜", "立新", "家豪"),
    "女": ("芳", "丽", "秀英", "桂兰", "海燕", "晓梅", "春花", "雪琴", "玉珍", "静怡", "美玲", "丹"),
}


@dataclass(frozen=True)
class _Department:
    name: str
    admission_diagnosis: tuple[str, ...]
    discharge_diagnosis: tuple[str, ...]
    complaint: str
    workup: str
    treatment: str
    orders: tuple[str, ...]
    drugs: tuple[tuple[str, str, float, float], ...]  # name, unit, unit price range
    exams: tuple[tuple[str, float, float], ...]
    surgery: tuple[str, float, float] | None = None


_DEPARTMENTS = (
    _Department(
        "心血管内科",
        ("胸痛待查", "高血压病"),
        ("冠状动脉粥样硬化性心脏病", "高血压病2级（很高危）"),
        "反复胸闷、胸痛",
        "血常规、肝肾功能、血脂、心肌酶、心电图及心脏彩超",
        "抗血小板聚集、调脂稳斑、扩张冠脉、控制血压",
        ("低盐低脂饮食，注意休息，避免劳累及情绪激动。",
         "继续规律服用阿司匹林、阿托伐他汀等药物，不可自行停药。",
         "出院后2周心血管内科门诊复诊，复查血脂及肝功能。"),
        (("阿司匹林肠溶片", "片", 0.15, 0.45), ("阿托伐他汀钙片", "片", 1.2, 3.6),
         ("单硝酸异山梨酯注射液", "支", 6.0, 18.0), ("氯化钠注射液", "袋", 2.5, 6.5)),
        (("常规心电图检查", 22.0, 35.0), ("心脏彩色多普勒超声", 180.0, 260.0),
         ("动态心电图", 150.0, 220.0)),
    ),
    _Department(
        "呼吸内科",
        ("肺部感染",),
        ("社区获得性肺炎", "慢性阻塞性肺疾病"),
        "咳嗽、咳痰伴发热",
        "血常规、C反应蛋白、降钙素原、痰培养及胸部CT",
        "抗感染、化痰平喘、雾化吸入",
        ("注意保暖，避免受凉，戒烟。",
         "继续口服化痰药物1周。",
         "出院后1个月呼吸内科门诊复查胸部CT，不适随诊。"),
        (("注射用头孢曲松钠", "支", 8.0, 26.0), ("盐酸氨溴索注射液", "支", 3.5, 9.0),
         ("吸入用布地奈德混悬液", "支", 4.5, 11.0), ("氯化钠注射液", "袋", 2.5, 6.5)),
        (("胸部CT平扫", 180.0, 320.0), ("常规心电图检查", 22.0, 35.0),
         ("肺功能检查", 90.0, 160.0)),
    ),
    _Department(
        "内分泌科",
        ("2型糖尿病",),
        ("2型糖尿病伴血糖控制不佳", "糖尿病周围神经病变"),
        "口干、多饮、多尿伴体重下降",
        "血糖监测、糖化血红蛋白、肝肾功能、尿常规及眼底检查",
        "胰岛素强化降糖、营养神经、改善循环",
        ("糖尿病饮食，适量运动，监测血糖。",
         "继续皮下注射胰岛素并口服二甲双胍，按时用药。",
         "出院后2周内分泌科门诊复诊，调整降糖方案。"),
        (("盐酸二甲双胍缓释片", "片", 0.6, 1.8), ("门冬胰岛素注射液", "支", 38.0, 68.0),
         ("甲钴胺片", "片", 0.8, 2.2), ("氯化钠注射液", "袋", 2.5, 6.5)),
        (("腹部彩色多普勒超声", 120.0, 200.0), ("眼底照相", 40.0, 80.0),
         ("常规心电图检查", 22.0, 35.0)),
    ),
    _Department(
        "普通外科",
        ("急性阑尾炎",),
        ("急性化脓性阑尾炎",),
        "转移性右下腹痛",
        "血常规、凝血功能、肝肾功能及腹部彩超",
        "在全麻下行腹腔镜阑尾切除术，术后抗感染、补液及切口换药",
        ("清淡饮食，注意切口清洁干燥。",
         "术后1个月内避免剧烈运动及重体力劳动。",
         "出院后1周普通外科门诊复查，不适随诊。"),
        (("注射用头孢呋辛钠", "支", 9.0, 24.0), ("甲硝唑氯化钠注射液", "瓶", 4.0, 9.5),
         ("氯化钠注射液", "袋", 2.5, 6.5)),
        (("腹部彩色多普勒超声", 120.0, 200.0), ("胸部X线摄影", 60.0, 110.0)),
        ("腹腔镜下阑尾切除术", 1400.0, 2600.0),
    ),
    _Department(
        "骨科",
        ("腰椎间盘突出症",),
        ("腰椎间盘突出症（L4/5）", "腰椎管狭窄症"),
        "腰痛伴左下肢放射痛",
        "血常规、凝血功能、腰椎磁共振及下肢肌电图",
        "在全麻下行椎间孔镜下髓核摘除术，术后脱水消肿、营养神经",
        ("卧床休息为主，佩戴腰围下地活动。",
         "3个月内避免弯腰负重及久坐。",
         "出院后2周骨科门诊复查，不适随诊。"),
        (("甘露醇注射液", "瓶", 5.0, 12.0), ("塞来昔布胶囊", "粒", 2.5, 6.0),
         ("甲钴胺片", "片", 0.8, 2.2)),
        (("腰椎磁共振平扫", 420.0, 680.0), ("肌电图检查", 150.0, 240.0)),
        ("椎间孔镜下髓核摘除术", 2200.0, 3800.0),
    ),
)

_LABS = (("血常规", 15.0, 25.0), ("肝功能", 50.0, 90.0), ("肾功能", 30.0, 60.0),
         ("血脂四项", 40.0, 70.0), ("凝血功能", 60.0, 100.0), ("C反应蛋白", 20.0, 45.0))


def _price(rng: random.Random, low: float, high: float) -> Decimal:
    return money(rng.uniform(low, high))


def _person(rng: random.Random, sex: str | None = None) -> tuple[str, str]:
    sex = sex or rng.choice(("男", "女"))
    return rng.choice(_SURNAMES) + rng.choice(_GIVEN[sex]), sex


def _patient(rng: random.Random, hospital: Hospital) -> Patient:
    name, sex = _person(rng)
    check = rng.choice("0123456789X")
    id_number = f"{hospital.region_code}{rng.randint(0, 9)}{'*' * 11}{rng.randint(0, 999):03d}{check}"
    return Patient(name=name, sex=sex, age=rng.randint(28, 76), id_number=id_number)


def _items(rng: random.Random, dept: _Department, days: int) -> tuple[ChargeItem, ...]:
    """6-12 charge categories whose lines are priced like a county or city hospital's."""

    def lines(*specs: tuple[str, str, int, float, float]) -> tuple[ExpenseLine, ...]:
        return tuple(ExpenseLine(n, u, q, _price(rng, lo, hi)) for n, u, q, lo, hi in specs)

    drugs = rng.sample(dept.drugs, k=min(len(dept.drugs), rng.randint(2, 3)))
    exams = rng.sample(dept.exams, k=rng.randint(1, 2))
    labs = rng.sample(_LABS, k=rng.randint(2, 3))
    items = [
        ChargeItem("床位费", lines(("床位费（三人间）", "天", days, 30, 60))),
        ChargeItem("诊察费", lines(("住院诊查费", "天", days, 10, 20))),
        ChargeItem("检查费", lines(*((n, "次", 1, lo, hi) for n, lo, hi in exams))),
        ChargeItem("化验费", lines(*((n, "次", rng.randint(1, 3), lo, hi) for n, lo, hi in labs))),
        ChargeItem("护理费", lines((rng.choice(("一级护理", "二级护理")), "天", days, 18, 40))),
        ChargeItem("西药费", lines(*((n, u, rng.randint(days, 3 * days), lo, hi)
                                  for n, u, lo, hi in drugs))),
    ]
    if dept.surgery is not None:
        name, lo, hi = dept.surgery
        items.append(ChargeItem("手术费", lines((name, "次", 1, lo, hi))))
        items.append(ChargeItem("麻醉费", lines(("全身麻醉", "次", 1, 600, 1200))))
    optional = [
        ChargeItem("治疗费", lines(("静脉输液", "组", rng.randint(days, 2 * days), 6, 12))),
        ChargeItem("卫生材料费", lines(("一次性静脉留置针", "支", rng.randint(1, 3), 15, 40),
                                   ("一次性输液器", "套", rng.randint(days, 2 * days), 2, 6))),
        ChargeItem("中成药费", lines(("复方丹参滴丸", "粒", rng.randint(20, 60), 0.2, 0.5))),
        ChargeItem("其他费", lines(("住院空调费", "天", days, 2, 5))),
    ]
    items.extend(rng.sample(optional, k=rng.randint(0, min(len(optional), 12 - len(items)))))
    return tuple(items)


def _payment(rng: random.Random, total: Decimal) -> Payment:
    """Splits ``total`` like a basic-insurance settlement: fund share of covered costs, the rest personal."""
    self_expense = money(total * Decimal(str(rng.uniform(0.02, 0.08))))
    fund = money((total - self_expense) * Decimal(str(rng.uniform(0.6, 0.8))))
    # 其他支付 is usually a critical-illness top-up; most bills print 0.00.
    other = money(fund * Decimal(str(rng.uniform(0.05, 0.15)))) if rng.random() < 0.3 else ZERO
    personal = total - fund - other
    account = ZERO if rng.random() < 0.4 else min(personal, money(rng.randint(50, 500)))
    return Payment(
        insurance_fund_paid=fund,
        other_paid=other,
        personal_account_paid=account,
        personal_cash_paid=personal - account,
        self_pay=personal - self_expense,
        self_expense=self_expense,
    )


def _course(rng: random.Random, dept: _Department, patient: Patient, days: int) -> str:
    onset = rng.randint(2, 10)
    return (
        f"患者{patient.name}，{patient.sex}，{patient.age}岁，因“{dept.complaint}{onset}天”入院。"
        f"入院后完善{dept.workup}等检查，明确诊断。予{dept.treatment}等治疗，"
        f"住院{days}天，患者症状明显好转，生命体征平稳，精神、饮食、睡眠可，"
        "经上级医师查房同意，今日予以出院。"
    )


def _numbered(entries: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{i}.{e}" for i, e in enumerate(entries, start=1))


def make_inpatient_case(rng: random.Random,
                        departments: tuple[_Department, ...] = _DEPARTMENTS) -> InpatientCase:
    """A consistent inpatient case: every amount, date and name agrees across its documents."""
    hospital = rng.choice(_HOSPITALS)
    patient = _patient(rng, hospital)
    dept = rng.choice(departments)
    admission = date(2026, 8, 1) + timedelta(days=rng.randint(0, 95))
    days = rng.randint(3, 14)
    discharge = admission + timedelta(days=days)
    stay = Stay(
        department=dept.name,
        admission_date=admission,
        discharge_date=discharge,
        hospital_record_number=str(rng.randint(100000, 99999999)),
        admission_diagnosis=_numbered(dept.admission_diagnosis),
        discharge_diagnosis=_numbered(dept.discharge_diagnosis),
        course=_course(rng, dept, patient, days),
        discharge_orders=_numbered(dept.orders),
        doctor=_person(rng)[0],
    )
    items = _items(rng, dept, days)
    total = sum((item.amount for item in items), ZERO)
    invoice = Invoice(
        code=f"{hospital.region_code}{rng.randint(0, 999999):06d}",
        number=f"{rng.randint(0, 99999999):010d}",
        check_code=f"{rng.getrandbits(24):06x}",
        issue_date=discharge + timedelta(days=rng.choice((0, 0, 0, 1, 2, 3))),
        reviewer=_person(rng)[0],
        cashier=_person(rng)[0],
    )
    return InpatientCase(patient, hospital, stay, items, _payment(rng, total), invoice)


# Accident inpatient stays: injuries rather than illnesses, kept apart from ``_DEPARTMENTS`` so
# that the seeds of the demo bundles keep drawing the same cases.
ACCIDENT_DEPARTMENTS = (
    _Department(
        "创伤骨科",
        ("左桡骨远端骨折",),
        ("左桡骨远端粉碎性骨折", "左腕部软组织挫伤"),
        "摔伤致左腕部肿痛、活动受限",
        "血常规、凝血功能、腕关节X线及CT三维重建",
        "在臂丛麻醉下行左桡骨远端骨折切开复位内固定术，术后消肿、止痛及功能锻炼",
        ("患肢抬高，避免负重，按计划行功能锻炼。",
         "术后2周拆线，1个月复查X线片。",
         "出院后2周创伤骨科门诊复查，不适随诊。"),
        (("注射用头孢唑林钠", "支", 6.0, 15.0), ("七叶皂苷钠注射液", "支", 18.0, 36.0),
         ("氯化钠注射液", "袋", 2.5, 6.5)),
        (("腕关节X线摄影", 60.0, 110.0), ("腕关节CT三维重建", 320.0, 480.0)),
        ("桡骨远端骨折切开复位内固定术", 3200.0, 5200.0),
    ),
    _Department(
        "神经外科",
        ("头部外伤",),
        ("轻型闭合性颅脑损伤", "头皮挫裂伤"),
        "车祸致头痛、头晕",
        "头颅CT、血常规、凝血功能及肝肾功能",
        "头皮清创缝合、止血、营养神经及对症支持",
        ("注意休息，避免剧烈活动。",
         "如出现头痛加重、呕吐等不适立即就诊。",
         "出院后1周神经外科门诊复查头颅CT。"),
        (("注射用血凝酶", "支", 28.0, 55.0), ("胞磷胆碱钠注射液", "支", 9.0, 22.0),
         ("氯化钠注射液", "袋", 2.5, 6.5)),
        (("头颅CT平扫", 150.0, 260.0), ("颈椎X线摄影", 60.0, 110.0)),
    ),
)


def make_accident_inpatient_case(rng: random.Random) -> InpatientCase:
    """An inpatient stay for an injury: the same documents, drawn from injury departments."""
    return make_inpatient_case(rng, ACCIDENT_DEPARTMENTS)


@dataclass(frozen=True)
class Visit:
    """One outpatient visit: what the 门诊 bill's 其他信息 and the 诊断证明书 print."""

    department: str
    visit_date: date
    outpatient_number: str  # 门诊号
    diagnosis: tuple[str, ...]  # numbered as printed
    advice: str  # 建议, the certificate's last paragraph
    doctor: str


@dataclass(frozen=True)
class OutpatientCase(_Billed):
    patient: Patient
    hospital: Hospital
    visit: Visit
    items: tuple[ChargeItem, ...]
    payment: Payment
    invoice: Invoice


@dataclass(frozen=True)
class _Clinic:
    """An outpatient speciality: what it treats, bills and advises."""

    department: str
    diagnosis: tuple[str, ...]
    advice: str
    # (category, line name, unit, quantity range, unit price range)
    charges: tuple[tuple[str, str, str, int, int, float, float], ...]


_CLINICS = (
    _Clinic("肾内科", ("慢性肾脏病5期", "维持性血液透析状态"),
            "需长期规律血液透析治疗，每周3次，定期复查肾功能及电解质。",
            (("治疗费", "血液透析", "次", 8, 13, 380.0, 460.0),
             ("化验费", "肾功能", "次", 1, 2, 30.0, 60.0),
             ("西药费", "重组人促红素注射液", "支", 8, 12, 45.0, 80.0))),
    _Clinic("肿瘤科", ("右肺腺癌术后", "化疗后骨髓抑制"),
            "需定期门诊化疗及复查血常规，注意预防感染。",
            (("西药费", "注射用培美曲塞二钠", "支", 1, 2, 980.0, 1800.0),
             ("治疗费", "静脉输液", "组", 2, 4, 6.0, 12.0),
             ("化验费", "血常规", "次", 1, 2, 15.0, 25.0),
             ("检查费", "胸部CT平扫", "次", 1, 1, 180.0, 320.0))),
    _Clinic("内分泌科", ("2型糖尿病", "糖尿病肾病"),
            "需长期规律使用胰岛素控制血糖，每月门诊复诊。",
            (("西药费", "门冬胰岛素注射液", "支", 4, 10, 38.0, 68.0),
             ("西药费", "盐酸二甲双胍缓释片", "片", 30, 60, 0.6, 1.8),
             ("化验费", "糖化血红蛋白", "次", 1, 1, 40.0, 70.0))),
    _Clinic("心血管内科", ("高血压病3级（很高危）", "冠状动脉粥样硬化性心脏病"),
            "需长期规律服用降压、调脂及抗血小板药物，定期监测血压。",
            (("西药费", "苯磺酸氨氯地平片", "片", 28, 56, 0.5, 2.2),
             ("西药费", "阿托伐他汀钙片", "片", 28, 56, 1.2, 3.6),
             ("检查费", "常规心电图检查", "次", 1, 1, 22.0, 35.0))),
)

# Accident visits to the emergency department: a wound closed and dressed, no stay.
_ACCIDENT_CLINICS = (
    _Clinic("急诊外科", ("左手掌皮肤裂伤",),
            "伤口每2-3天换药一次，10天后拆线，避免患手沾水。",
            (("治疗费", "清创缝合术（中）", "次", 1, 1, 120.0, 260.0),
             ("西药费", "破伤风人免疫球蛋白", "支", 1, 1, 180.0, 320.0),
             ("卫生材料费", "可吸收缝合线", "根", 1, 2, 40.0, 90.0),
             ("检查费", "手部X线摄影", "次", 1, 1, 60.0, 110.0))),
    _Clinic("急诊外科", ("右踝关节扭伤", "右外踝撕脱性骨折"),
            "右踝石膏托外固定4周，避免负重行走，2周后骨科门诊复查。",
            (("治疗费", "石膏托外固定", "次", 1, 1, 150.0, 280.0),
             ("检查费", "踝关节X线摄影", "次", 1, 1, 60.0, 110.0),
             ("西药费", "洛索洛芬钠片", "片", 12, 24, 1.0, 2.6))),
)


def make_outpatient_case(rng: random.Random, *, accident: bool = False,
                         like: OutpatientCase | None = None, visit_on: date | None = None
                         ) -> OutpatientCase:
    """A consistent outpatient visit.

    ``like`` gives a later visit of the same patient to the same clinic: chronic-disease claims
    bundle several months' bills of one treatment.
    """
    clinic = rng.choice(_ACCIDENT_CLINICS if accident else _CLINICS)
    if like is not None:
        hospital, patient = like.hospital, like.patient
        clinic = next(c for c in _CLINICS + _ACCIDENT_CLINICS
                      if c.diagnosis == tuple(d.split(".", 1)[1] for d in like.visit.diagnosis))
    else:
        hospital = rng.choice(_HOSPITALS)
        patient = _patient(rng, hospital)
    by_category: dict[str, list[ExpenseLine]] = {}
    for category, name, unit, qlo, qhi, plo, phi in clinic.charges:
        line = ExpenseLine(name, unit, rng.randint(qlo, qhi), _price(rng, plo, phi))
        by_category.setdefault(category, []).append(line)
    items = tuple(ChargeItem(c, tuple(lines)) for c, lines in by_category.items())
    items += (ChargeItem("诊察费", (ExpenseLine("门诊诊查费", "次", 1, _price(rng, 10, 25)),)),)
    day = visit_on or date(2026, 8, 1) + timedelta(days=rng.randint(0, 100))
    visit = Visit(
        department=clinic.department,
        visit_date=day,
        outpatient_number=like.visit.outpatient_number if like else f"MZ{rng.randint(10**7, 10**9)}",
        diagnosis=_numbered(clinic.diagnosis),
        advice=clinic.advice,
        doctor=like.visit.doctor if like else _person(rng)[0],
    )
    total = sum((item.amount for item in items), ZERO)
    invoice = Invoice(
        code=f"{hospital.region_code}{rng.randint(0, 999999):06d}",
        number=f"{rng.randint(0, 99999999):010d}",
        check_code=f"{rng.getrandbits(24):06x}",
        issue_date=day,  # outpatient bills are printed at the cashier on the day
        reviewer=_person(rng)[0],
        cashier=_person(rng)[0],
    )
    return OutpatientCase(patient, hospital, visit, items, _payment(rng, total), invoice)
