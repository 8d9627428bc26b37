"""Extraction on OCR lines laid out as real older 机打 bills print them: values off their labels,
broken titles, a charge column beside a detail table, garbled labels and values."""

from decimal import Decimal

from claim_intake.extract.classify import classify_page, group_pages
from claim_intake.extract.crosscheck import reconcile_totals, words_variants
from claim_intake.extract.fields import extract_fields
from claim_intake.extract.models import DocType, Field
from claim_intake.extract.normalize import find_institution, parse_date, parse_money
from claim_intake.extract.templates import builtin_templates, normalise_label
from tests.conftest import line, page


def _outpatient(*lines, pages=None):
    return extract_fields(builtin_templates()[DocType.invoice_outpatient], pages or [page(*lines)])


# --- the value finder ---------------------------------------------------------------------------


def test_values_printed_half_a_line_above_their_labels_go_to_the_right_labels() -> None:
    # A dot-matrix printer a half line high: every value sits above-right of its label.
    fields = _outpatient(
        line("0.00", 330, 582), line("现金支付：", 40, 600), line("个人账户支付：", 600, 600), line("34.40", 900, 582),
        line("0.00", 330, 642), line("医保统筹支付：", 40, 660), line("附加支付：", 600, 660), line("74.88", 900, 642),
    )
    assert fields["personal_cash_paid"].value == "0.00"
    assert fields["personal_account_paid"].value == "34.40"
    assert fields["insurance_fund_paid"].value == "0.00"
    assert fields["other_paid"].value == "74.88"


def test_the_page_offset_decides_between_a_value_above_and_one_below() -> None:
    # Values shifted a line up on this page: the amount midway between two labels belongs to the
    # label below it, as the other pairs of the page show.
    fields = _outpatient(
        line("12.00", 300, 400), line("现金支付：", 40, 440),
        line("5.00", 300, 480), line("个人账户支付：", 40, 520),
        line("7.00", 300, 560), line("医保统筹支付：", 40, 600),
    )
    assert fields["personal_cash_paid"].value == "12.00"
    assert fields["personal_account_paid"].value == "5.00"
    assert fields["insurance_fund_paid"].value == "7.00"


def test_a_value_beyond_another_label_is_not_taken() -> None:
    fields = _outpatient(line("个人账户支付：", 40, 600), line("附加支付：", 400, 600), line("3.75", 600, 600))
    assert fields["other_paid"].value == "3.75"
    assert "personal_account_paid" not in fields


def test_labels_read_with_a_character_wrong_or_lost() -> None:
    fields = _outpatient(line("医保统筹支:0.00", 40, 600), line("社会保降号码：", 40, 200), line("个人账户支忖：5.00", 600, 600))
    assert fields["insurance_fund_paid"].value == "0.00"
    assert fields["personal_account_paid"].value == "5.00"


def test_older_form_dates_and_their_label_preference() -> None:
    fields = _outpatient(
        line("收费日期：2020.05.1510:08:12", 800, 880),
        line("打印日期:2020.05.1610:08:43", 800, 920),
        line("就诊日期:2020.05.150954:28", 300, 920),
    )
    assert fields["issue_date"].value == "2020-05-15"
    assert fields["visit_date"].value == "2020-05-15"


def test_the_red_number_after_an_unread_no_is_found_top_right() -> None:
    fields = _outpatient(
        line("江南市第六人民医院", 200, 60), line("1765432109", 1100, 120), line("业务流水号：1907020511223344", 100, 160),
        line("合计(大写):贰拾柒元整", 100, 800),
    )
    assert fields["invoice_number"].value == "1765432109"


def test_payee_from_the_header_when_no_collection_unit_is_printed() -> None:
    fields = _outpatient(
        line("北浦大学附属眼耳鼻喉科医院医疗门（急）诊收费票据", 300, 90, y1=150),
        line("三级甲等专科医院", 700, 150),
        line("医疗机构类型：", 500, 150),
        line("合计(大写):叁佰玖拾元整", 100, 700),
    )
    assert fields["payee"].value == "北浦大学附属眼耳鼻喉科医院"


