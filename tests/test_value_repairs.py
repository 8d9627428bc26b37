"""The value finder and the cross-checks on layouts and misreadings that real older 机打 bills
show: figures that are no payment (a detail line's quantity, a window number, a herb's dose),
two charges on one row, 大写 read garbled, partial titles, payment parts repaired by arithmetic."""

from claim_intake.extract.classify import classify_page
from claim_intake.extract.crosscheck import reconcile_totals
from claim_intake.extract.fields import extract_fields
from claim_intake.extract.models import DocType, Field
from claim_intake.extract.normalize import find_amount_words
from claim_intake.extract.templates import builtin_templates
from tests.conftest import line, page


def _outpatient(*lines):
    return extract_fields(builtin_templates()[DocType.invoice_outpatient], [page(*lines)])


def _f(value, confidence=0.9) -> Field:
    return Field(value=value, raw=value if isinstance(value, str) else "", confidence=confidence)


# --- the value finder ---------------------------------------------------------------------------


def test_a_dose_a_code_or_a_window_number_is_no_payment() -> None:
    fields = _outpatient(
        line("个人账户支付：", 40, 600), line("6g*1/袋3.00¥2.15", 520, 600),
        line("医保统筹支付：", 40, 700), line("3-15-8", 520, 700),
        line("现金支付：", 40, 800), line("请到门诊3楼取药", 520, 790),
    )
    assert "personal_account_paid" not in fields
    assert "insurance_fund_paid" not in fields
    assert "personal_cash_paid" not in fields


def test_a_figure_printed_after_other_words_is_theirs() -> None:
    fields = _outpatient(line("个人账户支付：", 40, 600), line("白芷0", 300, 560))
    assert "personal_account_paid" not in fields
    # A bare figure in the same place is the value.
    assert _outpatient(line("个人账户支付：", 40, 600), line("0", 300, 560))["personal_account_paid"].value == "0.00"


def test_a_figure_far_along_the_row_behind_a_detail_tables_cells_is_not_the_value() -> None:
    lines = [line("个人账户支付：", 40, 600), line("300412", 500, 600), line("当归", 700, 600), line("¥17.00", 1000, 600)]
    assert "personal_account_paid" not in _outpatient(*lines)
    # With nothing between them, a figure far right on the label's row is its value.
    assert _outpatient(lines[0], lines[3])["personal_account_paid"].value == "17.00"


def test_two_charges_printed_on_one_row_of_the_charge_column() -> None:
    fields = _outpatient(
        line("项目", 200, 200), line("金额（元）", 400, 200), line("项目编码", 700, 200), line("名称", 900, 200),
        line("规格", 1000, 200), line("数量", 1100, 200),
        line("西药寶", 100, 260), line("¥128.40", 220, 262), line("其他赞", 400, 260), line("¥3.00", 500, 262),
        line("合计(大写)：壹佰叁拾壹元肆角", 100, 500),
    )
    assert fields["items"].value == [{"name": "西药费", "amount": "128.40"}, {"name": "其他费", "amount": "3.00"}]


# --- 大写 read garbled --------------------------------------------------------------------------


def test_words_garbled_throughout_with_their_units_in_place_are_the_vouched_totals() -> None:
    assert find_amount_words("言佰晶抬元业") == "言佰晶抬元业"
    fields = reconcile_totals({
        "total_amount_words": _f("言佰晶抬元业", 0.72), "items": _f([{"name": "治疗费", "amount": "130.00"}]),
        "insurance_fund_paid": _f("65.00"), "personal_cash_paid": _f("65.00"),
    })
    assert fields["total_amount_words"].value == "壹佰叁拾元整"
    # Units out of place say nothing for the total: the reading is doubted, not rewritten.
    fields = reconcile_totals({"total_amount_words": _f("言元晶抬佰业", 0.72), "total_amount": _f("130.00")})
    assert fields["total_amount_words"].value == "言元晶抬佰业"
    assert fields["total_amount_words"].confidence <= 0.5


def test_words_read_as_one_of_their_printed_forms_keep_that_form() -> None:
    # 壹佰陆拾元 printed without 整, read with low confidence: no 整 is added.
    fields = reconcile_totals({"total_amount_words": _f("壹佰陆拾元", 0.85), "total_amount": _f("160.00")})
    assert fields["total_amount_words"].value == "壹佰陆拾元"


