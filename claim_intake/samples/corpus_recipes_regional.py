"""Corpus claims on the older provincial forms, as the real development set shows them: the
Shanghai 机打 bill in the ways hospitals' printers fill it, a 广西 e-bill and a 黑龙江 机打 bill, each
photographed or scanned the way members do it. Every one is a complete claim: no findings.

Registered into ``corpus_recipes.RECIPES``; each draws from its own seed, so the bundles of the
other recipes are unchanged by these.
"""

from __future__ import annotations

import random

from claim_intake.samples.corpus_recipes import _add_accident_proof, _submitted, recipe
from claim_intake.samples.corpus_write import Bundle, Capture
from claim_intake.samples.printing import Print
from claim_intake.samples.regional_data import (
    GUANGXI,
    HEILONGJIANG,
    SHANGHAI,
    RegionalBill,
    make_regional_bill,
)
from claim_intake.samples.render_medical import diagnosis_certificate_page
from claim_intake.samples.render_provincial import (
    guangxi_e_outpatient_page,
    heilongjiang_outpatient_page,
)
from claim_intake.samples.render_shanghai import ShanghaiStyle, shanghai_outpatient_page
from claim_intake.samples.stamps import STAMP_BLUE

# Notes people write across a bill after it is printed: a receipt mark, a figure, a date.
_NOTES = ("材料已收 核对", "已受理", "复印件已留存", "已核 12.5", "报销用")


def _note(rng: random.Random) -> str:
    return rng.choice(_NOTES) + f" {rng.randint(1, 12)}.{rng.randint(1, 28)}"


def _special(name: str, rng: random.Random, bill: RegionalBill) -> Bundle:
    case = bill.case
    return Bundle(name, "outpatient_special", case.patient.name,
                  _submitted(rng, case.visit.visit_date))


def _with_certificate(bundle: Bundle, rng: random.Random, bill: RegionalBill, stem: str,
                      capture: Capture) -> Bundle:
    bundle.add(stem, "diagnosis_certificate", capture,
               diagnosis_certificate_page(bill.case, Print(face=rng.choice(("sans", "serif")))))
    return bundle


def _shanghai(name: str, rng: random.Random, style: ShanghaiStyle, capture: Capture,
              cert_capture: Capture, **bill_options: bool) -> Bundle:
    bill = make_regional_bill(rng, SHANGHAI, **bill_options)
    bundle = _special(name, rng, bill)
    bundle.add("01_invoice", "invoice_outpatient", capture, shanghai_outpatient_page(bill, style))
    return _with_certificate(bundle, rng, bill, "02_diagnosis_certificate", cert_capture)


@recipe
def outpatient_special_shanghai_dot_matrix_scan(name: str, rng: random.Random) -> Bundle:
    """收费日期 2026.09.15 10:08:12, a 合计 figure, payment values overlapping their labels."""
    style = ShanghaiStyle(visit_date=True, shift=(rng.uniform(4, 12), rng.uniform(-14, -8)),
                          pay_shift=rng.uniform(-8, -4))
    return _shanghai(name, rng, style, "scan", "scan")


@recipe
def outpatient_special_shanghai_dark_desk_photo(name: str, rng: random.Random) -> Bundle:
    """日期 2026091515:41:53, whole-yuan amounts printed bare (15, 0), no 合计 figure, 零分 in the
    大写, a dispensary note over the title, the stamp over the categories."""
    style = ShanghaiStyle(date_label="日期", date_format="packed", amounts="bare",
                          total_figure=False, words="zero_fen", payee_line=False,
                          header_note=f"取药号:{rng.randint(1000, 9999)}", stamp="items",
                          shift=(rng.uniform(-6, 6), rng.uniform(-6, 6)))
    return _shanghai(name, rng, style, "photo_dark_desk", "photo", bare=True)


@recipe
def outpatient_special_shanghai_values_a_line_high(name: str, rng: random.Random) -> Bundle:
    """The feed a full line short: every value sits above its label, some on the ruled lines;
    a blue stamp over the payment block and a pen note across the detail column."""
    style = ShanghaiStyle(date_label="日期", date_format="iso", total_figure=False,
                          shift=(rng.uniform(-8, 8), rng.uniform(-40, -34)), stamp="payment",
                          stamp_color=STAMP_BLUE, note=_note(rng))
    return _shanghai(name, rng, style, "photo_tablecloth", "scan")


@recipe
def outpatient_special_shanghai_turned_photo(name: str, rng: random.Random) -> Bundle:
    """A phone photo of the bill turned 90°, on other papers: ¥ amounts, 大写 with the figure
    glued on and no 整, the hospital name struck over the title, a pen note."""
    style = ShanghaiStyle(date_label="日期", date_format="iso", amounts="yen",
                          total_figure=False, words="with_figure", name_over_title=True,
                          payee_line=False, stamp_color=STAMP_BLUE, note=_note(rng),
                          shift=(rng.uniform(-5, 5), rng.uniform(4, 12)))
    return _shanghai(name, rng, style, "photo_turned_90", "photo")