def test_payee_after_its_label_beats_the_header() -> None:
    fields = _outpatient(
        line("江南中医药大学附属明湖医院", 200, 60),
        line("收款单位（章）", 40, 900), line("江南中医药大学附属明湖医院门诊部", 300, 898),
    )
    assert fields["payee"].value == "江南中医药大学附属明湖医院门诊部"


# --- charge lists -------------------------------------------------------------------------------


def _older_form_table():
    return [
        line("项目", 190, 210), line("金额（元）", 360, 210),
        line("项目编码", 580, 210), line("名称", 750, 210), line("规格", 880, 210), line("数量", 960, 210),
        line("单价", 1030, 210), line("金额（元）", 1100, 210),
        line("西药费：", 150, 260), line("47.82", 340, 262), line("(甲)酒石酸美托洛尔片", 570, 262), line("15.12", 1120, 262),
        line("诊查费（自费）", 150, 300), line("3", 390, 302), line("40132", 570, 302), line("32.70", 1120, 302),
        line("诊疗费(0)----", 150, 340), line("-19.0", 360, 342),
        line("合计(大写):", 150, 500), line("陆拾玖元捌角贰分", 380, 500),
    ]


def test_the_charge_list_is_the_left_column_not_the_detail_table() -> None:
    items = _outpatient(*_older_form_table())["items"].value
    assert items == [
        {"name": "西药费", "amount": "47.82"},
        {"name": "诊查费（自费）", "amount": "3.00"},
        {"name": "诊疗费(0)", "amount": "19.00"},
    ]


def test_no_numeric_total_the_words_and_the_charge_lines_vouch_for_it() -> None:
    fields = _outpatient(*_older_form_table())
    assert fields["total_amount"].value == "69.82"
    assert fields["total_amount"].confidence >= 0.99
    assert fields["total_amount_words"].confidence >= 0.99


def test_a_charge_list_over_two_pages_is_one_list() -> None:
    template = builtin_templates()[DocType.expense_list]
    first = page(
        line("住院费用明细清单", 500, 30), line("项目名称", 100, 120), line("金额", 900, 120),
        line("床位费", 100, 170), line("120.00", 900, 170), line("护理费", 100, 210), line("60.00", 900, 210),
        line("第1页", 700, 960), number=1,
    )
    second = page(
        line("西药费", 100, 60), line("33.50", 900, 60), line("合计", 100, 110), line("213.50", 900, 110),
        line("第2页", 700, 960), number=2,
    )
    groups = group_pages([first, second])
    assert [len(g.pages) for g in groups] == [2]
    fields = extract_fields(template, list(groups[0].pages))
    assert [item["name"] for item in fields["items"].value] == ["床位费", "护理费", "西药费"]
    assert fields["total_amount"].value == "213.50"
    assert fields["total_amount"].confidence >= 0.99


# --- classification -----------------------------------------------------------------------------


def test_a_bill_with_its_title_broken_by_a_seal_is_an_outpatient_invoice() -> None:
    result = classify_page(page(
        line("江南交通大学医学院附属明德医院", 120, 60), line("门急）诊收费票据", 700, 80),
        line("业务流水号：", 100, 130), line("医疗机构类型", 420, 130), line("社会保障号码：", 820, 170),
        line("医保统筹支付：", 130, 540), line("个人账户支付：", 320, 500), line("现金支付：", 130, 500),
    ))
    assert result.doc_type is DocType.invoice_outpatient


def test_a_medical_bill_with_no_title_at_all_is_still_an_invoice() -> None:
    result = classify_page(page(
        line("业务流水号：1901010438978330", 100, 370), line("医疗机构类型", 370, 385), line("医保类型：", 440, 406),
        line("社会保障号码：", 690, 413), line("医保统筹支付：0.00", 80, 714), line("个人账户支付：0.00", 250, 684),
        line("现金支付：34.40", 80, 683), line("收款单位（章）", 57, 908),
    ))
    assert result.doc_type is DocType.invoice_outpatient


