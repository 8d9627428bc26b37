"""The claimant's own papers: ID card face, bank card face and the programme's application form.

The domain reference names no fields for them; the ground truth uses the names the union's
enrolment profile would (``name``, ``id_number``, ``bank_name``, ``card_number`` ...).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
from PIL import Image

from claim_intake.samples.claimant import Claimant
from claim_intake.samples.page import RGB, Page, wrap
from claim_intake.samples.printing import Fields
from claim_intake.samples.render import A4_SIZE, _cn_date, _money

# A card photographed flat fills about this much of a phone picture.
CARD_SIZE = (1012, 638)
_CARD_LABEL: RGB = (60, 110, 170)


def _tint(width: int, height: int, top: RGB, bottom: RGB) -> Image.Image:
    """A full-bleed vertical gradient, multiplied under the print like a card's background."""
    ramp = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    rgb = (1 - ramp) * np.array(top, np.float32) + ramp * np.array(bottom, np.float32)
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = np.broadcast_to(rgb, (height, width, 3)).astype(np.uint8)
    rgba[..., 3] = 255
    return Image.fromarray(rgba, "RGBA")


def _portrait(width: int, height: int) -> Image.Image:
    """The grey head-and-shoulders silhouette where the card's photo is."""
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    head = ((xx - width / 2) / (width * 0.24)) ** 2 + ((yy - height * 0.36) / (height * 0.22)) ** 2 < 1
    body = ((xx - width / 2) / (width * 0.48)) ** 2 + ((yy - height) / (height * 0.36)) ** 2 < 1
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = 90
    rgba[..., 3] = ((head | body) * 200).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def id_card_page(claimant: Claimant) -> tuple[Page, Fields]:
    """The face of a 居民身份证 with the holder's details; labels in the card's blue."""
    w, h = CARD_SIZE
    page = Page(w, h, face="sans")
    left, size = 60, 30

    def line(y: float, label: str, value: str) -> None:
        page.pair(left, y, label, value, size, label_color=_CARD_LABEL, sep="　")

    line(100, "姓名", claimant.name)
    page.pair(left, 170, "性别", claimant.sex, size, label_color=_CARD_LABEL, sep="　")
    page.pair(left + 220, 170, "民族", claimant.ethnicity, size, label_color=_CARD_LABEL, sep="　")
    born = claimant.birth_date
    line(240, "出生", f"{born.year}年{born.month}月{born.day}日")
    address = wrap(claimant.address, size, 520)
    line(310, "住址", address[0])
    for i, more in enumerate(address[1:], start=1):
        page.text(left + 2 * size + size, 310 + i * 48, more, size)
    page.pair(left, 560, "公民身份号码", claimant.id_number, 34, label_color=_CARD_LABEL, sep="　")
    page.stamp(w - 200, 250, _portrait(260, 320))
    page.stamp(w / 2, h / 2, _tint(w, h, (236, 240, 246), (248, 236, 226)))
    page.box(2, 2, w - 2, h - 2, width=3, color=(180, 180, 180))
    return page, {"name": claimant.name, "sex": claimant.sex, "ethnicity": claimant.ethnicity,
                  "birth_date": born.isoformat(), "address": claimant.address,
                  "id_number": claimant.id_number}


def bank_card_page(claimant: Claimant) -> tuple[Page, Fields]:
    """A UnionPay debit card: bank name, 借记卡, the number in groups of four, the 银联 mark.

    The card is a light (gold) one: stamps multiply onto the page, which cannot lighten print.
    """
    w, h = CARD_SIZE
    page = Page(w, h, face="sans_bold")
    ink: RGB = (70, 40, 10)
    page.text(60, 100, claimant.bank_name, 44, color=(170, 20, 30))
    page.text(w - 60, 100, "借记卡", 30, color=ink, anchor="r")
    number = claimant.card_number
    grouped = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    page.text(60, 400, grouped, 52, color=ink)
    page.text(60, 470, "DEBIT CARD", 24, color=ink)
    page.text(w - 60, 560, "银联", 40, color=(200, 30, 40), anchor="r")
    page.text(w - 60, 600, "UnionPay", 26, color=(20, 60, 140), anchor="r")
    page.stamp(w / 2, h / 2, _tint(w, h, (250, 232, 180), (232, 196, 120)))
    page.box(2, 2, w - 2, h - 2, width=3, color=(150, 120, 60))
    return page, {"bank_name": claimant.bank_name, "card_number": number}


def application_form_page(claimant: Claimant, claim_label: str, hospital: str, total: Decimal,
                          submitted_on: date) -> tuple[Page, Fields]:
    """The union's 职工医疗互助金申请表, filled in by the claimant."""
    w, h = A4_SIZE
    page = Page(w, h, face="serif")
    left, right, mid = 90, w - 90, w / 2
    page.text(w / 2, 150, "职工医疗互助金申请表", 48, face="serif_bold", anchor="m")
    rows = (
        (("申请人", claimant.name), ("性别", claimant.sex)),
        (("身份证号", claimant.id_number), ("联系电话", claimant.phone)),
        (("工作单位", claimant.employer), None),
        (("申请类别", claim_label), ("就诊医院", hospital)),
        (("医疗费总额", _money(total)), ("申请金额", "按规定核定")),
        (("开户银行", claimant.bank_name), ("银行账号", claimant.card_number)),
    )
    top, row_h = 220, 80
    page.box(left, top, right, top + row_h * len(rows), width=3)
    for r, row in enumerate(rows):
        y = top + r * row_h
        if r:
            page.rule(left, y, right, y, width=1)
        first, second = row
        page.pair(left + 20, y + 52, *first, 26)
        if second is not None:
            page.rule(mid + 90, y, mid + 90, y + row_h, width=1)
            page.pair(mid + 110, y + 52, *second, 26)
    y = top + row_h * len(rows) + 80
    declaration = ("本人承诺所提供的医疗费用票据及病历资料真实有效，未在其他渠道重复报销，"
                   "如有虚假愿承担相应责任。")
    for chunk in wrap(declaration, 28, right - left, page.face):
        page.text(left, y, chunk, 28)
        y += 48
    page.pair(mid + 60, y + 100, "申请人签字", claimant.name, 28)
    page.pair(mid + 60, y + 160, "申请日期", _cn_date(submitted_on), 28)
    return page, {"applicant_name": claimant.name, "id_number": claimant.id_number,
                  "total_amount": _money(total), "bank_name": claimant.bank_name,
                  "account_number": claimant.card_number, "application_date": submitted_on.isoformat()}
