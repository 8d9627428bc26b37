"""The older provincial forms of the generator: deterministic, and their ground truth agrees with
itself and with what is printed (no OCR)."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from claim_intake.extract.amount_words import parse_amount_words
from claim_intake.samples.capture import phone_photo
from claim_intake.samples.page import Page, page_text, rasterise
from claim_intake.samples.printing import Fields
from claim_intake.samples.regional_data import (
    GUANGXI,
    HEILONGJIANG,
    SHANGHAI,
    make_regional_bill,
)
from claim_intake.samples.render_provincial import (
    guangxi_e_outpatient_page,
    heilongjiang_outpatient_page,
)
from claim_intake.samples.render_shanghai import ShanghaiStyle, shanghai_outpatient_page

SEEDS = range(30)
STYLES = {
    "plain": ShanghaiStyle(visit_date=True, shift=(8, -12), pay_shift=-6),
    "bare": ShanghaiStyle(date_label="日期", date_format="packed", amounts="bare",
                          total_figure=False, words="zero_fen", header_note="取药号:1234"),
    "yen": ShanghaiStyle(date_label="日期", date_format="iso", amounts="yen", total_figure=False,
                         words="with_figure", name_over_title=True, note="已受理 6.1"),
}
PAYMENT_PARTS = ("insurance_fund_paid", "other_paid", "personal_account_paid", "personal_cash_paid")


def _forms(bill_seed: int) -> dict[str, tuple[Page, Fields]]:
    sh = make_regional_bill(random.Random(bill_seed), SHANGHAI, bare=bill_seed % 2 == 0)
    return {
        **{f"shanghai_{k}": shanghai_outpatient_page(sh, style) for k, style in STYLES.items()},
        "guangxi": guangxi_e_outpatient_page(make_regional_bill(random.Random(bill_seed), GUANGXI)),
        "heilongjiang": heilongjiang_outpatient_page(
            make_regional_bill(random.Random(bill_seed), HEILONGJIANG), shift=(10, 16)),
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_bill_invariants(seed: int) -> None:
    for options in ({}, {"registration": True}, {"herbal": True}, {"bare": True}):
        bill = make_regional_bill(random.Random(seed), SHANGHAI, **options)
        pay, case = bill.payment, bill.case
        total = case.total_amount
        assert total > 0
        assert pay.insurance_fund_paid + pay.personal_account_paid + pay.additional_paid + pay.cash == total
        assert pay.class_copay + pay.copay + pay.self_expense == pay.cash
        assert min(pay.insurance_fund_paid, pay.personal_account_paid, pay.additional_paid,
                   pay.class_copay, pay.copay, pay.self_expense) >= 0
        assert sum((d.line.amount for d in bill.details), Decimal(0)) == (Decimal(0) if bill.registration else total)
        assert bill.printed_at.date() == case.invoice.issue_date == case.visit.visit_date
        if options.get("bare"):
            assert all(d.line.unit_price == d.line.unit_price.to_integral() for d in bill.details)


def _fields_add_up(fields: dict[str, Any]) -> None:
    total = Decimal(fields["total_amount"])
    assert parse_amount_words(fields["total_amount_words"]) == total
    assert sum(Decimal(i["amount"]) for i in fields["items"]) == total
    assert sum(Decimal(fields[k]) for k in PAYMENT_PARTS) == total


@pytest.mark.parametrize("seed", SEEDS)
def test_ground_truth_is_self_consistent(seed: int) -> None:
    for form, (_, fields) in _forms(seed).items():
        assert fields["title"] and fields["invoice_number"] and fields["payee"], form
        assert len(fields["issue_date"]) == 10, form
        _fields_add_up(fields)


def test_ground_truth_is_what_is_printed() -> None:
    bill = make_regional_bill(random.Random(4), SHANGHAI)
    for form, (page, fields) in _forms(4).items():
        text = "".join(page_text(page)).replace(" ", "")
        for item in fields["items"]:
            assert item["name"] in text, (form, item)
        assert fields["invoice_number"] in text, form
        assert fields["total_amount_words"] in text, form
        assert fields["payer_name"] in text, form
    # the categories are the left column's, never the right column's detail lines
    _, fields = shanghai_outpatient_page(bill)
    assert {i["name"] for i in fields["items"]} == {i.name for i in bill.case.items}
    assert not {d.line.name for d in bill.details} & {i["name"] for i in fields["items"]}


def test_shanghai_prints_dates_and_amounts_as_the_style_says() -> None:
    bill = make_regional_bill(random.Random(8), SHANGHAI, bare=True)
    at = bill.printed_at
    texts = {k: page_text(shanghai_outpatient_page(bill, s)[0]) for k, s in STYLES.items()}
    assert f"{at:%Y.%m.%d %H:%M:%S}" in texts["plain"]
    assert f"{at:%Y%m%d%H:%M:%S}" in texts["bare"]
    assert f"{at:%Y-%m-%d %H:%M:%S}" in texts["yen"]
    whole = next(i for i in bill.case.items if i.amount == i.amount.to_integral())
    assert f"{whole.amount:.0f}" in texts["bare"]
    assert f"¥{whole.amount:.2f}" in texts["yen"]
    _, yen = shanghai_outpatient_page(bill, STYLES["yen"])
    assert f"{yen['total_amount_words']}¥{bill.total_amount:.2f}" in texts["yen"]
    assert not yen["total_amount_words"].endswith("整")


def test_continuation_sheet_carries_no_totals() -> None:
    bill = make_regional_bill(random.Random(2), SHANGHAI, herbal=True)
    assert len(bill.details) > 20
    _, summary = shanghai_outpatient_page(bill, details=bill.details[:10])
    _, more = shanghai_outpatient_page(bill, continuation=True, details=bill.details[10:20],
                                       invoice_number=str(int(bill.case.invoice.number) + 1))
    _fields_add_up(summary)
    assert set(more) == {"title", "invoice_number", "payee", "payer_name", "issue_date"}
    assert more["invoice_number"] != summary["invoice_number"]


def test_same_seed_same_pixels() -> None:
    first = {k: np.asarray(rasterise(p)) for k, (p, _) in _forms(5).items()}
    again = {k: np.asarray(rasterise(p)) for k, (p, _) in _forms(5).items()}
    for form, pixels in first.items():
        assert np.array_equal(pixels, again[form]), form
    other = np.asarray(rasterise(_forms(6)["guangxi"][0]))
    assert not np.array_equal(first["guangxi"], other)


@pytest.mark.parametrize("surface", ["dark", "tablecloth", "papers"])
def test_photo_surfaces_are_seeded_and_torn_corners_show_the_desk(surface: str) -> None:
    page = rasterise(heilongjiang_outpatient_page(make_regional_bill(random.Random(1), HEILONGJIANG))[0])
    a = np.asarray(phone_photo(page, random.Random(3), surface=surface))  # type: ignore[arg-type]
    b = np.asarray(phone_photo(page, random.Random(3), surface=surface))  # type: ignore[arg-type]
    assert np.array_equal(a, b)
    if surface == "dark":  # a dark desk frames the bill in near-black
        assert a[:20].mean() < 80 and a[a.shape[0] // 2, a.shape[1] // 2].mean() > 150
        torn = np.asarray(phone_photo(page, random.Random(3), surface="dark", torn=True))
        assert (torn.astype(int) - a.astype(int)).mean() < 0  # paper gone, desk showing


_GRID = ("西药费", "中成药费", "中草药费", "检查费", "化验费", "放射费", "治疗费", "手术费", "材料费",
         "诊查费", "挂号费", "其它费")


def test_heilongjiang_grid_holds_only_charged_categories() -> None:
    bill = make_regional_bill(random.Random(9), HEILONGJIANG, herbal=True)
    _, fields = heilongjiang_outpatient_page(bill)
    names = [i["name"] for i in fields["items"]]
    assert names == sorted(names, key=_GRID.index)  # in the form's pre-printed order
    assert len(names) == len(bill.case.items)
    assert "中草药费" in names  # the case's 草药费 is printed in the form's own cell
