"""Chinese uppercase money amounts (大写金额): writing them and reading them back.

Bills print totals twice: 小写 ``1234.50`` and 大写 ``壹仟贰佰叁拾肆圆伍角``. The writer follows
the accounting convention (a zero between non-zero digits is written once, 整 when there are no
fen); the reader accepts what real bills and OCR produce: 元 or 圆, with or without 整, stray
spaces, and the variants 两/貮/〇 that appear on some printers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from claim_intake.errors import InvalidAmountWordsError as AmountWordsError

DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ["", "拾", "佰", "仟"]
_BIG_UNITS = ["", "万", "亿"]

_DIGIT_VALUE = {ch: i for i, ch in enumerate(DIGITS)} | {
    "〇": 0, "两": 2, "貮": 2, "贰": 2, "参": 3, "陸": 6,
}
_SMALL_UNIT_VALUE = {"拾": 10, "佰": 100, "仟": 1000}
_BIG_UNIT_VALUE = {"万": 10**4, "萬": 10**4, "亿": 10**8}
_YUAN = {"圆", "元"}


def _four_digits(n: int) -> str:
    """Writes 0 < n < 10000, with at most one 零 for each run of zeros inside."""
    out = []
    digits = f"{n:04d}"
    zero_pending = False
    started = False
    for pos, ch in enumerate(digits):
        d = int(ch)
        unit = _SMALL_UNITS[3 - pos]
        if d == 0:
            zero_pending = started
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        out.append(DIGITS[d] + unit)
        started = True
    return "".join(out)


def amount_to_words(amount: Decimal, yuan: str = "圆") -> str:
    """``Decimal("353.00")`` -> ``叁佰伍拾叁圆整``; ``Decimal("1005.30")`` -> ``壹仟零伍圆叁角``."""
    if amount < 0:
        raise AmountWordsError(f"negative amount: {amount}")
    fen_total = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    integer, fen_part = divmod(fen_total, 100)
    jiao, fen = divmod(fen_part, 10)
    parts: list[str] = []
    if integer == 0:
        if fen_part == 0:
            return f"零{yuan}整"
    else:
        groups = []
        n = integer
        while n:
            n, group = divmod(n, 10000)
            groups.append(group)
        pending_zero = False
        for idx in range(len(groups) - 1, -1, -1):
            group = groups[idx]
            if group == 0:
                pending_zero = bool(parts)
                continue
            if parts and (pending_zero or group < 1000):
                parts.append("零")
            pending_zero = False
            parts.append(_four_digits(group) + _BIG_UNITS[idx])
        parts.append(yuan)
    if fen_part == 0:
        parts.append("整")
    else:
        if jiao:
            parts.append(DIGITS[jiao] + "角")
        elif integer:
            parts.append("零")
        if fen:
            parts.append(DIGITS[fen] + "分")
    return "".join(parts)


def parse_amount_words(text: str) -> Decimal:
    """Reads a 大写 amount back into a Decimal with two places.

    Raises AmountWordsError when the text holds no amount or a character that is not part of one.
    """
    cleaned = "".join(ch for ch in text if not ch.isspace() and ch not in "整正（）()：:￥¥")
    cleaned = cleaned.removeprefix("人民币")
    if not any(ch in _DIGIT_VALUE or ch in _SMALL_UNIT_VALUE for ch in cleaned):
        raise AmountWordsError(f"no amount in {text!r}")
    total = 0
    section = 0  # the value below the current 万/亿
    digit = 0
    fraction = Decimal(0)
    for ch in cleaned:
        if ch in _DIGIT_VALUE:
            digit = _DIGIT_VALUE[ch]
        elif ch in _SMALL_UNIT_VALUE:
            section += (digit or 1) * _SMALL_UNIT_VALUE[ch]
            digit = 0
        elif ch in _BIG_UNIT_VALUE:
            unit = _BIG_UNIT_VALUE[ch]
            section += digit
            if unit > 10**4:
                total = (total + section) * unit
            else:
                total += section * unit
            section = 0
            digit = 0
        elif ch in _YUAN:
            section += digit
            digit = 0
        elif ch == "角":
            fraction += Decimal(digit) / 10
            digit = 0
        elif ch == "分":
            fraction += Decimal(digit) / 100
            digit = 0
        else:
            raise AmountWordsError(f"unexpected character {ch!r} in {text!r}")
    section += digit
    return (Decimal(total + section) + fraction).quantize(Decimal("0.01"))
