"""Classification and field extraction on OCR lines laid out as real bills print them."""

from claim_intake.extract.classify import classify_page, group_pages
from claim_intake.extract.documents import extract_documents
from claim_intake.extract.fields import extract_fields
from claim_intake.extract.models import DocType
from claim_intake.extract.templates import builtin_templates
from tests.conftest import line, page


def _invoice_fields(*lines):
    return extract_fields(builtin_templates()[DocType.invoice_inpatient], [page(*lines)])


def test_merged_label_value_pairs_on_one_line() -> None:
    # OCR joins neighbouring boxes: two labels and two values in one line.
    fields = _invoice_fields(line("票据代码：45060121票据号码：0012345678", 40, 120))
    assert fields["invoice_code"].value == "45060121"
    assert fields["invoice_number"].value == "0012345678"
    # Each value's box is its own part of the line, not the whole line.
    assert fields["invoice_code"].box[2] < fields["invoice_number"].box[0]


def test_value_in_its_own_box_to_the_right() -> None:
    fields = _invoice_fields(line("交款人：", 40, 200), line("李秀英", 400, 202))
    assert fields["payer_name"].value == "李秀英"
    assert fields["payer_name"].box[0] == 400


def test_dot_matrix_value_printed_below_its_label() -> None:
    fields = _invoice_fields(line("住院号：", 40, 300), line("ZY2026-0042", 70, 334), line("个人自付：", 900, 300))
    assert fields["hospital_record_number"].value == "ZY2026-0042"


def test_a_neighbouring_label_is_not_taken_as_a_value() -> None:
    fields = _invoice_fields(line("交款人：", 40, 200), line("开票日期：2026-10-28", 400, 200))
    assert "payer_name" not in fields
    assert fields["issue_date"].value == "2026-10-28"


def test_amounts_words_and_stay() -> None:
    fields = _invoice_fields(
        line("金额合计（大写）壹仟贰佰叁拾肆圆伍角（小写）1,234.50", 40, 500),
        line("住院时间：20261012|20261020", 40, 260),
    )
    assert fields["total_amount_words"].value == "壹仟贰佰叁拾肆圆伍角"
    assert fields["total_amount"].value == "1234.50"
    assert fields["total_amount"].raw == "1,234.50"
    assert fields["admission_date"].value == "2026-10-12"
    assert fields["discharge_date"].value == "2026-10-20"


def test_label_with_blank_value_is_missing_not_guessed() -> None:
    fields = _invoice_fields(line("个人自费：", 40, 600))
    assert "self_expense" not in fields


def test_discharge_summary_header_row_and_signature() -> None:
    lines = [
        line("南宁市第一人民医院", 500, 30),
        line("出院记录", 600, 80),
        line("科室：心血管内科 病案号：123456 姓名：张三 性别：男 年龄：56岁", 40, 150),
        line("入院日期：2026年10月12日", 40, 200),
        line("出院日期：2026年10月20日", 40, 240),
        line("住院天数：8天", 40, 280),
        line("出院诊断：1.冠状动脉粥样硬化性心脏病", 40, 320),
        line("医师签名：李明", 900, 900),
    ]
    (document,) = extract_documents([page(*lines)])
    assert document.doc_type is DocType.discharge_summary
    values = {name: field.value for name, field in document.fields.items()}
    assert values["hospital"] == "南宁市第一人民医院"
    assert values["patient_name"] == "张三"
    assert values["sex"] == "男"
    assert values["department"] == "心血管内科"
    assert values["hospital_record_number"] == "123456"
    assert values["admission_date"] == "2026-10-12"
    assert values["length_of_stay_days"] == 8
    assert values["discharge_diagnosis"] == "1.冠状动脉粥样硬化性心脏病"
    assert values["doctor_signed"] is True


def test_unsigned_summary_says_so() -> None:
    (document,) = extract_documents([page(line("出院小结", 600, 80), line("姓名：张三", 40, 150))])
    assert document.fields["doctor_signed"].value is False
    assert document.fields["doctor_signed"].page is None


def test_classification_by_title() -> None:
    cases = {
        "广西壮族自治区医疗住院收费票据（电子）": DocType.invoice_inpatient,
        "医疗门诊收费票据（电子）": DocType.invoice_outpatient,
        "住院费用明细清单": DocType.expense_list,
        "南宁市基本医疗保险结算单": DocType.settlement,
        "诊断证明书": DocType.diagnosis_certificate,
        "增值税电子普通发票": DocType.other,
    }
    for title, expected in cases.items():
        result = classify_page(page(line(title, 300, 30)))
        assert result.doc_type is expected, title
        assert 0 < result.confidence <= 1


def test_blank_page_is_other() -> None:
    assert classify_page(page()).doc_type is DocType.other


def test_untitled_next_page_continues_the_document() -> None:
    first = page(line("住院费用明细清单", 400, 30), line("床位费 120.00", 40, 200), number=1)
    second = page(line("西药费 300.00", 40, 200), number=2)
    third = page(line("医保结算单", 400, 30), number=3)
    groups = group_pages([first, second, third])
    assert [(g.doc_type, [p.number for p in g.pages]) for g in groups] == [
        (DocType.expense_list, [1, 2]),
        (DocType.settlement, [3]),
    ]
