"""The older provincial bills that real uploads are, read for real: one scan of each form the
generator learned from the real development set, through the whole reading pipeline with the
real PP-OCR engine. What a member of staff checks first must come out right: the document type,
the number, the date, the totals in figures and in words, the insurance split, the hospital and
the charge categories (the left column, not the detail lines beside it)."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from claim_intake.evaluation.score import values_match
from claim_intake.ocr.engine import RapidOcrEngine, rapidocr_engine
from claim_intake.ocr.options import ReadOptions
from claim_intake.pipeline import read_upload
from claim_intake.samples.capture import jpeg_bytes, scan
from claim_intake.samples.page import Page, rasterise
from claim_intake.samples.printing import Fields
from claim_intake.samples.regional_data import GUANGXI, HEILONGJIANG, SHANGHAI, make_regional_bill
from claim_intake.samples.render_provincial import (
    guangxi_e_outpatient_page,
    heilongjiang_outpatient_page,
)
from claim_intake.samples.render_shanghai import ShanghaiStyle, shanghai_outpatient_page

pytestmark = pytest.mark.ocr

KEY_FIELDS = ("invoice_number", "issue_date", "total_amount", "total_amount_words",
              "insurance_fund_paid", "personal_account_paid", "payee", "items")

FORMS: dict[str, Callable[[], tuple[Page, Fields]]] = {
    # 收费日期 2026.xx.xx hh:mm:ss, a 合计 figure, payment values half a line up on their labels.
    "shanghai_charge_date": lambda: shanghai_outpatient_page(
        make_regional_bill(random.Random(101), SHANGHAI),
        ShanghaiStyle(visit_date=True, shift=(8, -12), pay_shift=-6)),
    # 日期 2026091515:41:53, bare integers, no 合计 figure, a dispensary note over the title.
    "shanghai_bare_amounts": lambda: shanghai_outpatient_page(
        make_regional_bill(random.Random(102), SHANGHAI, bare=True),
        ShanghaiStyle(date_label="日期", date_format="packed", amounts="bare", total_figure=False,
                      words="zero_fen", header_note="取药号:4127", stamp="items")),
    # The hospital name struck across the title and printed nowhere else (no 收款单位 line): the
    # header's issuer, cut from the title it runs into (the black-layer second look is tested on
    # a render of its own in test_layers.py and by the three-sheet corpus bundle).
    "shanghai_name_over_title": lambda: shanghai_outpatient_page(
        make_regional_bill(random.Random(105), SHANGHAI),
        ShanghaiStyle(name_over_title=True, payee_line=False)),
    "guangxi_e_bill": lambda: guangxi_e_outpatient_page(make_regional_bill(random.Random(103), GUANGXI)),
    "heilongjiang_dot_matrix": lambda: heilongjiang_outpatient_page(
        make_regional_bill(random.Random(104), HEILONGJIANG), shift=(10, 16)),
}


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return rapidocr_engine(ReadOptions().rapidocr)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_key_fields_of_the_older_forms_are_read(form: str, engine: RapidOcrEngine) -> None:
    page, truth = FORMS[form]()
    data = jpeg_bytes(scan(rasterise(page), random.Random(form)), 85)
    report = read_upload(f"{form}.jpg", data, ReadOptions(), lambda: engine)
    assert report.error is None
    (document,) = report.documents
    assert document.doc_type == "invoice_outpatient"
    read = {name: document.fields[name].value if name in document.fields else None
            for name in KEY_FIELDS}
    wrong = {name: (read[name], truth[name]) for name in KEY_FIELDS
             if not values_match(truth[name], read[name])}
    assert wrong == {}