def test_an_inpatient_bill_is_told_by_its_stay() -> None:
    result = classify_page(page(
        line("业务流水号：", 100, 130), line("医疗机构类型", 420, 130), line("住院号：ZY0042", 820, 170),
        line("住院时间：20201217|20201223", 100, 200), line("医保统筹支付：", 130, 540),
    ))
    assert result.doc_type is DocType.invoice_inpatient


def test_a_page_that_speaks_for_no_claim_document_is_other() -> None:
    assert classify_page(page(line("会议纪要", 100, 50), line("出席人员：张三、李四", 100, 120))).doc_type is DocType.other


# --- cross-checks -------------------------------------------------------------------------------


def _f(value, confidence=0.95, raw=None) -> Field:
    return Field(value=value, raw=raw if raw is not None else str(value), confidence=confidence, page=1, box=(0, 0, 1, 1))


def _items(*amounts: str) -> Field:
    return _f([{"name": f"费{n}", "amount": a} for n, a in enumerate(amounts)])


def test_a_fragment_of_the_words_is_read_as_the_total_the_others_agree_on() -> None:
    fields = reconcile_totals({
        "total_amount_words": _f("贰佰壹"), "items": _items("197.00", "19.00"),
        "personal_cash_paid": _f("216.00"), "personal_account_paid": _f("0.00"),
    })
    assert fields["total_amount"].value == "216.00"
    assert fields["total_amount_words"].value == "贰佰壹拾陆元整"


def test_a_first_digit_lost_from_the_words_is_repaired() -> None:
    fields = reconcile_totals({"total_amount_words": _f("佰贰拾贰元参分"), "items": _items("222.03")})
    assert fields["total_amount_words"].value == "贰佰贰拾贰元叁分"
    assert fields["total_amount"].value == "222.03"


def test_clean_words_that_disagree_are_the_bills_mismatch_not_repaired() -> None:
    fields = reconcile_totals({
        "total_amount_words": _f("叁仟零叁拾肆圆玖角", 0.99), "total_amount": _f("3024.90", 0.99),
        "items": _items("3000.00", "24.90"),
    })
    assert fields["total_amount_words"].value == "叁仟零叁拾肆圆玖角"
    assert fields["total_amount_words"].confidence == 0.99
    assert fields["total_amount"].value == "3024.90"


def test_a_charge_line_with_digits_lost_is_completed_by_the_vouched_total() -> None:
    fields = reconcile_totals({
        "total_amount": _f("217.00"), "total_amount_words": _f("贰佰壹拾柒元整", 0.98),
        "items": _items("97.00", "20.00"),
    })
    assert [item["amount"] for item in fields["items"].value] == ["197.00", "20.00"]


def test_a_charge_line_that_reads_as_other_digits_is_not_rewritten() -> None:
    fields = reconcile_totals({
        "total_amount": _f("216.00"), "total_amount_words": _f("贰佰壹拾陆元整", 0.98),
        "items": _items("191.00", "19.00"),
    })
    assert [item["amount"] for item in fields["items"].value] == ["191.00", "19.00"]


def test_charge_lines_that_do_not_sum_are_left_for_staff_to_see() -> None:
    fields = reconcile_totals({"total_amount": _f("500.00"), "total_amount_words": _f("伍佰圆整", 0.98), "items": _items("100.00", "19.00")})
    assert [item["amount"] for item in fields["items"].value] == ["100.00", "19.00"]


def test_payment_parts_vouch_within_cash_rounding() -> None:
    fields = reconcile_totals({
        "total_amount": _f("109.24", 0.7), "personal_cash_paid": _f("34.40", 0.7), "other_paid": _f("74.88", 0.7),
    })
    assert fields["total_amount"].confidence >= 0.99
    assert fields["personal_cash_paid"].confidence >= 0.99


def test_a_garbled_reading_nothing_can_repair_gets_low_confidence() -> None:
    fields = reconcile_totals({"total_amount": _f("18.00"), "total_amount_words": _f("伍佰")})
    assert fields["total_amount_words"].confidence <= 0.5
    assert fields["total_amount"].value == "18.00"


