"""What a claim carries besides its medical papers: the claimant's ID card, bank card, employer
and, for an injury, how the accident happened. Drawn from a seeded source, consistent with the
patient of the case (the claimant is the patient in every corpus claim)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from claim_intake.samples.data import Hospital, Patient

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_BANKS = (("中国工商银行", "622202"), ("中国建设银行", "621700"), ("中国农业银行", "622848"),
          ("中国银行", "621661"), ("交通银行", "622262"), ("广西北部湾银行", "623166"))
_STREETS = ("民族大道", "人民路", "解放路", "建设路", "中山路", "朝阳路", "五一路", "新华街")
_EMPLOYERS = ("供电局", "自来水有限责任公司", "公交集团有限公司", "第三中学", "烟草专卖局",
              "城市建设投资集团", "邮政分公司", "燃气有限公司")


@dataclass(frozen=True)
class Claimant:
    name: str
    sex: str
    ethnicity: str  # 民族, e.g. 汉 or 壮
    birth_date: date
    address: str
    id_number: str  # the full 18 characters, as printed on the card
    employer: str
    phone: str
    bank_name: str
    card_number: str  # 19 digits, UnionPay


@dataclass(frozen=True)
class Accident:
    traffic: bool  # a road accident gets a 交通事故责任认定书, anything else a 意外事故证明
    when: date
    place: str
    account: str  # 事故经过, one sentence
    issuer: str  # who certifies it: a traffic police brigade or the employer


def _check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS))
    return "10X98765432"[total % 11]


def make_claimant(rng: random.Random, patient: Patient, hospital: Hospital, today: date) -> Claimant:
    birth = date(today.year - patient.age, 1, 1) + timedelta(days=rng.randint(0, 364))
    # The card must agree with the masked number the bills print (first 3, last 4 characters);
    # the county digits are free, so pick ones that give the printed check character.
    masked = patient.id_number
    first17 = next(candidate for county in range(1000)
                   if _check_digit(candidate := f"{masked[:3]}{county:03d}{birth:%Y%m%d}{masked[14:17]}")
                   == masked[17])
    bank, prefix = rng.choice(_BANKS)
    digits = "".join(str(rng.randint(0, 9)) for _ in range(13))
    return Claimant(
        name=patient.name,
        sex=patient.sex,
        ethnicity="壮" if hospital.region_code == "45" and rng.random() < 0.4 else "汉",
        birth_date=birth,
        address=f"{hospital.province}{hospital.city}{rng.choice(_STREETS)}{rng.randint(1, 399)}号"
                f"{rng.randint(1, 12)}栋{rng.randint(1, 6)}单元{rng.randint(101, 1802)}号",
        id_number=first17 + masked[17],
        employer=hospital.city + rng.choice(_EMPLOYERS),
        phone=f"1{rng.choice((3, 5, 7, 8))}{rng.randint(0, 999999999):09d}",
        bank_name=bank,
        card_number=prefix + digits,
    )


def make_accident(rng: random.Random, claimant: Claimant, hospital: Hospital, when: date,
                  injury: str, traffic: bool) -> Accident:
    street = rng.choice(_STREETS)
    if traffic:
        return Accident(
            traffic=True, when=when, place=f"{hospital.city}{street}与{rng.choice(_STREETS)}交叉路口",
            account=f"{claimant.name}驾驶电动自行车沿{street}由东向西行驶时，与一辆左转弯的小型轿车"
                    f"发生碰撞，造成{claimant.name}受伤、车辆损坏的交通事故。",
            issuer=f"{hospital.city}公安局交通警察支队",
        )
    return Accident(
        traffic=False, when=when, place=f"{claimant.employer}办公楼",
        account=f"我单位职工{claimant.name}于工作期间在办公楼楼梯处不慎摔倒，致{injury}，"
                f"当即送往{hospital.name}就诊。",
        issuer=claimant.employer,
    )
