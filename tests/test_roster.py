"""Roster files: headers as union offices write them, bad rows with their line and reason,
identity numbers checked (GB 11643) and masked."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from claim_intake.errors import RosterFileError
from claim_intake.roster.identity import (
    IdNumberError,
    mask_account,
    mask_id_number,
    masked_matches,
    normalise_id_number,
)
from claim_intake.roster.parse import read_roster

HEADER = "姓名,身份证号,手机号,基层工会,参保方案,起始日期,终止日期,缴费日期,开户行,银行账号"


def test_id_numbers_are_checked_normalised_and_masked():
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"
    with pytest.raises(IdNumberError, match="校验位"):
        normalise_id_number("110105194912310021")
    with pytest.raises(IdNumberError, match="18位"):
        normalise_id_number("11010519491231002")
    with pytest.raises(IdNumberError, match="出生日期"):
        normalise_id_number("110105194913310021")  # month 13, with a check digit that fits
    assert mask_id_number("11010519491231002X") == "110***********002X"
    assert mask_account("6222021234567891234") == "6222***********1234"
    assert masked_matches("110***********002x", "11010519491231002X")
    assert not masked_matches("110***********0021", "11010519491231002X")


def test_bad_rows_are_reported_with_line_and_reason_and_good_rows_kept():
    lines = [
        "2026年度职工医疗互助参保名单",                       # line 1: a title above the header
        HEADER,                                                # line 2
        "张三,11010519491231002x,13800000000,市一中工会,住院医疗互助,2026-01-01,2026-12-31,2025-12-20,工商银行,6222 0212 3456 7891",
        "李四,110105194912310021,,,住院医疗互助,2026-01-01,2026-12-31,,,",       # 4: check digit
        "王五,310104198001011239,,,住院医疗互助,2026-02-30,2026-12-31,,,",       # 5: no such date
        "张三,11010519491231002X,13800000000,市一中工会,住院医疗互助,2026-01-01,2027-01-01,,工商银行,6222021234567891",  # 6: duplicate
        ",310104198001011239,,,住院医疗互助,2026-01-01,2026-12-31,,,",          # 7: no name
        "赵六,310104198001011239,,,住院医疗互助,2026/1/1,2026年12月31日,,,",     # 8: fine (other date forms)
        "张三,11010519491231002X,13900000000,市一中工会,大病补助,2026-01-01,2026-12-31,,工商银行,6222021234567891",  # 9: phone differs
        ",,,,,,,,,",                                                            # blank: skipped
    ]
    roster = read_roster("\n".join(lines).encode("gb18030"), "名单.csv")
    assert [(r.line, r.name, r.id_number) for r in roster.rows] == [
        (3, "张三", "11010519491231002X"), (8, "赵六", "310104198001011239")]
    assert roster.rows[0].account == "6222021234567891" and roster.rows[1].end == date(2026, 12, 31)
    problems = {p.line: p.reason for p in roster.problems}
    assert set(problems) == {4, 5, 6, 7, 9}
    assert "校验位" in problems[4]
    assert "2026-02-30" in problems[5] and "不是有效日期" in problems[5]
    assert "与第3行重复" in problems[6]
    assert problems[7] == "缺少姓名"
    assert "手机号不同" in problems[9]


def test_english_headers_and_xlsx():
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "id_number", "phone", "unit", "plan", "start", "end", "paid_on", "bank", "account"])
    sheet.append(["张三", "11010519491231002X", 13800000000, "市一中工会", "住院医疗互助",
                  datetime(2026, 1, 1), datetime(2026, 12, 31), None, None, None])
    sheet.append(["李四", 110105194912310020, None, None, "住院医疗互助", datetime(2026, 1, 1), datetime(2026, 12, 31)])
    buffer = io.BytesIO()
    book.save(buffer)
    roster = read_roster(buffer.getvalue(), "roster.xlsx")
    assert [(r.line, r.phone, r.start) for r in roster.rows] == [(2, "13800000000", date(2026, 1, 1))]
    assert [p.line for p in roster.problems] == [3] and "保存为数字" in roster.problems[0].reason


def _zip_of_nothing() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")
    return buffer.getvalue()


@pytest.mark.parametrize(("data", "name", "says"), [
    ("姓名,手机号\n张三,138\n".encode(), "list.csv", "id_number"),
    (b"PK\x03\x04 not really a zip", "roster.xlsx", "not a readable XLSX"),
    (_zip_of_nothing(), "roster.xlsx", "not a readable XLSX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "roster.xls", ".xls"),
])
def test_a_file_that_is_no_roster_is_a_typed_error(data, name, says):
    with pytest.raises(RosterFileError) as caught:
        read_roster(data, name)
    assert caught.value.code == "invalid_roster" and caught.value.http_status == 422
    assert says in caught.value.message and name in caught.value.message


def test_values_longer_than_the_database_holds_are_bad_rows():
    text = f"{HEADER}\n{'张' * 101},11010519491231002X,,,住院医疗互助,2026-01-01,2026-12-31,,,\n"
    roster = read_roster(text.encode(), "名单.csv")
    assert roster.rows == () and [(p.line, p.reason) for p in roster.problems] == [(2, "姓名超过100个字符")]