def test_words_variants_cover_how_printers_write_them() -> None:
    variants = words_variants(Decimal("222.03"))
    assert "贰佰贰拾贰元叁分" in variants and "贰佰贰拾贰圆零叁分" in variants
    assert "拾捌元整" in words_variants(Decimal("18.00"))


# --- normalisation ------------------------------------------------------------------------------


def test_values_as_dot_matrix_printers_and_ocr_give_them() -> None:
    assert parse_date("2020051515:41:53") == "2020-05-15"
    assert parse_date("日期：2020-08-1615:50:93") == "2020-08-16"
    assert parse_date("打时间：2020.03.2007:b7:8") == "2020-03-20"
    assert parse_money("¥572..93") == "572.93"
    assert parse_money("15") == "15.00"
    assert normalise_label("金額（元）") == "金额(元)"
    text = "江南交通大学医学院附属第三人民医院东湖分院"
    assert find_institution("三级甲等专科医院") is None and find_institution("二级综合医院") is None
    assert find_institution(text) == (0, len(text))


def test_a_payment_part_with_one_digit_misread_is_repaired_by_the_vouched_total() -> None:
    fields = reconcile_totals({
        "total_amount": _f("104.60"), "items": _items("100.00", "4.60"),
        "insurance_fund_paid": _f("53.48"), "personal_cash_paid": _f("21.12"),
    })
    assert fields["insurance_fund_paid"].value == "83.48"
    assert fields["personal_cash_paid"].value == "21.12"


def test_payment_parts_that_miss_by_a_few_fen_are_left_for_staff_to_see() -> None:
    fields = reconcile_totals({
        "total_amount": _f("136.96"), "items": _items("100.00", "36.96"),
        "insurance_fund_paid": _f("83.48"), "personal_cash_paid": _f("53.40"),
    })
    assert fields["personal_cash_paid"].value == "53.40"


def test_a_grid_of_charge_categories_with_amounts_under_them() -> None:
    fields = _outpatient(
        line("西药费", 200, 250), line("中成药费", 420, 250), line("检查费", 880, 250), line("化验费", 1110, 250),
        line("79.70", 436, 322), line("20.14", 1116, 325),
        line("治疗费", 200, 358), line("诊查费", 880, 358), line("12.30", 200, 433),
        line("合计人民币(大写)", 120, 498), line("壹佰壹拾贰元壹角肆分", 400, 516),
    )
    assert fields["items"].value == [
        {"name": "中成药费", "amount": "79.70"}, {"name": "化验费", "amount": "20.14"}, {"name": "治疗费", "amount": "12.30"},
    ]
    assert fields["total_amount"].value == "112.14"


def test_a_date_printed_into_the_forms_blanks() -> None:
    fields = _outpatient(
        line("收款单位(盖章)", 120, 750), line("2026", 1150, 766, 1230, 804), line("年", 1242, 750, 1290, 793),
        line("10", 1302, 760, 1350, 804), line("月", 1341, 752, 1384, 798),
        line("22", 1400, 762, 1449, 804), line("日", 1445, 754, 1478, 792),
    )
    assert fields["issue_date"].value == "2026-10-22"


def test_words_with_one_character_misread_are_repaired_whole() -> None:
    fields = _outpatient(
        line("项目", 190, 210), line("金额（元）", 360, 210), line("规格", 880, 210),
        line("西药", 150, 260), line("61.90", 380, 262), line("治疗材料一", 150, 300), line("30.00", 380, 302),
        line("合计(大写)：玖拾管元玖角", 150, 500),
    )
    assert fields["total_amount_words"].value == "玖拾壹元玖角"
    assert fields["total_amount"].value == "91.90"


def test_a_name_printed_high_onto_the_label_line_above_is_the_names() -> None:
    fields = _outpatient(line("业务流水吴春花", 300, 440, y1=500), line("姓名:", 330, 500), line("业务流水苦：1901010438978330", 300, 300))
    assert fields["payer_name"].value == "吴春花"


