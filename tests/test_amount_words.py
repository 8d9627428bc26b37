from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claim_intake.extract.amount_words import AmountWordsError, amount_to_words, parse_amount_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("353.00", "叁佰伍拾叁圆整"),
        ("1005.30", "壹仟零伍圆叁角"),
        ("24189.65", "贰万肆仟壹佰捌拾玖圆陆角伍分"),
        ("100010.05", "壹拾万零壹拾圆零伍分"),
        ("10100.00", "壹万零壹佰圆整"),
        ("0.50", "伍角"),
        ("0.00", "零圆整"),
    ],
)
def test_writes_the_accounting_form(amount: str, words: str) -> None:
    assert amount_to_words(Decimal(amount)) == words
    assert parse_amount_words(words) == Decimal(amount)


@pytest.mark.parametrize(
    ("printed", "amount"),
    [
        ("叁佰伍拾叁元整", "353.00"),  # 元 instead of 圆
        ("叁佰伍拾叁圆", "353.00"),  # without 整
        ("人民币 壹仟贰佰 叁拾肆圆伍角", "1234.50"),  # prefix and stray spaces from OCR
        ("拾元整", "10.00"),  # a leading 拾 means 壹拾
    ],
)
def test_reads_what_real_bills_print(printed: str, amount: str) -> None:
    assert parse_amount_words(printed) == Decimal(amount)


@pytest.mark.parametrize("text", ["", "整", "金额合计", "叁佰X伍拾"])
def test_rejects_text_that_is_not_an_amount(text: str) -> None:
    with pytest.raises(AmountWordsError):
        parse_amount_words(text)


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_round_trips(amount: Decimal) -> None:
    assert parse_amount_words(amount_to_words(amount)) == amount