@recipe
def outpatient_special_shanghai_registration_torn_corner(name: str, rng: random.Random) -> Bundle:
    """A registration (挂号) bill: two consultation categories, no 合计 figure, only 打印时间;
    a corner torn off, a figure written in pen, a faded ribbon."""
    style = ShanghaiStyle(date_label="打印时间", total_figure=False, faint=True,
                          note=f"{rng.randint(100, 9999)}.{rng.randint(1, 9)}", stamp="payment",
                          shift=(rng.uniform(0, 10), rng.uniform(8, 16)))
    return _shanghai(name, rng, style, "photo_torn_corner", "scan", registration=True)


@recipe
def outpatient_special_shanghai_three_sheets_one_payment(name: str, rng: random.Random) -> Bundle:
    """A herbal prescription printed over three consecutively numbered sheets: only the first
    carries the categories, the totals and the payment; the others continue the detail lines."""
    bill = make_regional_bill(rng, SHANGHAI, herbal=True)
    style = ShanghaiStyle(date_label="日期", date_format="iso", amounts="yen",
                          total_figure=False, words="with_figure", name_over_title=True,
                          payee_line=False, stamp_color=STAMP_BLUE,
                          shift=(rng.uniform(-5, 5), rng.uniform(-6, 6)))
    bundle = _special(name, rng, bill)
    first = int(bill.case.invoice.number)
    per_sheet = 10
    chunks = [bill.details[i:i + per_sheet] for i in range(0, len(bill.details), per_sheet)]
    for k, chunk in enumerate(chunks):
        bundle.add(f"{k + 1:02d}_invoice_sheet{k + 1}", "invoice_outpatient", "photo_turned_90",
                   shanghai_outpatient_page(bill, style, continuation=k > 0,
                                            details=chunk, invoice_number=str(first + k)))
    return _with_certificate(bundle, rng, bill, f"{len(chunks) + 1:02d}_diagnosis_certificate",
                             "scan")


@recipe
def outpatient_special_guangxi_e_bill(name: str, rng: random.Random) -> Bundle:
    """The 广西 e-bill, saved as a picture: label and value in separate cells, the settlement as
    a row of labels over a row of values."""
    bill = make_regional_bill(rng, GUANGXI)
    bundle = _special(name, rng, bill)
    bundle.add("01_invoice", "invoice_outpatient", "clean", guangxi_e_outpatient_page(bill))
    return _with_certificate(bundle, rng, bill, "02_diagnosis_certificate", "photo")


@recipe
def accident_outpatient_guangxi_e_bill_photo(name: str, rng: random.Random) -> Bundle:
    """The 广西 e-bill printed out and photographed on a dark desk, for an emergency visit."""
    bill = make_regional_bill(rng, GUANGXI, accident=True)
    case = bill.case
    bundle = Bundle(name, "accident", case.patient.name, _submitted(rng, case.visit.visit_date))
    bundle.add("01_invoice", "invoice_outpatient", "photo_dark_desk", guangxi_e_outpatient_page(bill))
    _with_certificate(bundle, rng, bill, "02_diagnosis_certificate", "scan")
    _add_accident_proof(rng, bundle, case, "03_accident_proof", "photo")
    return bundle


@recipe
def outpatient_special_heilongjiang_dot_matrix_scan(name: str, rng: random.Random) -> Bundle:
    """The 黑龙江 机打 bill: amounts in a pre-printed category grid, the date in 年 月 日 blanks,
    the print half a line low and to the right."""
    bill = make_regional_bill(rng, HEILONGJIANG)
    bundle = _special(name, rng, bill)
    shift = (rng.uniform(6, 16), rng.uniform(12, 20))
    bundle.add("01_invoice", "invoice_outpatient", "scan", heilongjiang_outpatient_page(bill, shift=shift))
    return _with_certificate(bundle, rng, bill, "02_diagnosis_certificate", "scan")


@recipe
def outpatient_special_heilongjiang_dark_desk_photo(name: str, rng: random.Random) -> Bundle:
    """The 黑龙江 机打 bill photographed on a dark desk, the print riding up onto the lines."""
    bill = make_regional_bill(rng, HEILONGJIANG, bare=True)
    bundle = _special(name, rng, bill)
    shift = (rng.uniform(-12, -4), rng.uniform(-22, -16))
    bundle.add("01_invoice", "invoice_outpatient", "photo_dark_desk",
               heilongjiang_outpatient_page(bill, shift=shift))
    return _with_certificate(bundle, rng, bill, "02_diagnosis_certificate", "photo")