def test_the_number_after_a_misread_no_is_still_the_number() -> None:
    for text, number in (("NG11888912692", "1888912692"), ("N911888912692", "1888912692"), ("1765432109", "1765432109"), ("NO1357924680", "1357924680"), ("No.1357924680", "1357924680")):
        fields = _outpatient(line("江南市第六人民医院", 200, 60), line(text, 1100, 120), line("合计(大写):贰拾柒元整", 100, 800))
        assert fields["invoice_number"].value == number, text


# --- hospital names and charge categories as real bills print them ------------------------------


def test_a_name_whose_end_the_title_covers_is_completed() -> None:
    # The title's 医 lies over the name's 院: read as …科医医疗门…, or …科医 lost under it.
    for read in ("北浦大学附属眼耳鼻喉科医医疗门（急）诊收费票据", "北浦大学附属眼耳鼻喉科医医元疗门（急）诊收费"):
        fields = _outpatient(line(read, 300, 90, y1=150), line("医疗机构类型：", 500, 160))
        assert fields["payee"].value == "北浦大学附属眼耳鼻喉科医院"


def test_a_name_glued_to_a_title_is_not_completed_into_a_guess() -> None:
    from claim_intake.extract.institutions import name_before_title

    assert name_before_title("江南中医药大学附属明湖医院医疗门(急)诊收费票据") == (13, "江南中医药大学附属明湖医院")
    # The title begins at 诊, not over the name's end: what stands before it is no name.
    assert name_before_title("上海交通大学医学院附属第九医疾院急诊收费票据") is None
    assert name_before_title("医疗门(急)诊收费票据") is None
    assert name_before_title("江南交通大学医学院附属明德医院上海市") is None


def test_stock_parts_of_hospital_names_misread_by_one_character() -> None:
    from claim_intake.extract.institutions import repair_name

    assert repair_name("江南市第六人风医院") == "江南市第六人民医院"
    assert repair_name("江南交通大学医学院附起明德医院") == "江南交通大学医学院附属明德医院"
    # A run that is itself a part, or a name with nothing misread, stays as read.
    assert repair_name("上海市中心医院") == "上海市中心医院"
    assert repair_name("江南中医药大学附属明湖医院") == "江南中医药大学附属明湖医院"


def test_of_two_readings_of_the_issuer_the_more_confident() -> None:
    fields = _outpatient(
        line("江南市第六人民医院", 200, 60, conf=1.0),
        line("收款单位（章）：", 40, 900), line("江南市第六人凤医院", 300, 898, conf=0.93),
    )
    assert fields["payee"].value == "江南市第六人民医院"


def test_a_second_reading_of_the_black_print_gives_the_name_the_lines_lost() -> None:
    from claim_intake.ocr.models import Page

    header = line("医北浦区科医诊收费票据", 300, 60, y1=140)
    reread = line("上海市北浦区眼科医院", 300, 100, y1=140)
    first = page(header, line("医疗机构类型：", 500, 160), line("合计(大写):叁拾元整", 100, 700))
    with_reread = Page.model_validate({**first.model_dump(), "rereads": (reread.model_dump(),)})
    assert "payee" not in _outpatient(pages=[first])
    assert _outpatient(pages=[with_reread])["payee"].value == "上海市北浦区眼科医院"


def test_charge_categories_misread_by_one_character() -> None:
    from claim_intake.extract.charges import repair_charge_name

    assert repair_charge_name("韩号费") == "挂号费"
    assert repair_charge_name("诊疗费（白费）（0)") == "诊疗费（自费）（0)"
    # 诊升费 is one character off 诊疗费, 诊查费 and 诊察费 alike: nothing to choose, kept as read.
    assert repair_charge_name("诊升费") == "诊升费"
    assert repair_charge_name("中成药费") == "中成药费"
    assert repair_charge_name("西药") == "西药"


def test_a_date_whose_first_separator_was_lost() -> None:
    assert parse_date("2020 05-15 15:03:17") == "2020-05-15"
    assert parse_date("202005-1515:03:17") == "2020-05-15"