def test_the_first_numeral_misread_before_a_shi_is_part_of_the_words() -> None:
    assert find_amount_words("歪拾伍元整") == "歪拾伍元整"
    fields = reconcile_totals({"total_amount_words": _f("歪拾伍元整", 0.78), "total_amount": _f("15.00")})
    assert fields["total_amount_words"].value == "壹拾伍元整"
    assert find_amount_words("拾伍元整") == "拾伍元整"


# --- classification -----------------------------------------------------------------------------


def test_a_hospital_name_glued_to_a_bare_shoufei_piaoju_is_no_inpatient_title() -> None:
    result = classify_page(page(
        line("上海市北浦区中心医院黄江分院收费票据", 300, 20), line("业务流水号：", 100, 130),
        line("医疗机构类型：", 420, 130), line("社会保障号码：", 820, 170), line("项目编码", 900, 200),
        line("规格", 1200, 200), line("数量", 1300, 200), line("单价", 1400, 200),
        line("现金支付：", 130, 500), line("个人账户支付：", 320, 500), line("医保统筹支付：", 130, 540),
    ))
    assert result.doc_type is DocType.invoice_outpatient


# --- payment parts against the total -------------------------------------------------------------


def _vouched_total(amount: str) -> dict[str, Field]:
    return {"total_amount": _f(amount), "items": _f([{"name": "诊疗费", "amount": amount}])}


def test_a_zero_read_as_one_is_repaired_by_the_parts_sum() -> None:
    fields = reconcile_totals({
        **_vouched_total("35.00"), "personal_cash_paid": _f("35.00"), "personal_account_paid": _f("0.00"),
        "insurance_fund_paid": _f("1.00"), "other_paid": _f("0.00"),
    })
    assert fields["insurance_fund_paid"].value == "0.00"
    assert fields["personal_cash_paid"].value == "35.00"


def test_two_parts_misread_are_repaired_where_only_they_make_the_total() -> None:
    # A stray mark after the fen (18.203) and a 0 read as 1; the parts then miss by a fen of
    # cash rounding.
    cash = Field(value="18203.00", raw="18.203", confidence=0.9)
    fields = reconcile_totals({
        **_vouched_total("43.28"), "personal_cash_paid": cash, "personal_account_paid": _f("1.00"), "other_paid": _f("25.05"),
    })
    assert fields["personal_cash_paid"].value == "18.20"
    assert fields["personal_account_paid"].value == "0.00"
    assert fields["other_paid"].value == "25.05"


def test_parts_that_several_repairs_would_fit_are_left_as_read() -> None:
    # 1.00 + 1.00 where the total leaves one: either could be the misread zero.
    fields = reconcile_totals({
        **_vouched_total("21.00"), "personal_cash_paid": _f("20.00"), "personal_account_paid": _f("1.00"),
        "insurance_fund_paid": _f("1.00"),
    })
    assert fields["personal_account_paid"].value == "1.00" and fields["insurance_fund_paid"].value == "1.00"


def test_the_one_payment_label_left_unread_holds_the_zero_the_others_leave() -> None:
    blank = {"insurance_fund_paid": Field(value="", raw="", confidence=0.9, page=1)}
    parts = {"personal_cash_paid": _f("8.70"), "other_paid": _f("15.25"), "personal_account_paid": _f("0.00")}
    fields = reconcile_totals({**_vouched_total("24.00"), **parts}, blank)
    assert fields["insurance_fund_paid"].value == "0.00"
    # Two labels left blank: a form printed with blanks, not an unread zero.
    blank["personal_account_paid"] = blank["insurance_fund_paid"]
    parts.pop("personal_account_paid")
    fields = reconcile_totals({**_vouched_total("24.00"), **parts}, blank)
    assert "insurance_fund_paid" not in fields and "personal_account_paid" not in fields


def _paid_24_with_fund_label(label: str) -> dict[str, Field]:
    """A bill of 24.00 paid in cash and otherwise, its fund's label printed as ``label`` with no value read."""
    return _outpatient(
        line("诊查费：24.00", 100, 300), line("合计(大写)：贰拾肆元整", 100, 500),
        line("现金支付：8.70", 100, 560), line("个人账户支付：0.00", 600, 560),
        line(label, 100, 620), line("附加支付：15.25", 600, 620),
    )


