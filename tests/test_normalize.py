import pytest

from claim_intake.extract.normalize import (
    find_amount_words,
    parse_date,
    parse_date_range,
    parse_integer,
    parse_money,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1234.50", "1234.50"),
        ("24,189.65", "24189.65"),
        ("1.128.50", "1128.50"),  # separators misread as dots
        ("0", "0.00"),
        ("0.0", "0.00"),
        ("0.", "0.00"),
        ("¥12.5", "12.50"),
        ("(小写)353.00元", "353.00"),
    ],
)
def test_money(text: str, value: str) -> None:
    assert parse_money(text) == value


def test_money_absent() -> None:
    assert parse_money("个人自付") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2021-01-01", "2021-01-01"),
        ("2021年01月14日", "2021-01-14"),
        ("2026.10.22", "2026-10-22"),
        ("开票日期：2026/3/5", "2026-03-05"),
        ("20201217", "2020-12-17"),
    ],
)
def test_dates(text: str, value: str) -> None:
    assert parse_date(text) == value


def test_impossible_or_partial_dates_are_not_dates() -> None:
    assert parse_date("2021-02-30") is None
    assert parse_date("入院时间：2019年11月") is None


@pytest.mark.parametrize(
    "text", ["20201217|20201223", "2020-12-17至2020-12-23", "2020.12.17-2020.12.23"]
)
def test_stays(text: str) -> None:
    assert parse_date_range(text) == ("2020-12-17", "2020-12-23")


def test_integers_and_amount_words() -> None:
    assert parse_integer("8天") == 8
    assert parse_integer("年龄：51岁") == 51
    assert find_amount_words("金额合计(大写)叁佰伍拾叁圆整(小写)353.00") == "叁佰伍拾叁圆整"
    assert find_amount_words("金额合计") is None