def test_a_zero_read_as_a_letter_and_item_codes_are_no_amounts() -> None:
    assert parse_money("日.00") == "0.00"
    assert _outpatient(line("医保统筹支付日.00", 40, 600))["insurance_fund_paid"].value == "0.00"
    # A detail table's item codes (200805) beside the payment labels are not their values.
    assert parse_money("200805") is None
    assert parse_money("15") == "15.00"


def test_a_charge_amount_whose_decimal_was_misread_keeps_its_yuan() -> None:
    lines = [ln for ln in _older_form_table() if ln.text != "-19.0"] + [line("-19.b", 360, 342)]
    items = _outpatient(*lines)["items"].value
    assert {"name": "诊疗费(0)", "amount": "19.00"} in items


def test_a_charge_line_read_without_its_amount_costs_what_the_vouched_total_leaves() -> None:
    table = [ln for ln in _older_form_table() if ln.text != "47.82"]
    payments = [line("现金支付：69.82", 40, 560), line("个人账户支付：0.00", 600, 560)]
    items = _outpatient(*table, *payments)["items"].value
    assert items[0] == {"name": "西药费", "amount": "47.82"}
    # Without a total that the words and the payments agree on, it is left out, not guessed.
    items = _outpatient(*table)["items"].value
    assert [item["name"] for item in items] == ["诊查费（自费）", "诊疗费(0)"]


def test_the_figure_printed_after_the_words_is_the_total() -> None:
    # 大写 read with low confidence, a charge line that says 343.80: the figure decides.
    fields = _outpatient(
        line("合计(大写)：叁佰叁拾叁元捌角(¥333.80)", 100, 700, conf=0.8), line("西药费：343.80", 100, 300)
    )
    assert fields["total_amount"].value == "333.80"
    assert "333.80" in fields["total_amount"].raw


def test_an_issuer_read_with_a_lookalike_of_its_yi_or_a_branch_cut_short() -> None:
    from claim_intake.extract.institutions import institution_span, repair_name

    # 医 read as a character of a like frame: no name ends in 区院 or 库院, alone or before a branch.
    assert repair_name("江南省北浦县城南区院") == "江南省北浦县城南医院"
    assert repair_name("江南大学附属第三人民库院东湖分院") == "江南大学附属第三人民医院东湖分院"
    assert institution_span("收款单位:江南省北浦县城南区院") == (5, 15)
    # A numbered hospital whose 人 was lost; a 第 before a misread part is not "repaired" away.
    assert repair_name("江南大学附属第三民医院") == "江南大学附属第三人民医院"
    assert repair_name("江南大学附属第儿医医院") == "江南大学附属第儿医医院"
    # A branch read to its first character at the end of the line (the rest under a seal).
    assert institution_span("江南大学附属湖滨医院北") == (0, 11)
    assert repair_name("江南大学附属湖滨医院北") == "江南大学附属湖滨医院北院"
    # 院区 and a stock specialty part one character off.
    assert repair_name("江南大学附属湖滨医院东院区") == "江南大学附属湖滨医院东院区"
    assert repair_name("北浦大学附属最耳鼻喉科医院") == "北浦大学附属眼耳鼻喉科医院"


def test_a_header_name_running_into_the_title_is_read_up_to_the_title() -> None:
    # …医院东湖分院 glued to the title: the branch is part of the name; a branch whose 院 the
    # title covers is completed.
    for read, name in (
        ("江南大学附属第三民库院东湖分院收费票据", "江南大学附属第三人民医院东湖分院"),
        ("江南交通大学医学院附属第三医民库院东湖分收费票据", "江南交通大学医学院附属第三人民医院东湖分院"),
    ):
        fields = _outpatient(line(read, 300, 90, y1=150), line("医疗机构类型：", 500, 160))
        assert fields["payee"].value == name, read


def test_an_issuer_above_its_label_read_with_a_lookalike() -> None:
    fields = _outpatient(
        line("医疗门(急)诊收费票据", 500, 60), line("现金支付：12.00", 40, 600),
        line("江南省北浦县城南区院", 300, 880), line("收款单位（章）：", 40, 900),
    )
    assert fields["payee"].value == "江南省北浦县城南医院"