def test_an_unread_payment_value_on_the_page_is_filled_by_the_arithmetic() -> None:
    assert _paid_24_with_fund_label("医保统筹支付：")["insurance_fund_paid"].value == "0.00"


# --- dates --------------------------------------------------------------------------------------


def test_a_date_label_left_unread_takes_the_one_date_the_bill_prints_elsewhere() -> None:
    fields = _outpatient(line("2021-3-9 14:05", 260, 40), line("业务流水号：9901230045678123", 160, 90), line("日期：", 750, 970))
    assert fields["issue_date"].value == "2021-03-09"
    assert fields["issue_date"].confidence <= 0.8
    # Two different dates: neither is guessed; no date label: nothing to fill.
    assert "issue_date" not in _outpatient(line("2021-3-9 14:05", 260, 40), line("2021/03/10", 700, 600), line("日期：", 750, 970))
    assert "issue_date" not in _outpatient(line("2021-3-9 14:05", 260, 40), line("现金支付：8.70", 100, 700))
    # A labelled date is its own label's, whether inline or in a box of its own.
    assert "issue_date" not in _outpatient(line("就诊日期：2026-10-10", 240, 600), line("开票日期:", 1090, 314))
    assert "issue_date" not in _outpatient(line("就诊日期：", 240, 600), line("2026-10-10", 520, 600), line("开票日期:", 1090, 314))
    # The form printer's imprint dates the paper, not the bill.
    imprint = line("某印务公司2019年3月5日印制500万份", 104, 189, x1=141, y1=721)
    assert "issue_date" not in _outpatient(imprint, line("日期：", 750, 970))


def test_a_charge_line_whose_currency_sign_was_read_as_a_one_is_repaired() -> None:
    fields = reconcile_totals({
        "total_amount": _f("160.00"), "total_amount_words": _f("壹佰陆拾元", 0.95),
        "items": _f([{"name": "诊查费（自费）", "amount": "160.00"}, {"name": "诊查费", "amount": "10.00"}]),
    })
    assert [item["amount"] for item in fields["items"].value] == ["160.00", "0.00"]
    # Without a total two readings agree on, the line is left as read.
    fields = reconcile_totals({
        "total_amount": _f("160.00"),
        "items": _f([{"name": "诊查费（自费）", "amount": "160.00"}, {"name": "诊查费", "amount": "10.00"}]),
    })
    assert [item["amount"] for item in fields["items"].value] == ["160.00", "10.00"]


def test_a_payment_label_cut_short_before_its_colon_is_still_that_label() -> None:
    assert _paid_24_with_fund_label("医保统:")["insurance_fund_paid"].value == "0.00"
    # A cut that is itself a label stays that label's: 金额合计 is no cut 金额合计(大写).
    assert _outpatient(line("金额合计：", 100, 500), line("18.00", 300, 500))["total_amount"].value == "18.00"


def test_the_figure_in_its_own_box_on_the_words_row_is_the_total_and_no_charge() -> None:
    # The 大写 and the figure printed half a line high, over the end of the charge list.
    fields = _outpatient(
        line("项目", 220, 200), line("金额（元）", 400, 200), line("项目编码", 600, 200), line("名称", 770, 200),
        line("规格", 900, 200), line("数量", 980, 200),
        line("诊疗费", 160, 240), line("26.00", 420, 240), line("诊疗费(自费)", 160, 280), line("6.00", 420, 280),
        line("叁指集加强", 250, 450, y1=479), line("32.00", 367, 453, x1=498, y1=478), line("合计(大写):", 152, 466, x1=244, y1=492),
    )
    assert fields["items"].value == [{"name": "诊疗费", "amount": "26.00"}, {"name": "诊疗费(自费)", "amount": "6.00"}]
    assert fields["total_amount"].value == "32.00"


def test_of_categories_as_near_a_misread_name_is_the_one_its_list_names_elsewhere() -> None:
    from claim_intake.extract.charges import repair_charge_name

    assert repair_charge_name("诊升费", ("诊疗费(自费)",)) == "诊疗费"
    assert repair_charge_name("诊升费", ("西药费",)) == "诊升费"
