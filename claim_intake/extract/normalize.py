"""Value normalisation: what OCR reads on a bill -> the spec's normalised forms."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from claim_intake.extract.amount_words import AmountWordsError, parse_amount_words

# Money as printed or misread: 1234.50, 24,189.65, 1.128.50 (OCR reads separators as dots), 0., ¥12
_MONEY = re.compile(r"(?<![\d.,])-?\d{1,3}(?:[,.]\d{3})+(?:\.\d{1,2})?(?!\d)|(?<![\d.,])-?\d+(?:\.\d{0,2})?(?!\d)")
_DATE = re.compile(
    # The first separator may be lost (``2020 05-15``, read without spaces) when the second is there.
    r"(?P<y>(?:19|20)\d{2})\s*(?:[-./年]?\s*(?P<m>\d{1,2})\s*[-./月]\s*(?P<d>\d{1,2})\s*日?"
    r"|(?P<m2>\d{2})(?P<d2>\d{2}))"
    # A time may follow without a space on dot-matrix bills (or once OCR's spaces are dropped):
    # 2020.05.1510:08:12, 2020051515:41:53, 2020.05.150954:28, 2020.04.0308.36:09, 2020080409-58-22.
    r"(?=\d{1,4}[:：]|\d{1,2}[.:：-]\d{2}[.:：-]\d{2}|(?!\d))"
)
_INTEGER = re.compile(r"\d{1,4}")
AMOUNT_WORDS_CHARS = "零壹贰貮叁参肆伍陆陸柒捌玖拾佰仟万萬亿圆元角分整〇两"
_AMOUNT_WORDS = re.compile(f"[{AMOUNT_WORDS_CHARS}]{{2,}}")


MONEY_LIMIT = Decimal(10) ** 8
_ZERO_LOOKALIKE = re.compile(r"(?<![\dA-Za-z])[日口Oo](?=\.\d{2}(?!\d))")
"""A lone dot-matrix 0 before the fen read as a letter or 日 (``日.00``, ``O.00``)."""
_CODE_LIKE = re.compile(r"-?\d{6,}")
"""Six digits and more with no point: an item code or a serial, never an amount (a bill that
prints bare integers prints small ones: 0, 15)."""
_CURRENCY = re.compile(r"[¥￥]+")
_DOUBLED_POINT = re.compile(r"(?<=\d)\.{2,}(?=\d)")


def parse_money(text: str) -> str | None:
    """The first amount in ``text`` as a two-place decimal string, or None.

    ``¥572..93`` is 572.93: OCR doubles the point of dot-matrix print; a currency sign is no part
    of the amount.
    """
    text = _DOUBLED_POINT.sub(".", _CURRENCY.sub("", text.replace("，", ",")))
    text = _ZERO_LOOKALIKE.sub("0", text)
    match = _MONEY.search(text)
    if not match:
        return None
    token = match.group(0)
    if _CODE_LIKE.fullmatch(token):
        return None
    if "," in token or token.count(".") > 1 or re.fullmatch(r"-?\d{1,3}(?:\.\d{3})+", token):
        # Separators: keep only a final ".dd" as the decimal point.
        head, sep, tail = token.rpartition(".")
        if sep and len(tail) <= 2 and token.count(".") + token.count(",") > 1:
            token = re.sub(r"[.,]", "", head) + "." + tail
        elif sep and len(tail) <= 2 and "," in head:
            token = head.replace(",", "") + "." + tail
        else:
            token = re.sub(r"[.,]", "", token)
    try:
        amount = Decimal(token.rstrip(".") or "0").quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    # Nine digits and more before the point are a serial or an account number, not money.
    return str(amount) if abs(amount) < MONEY_LIMIT else None


def find_dates(text: str) -> list[tuple[date, str]]:
    """Every valid date in ``text`` with the text it was read from."""
    found = []
    for match in _DATE.finditer(text):
        month = match.group("m") or match.group("m2")
        day = match.group("d") or match.group("d2")
        try:
            found.append((date(int(match.group("y")), int(month), int(day)), match.group(0)))
        except ValueError:
            continue
    return found


def parse_date(text: str) -> str | None:
    dates = find_dates(text)
    return dates[0][0].isoformat() if dates else None


def parse_date_range(text: str) -> tuple[str, str] | None:
    """A stay printed as ``20201217|20201223``, ``2020-12-17至2020-12-23`` and the like."""
    dates = find_dates(text)
    if len(dates) < 2:
        return None
    return dates[0][0].isoformat(), dates[1][0].isoformat()


def parse_integer(text: str) -> int | None:
    """``8天`` -> 8, ``51岁`` -> 51."""
    match = _INTEGER.search(text)
    return int(match.group(0)) if match else None


_GARBLED_WORDS = re.compile(f"[{AMOUNT_WORDS_CHARS}]{{2,}}[^{AMOUNT_WORDS_CHARS}\\s\\d:：()（）¥￥][{AMOUNT_WORDS_CHARS}]{{2,}}")


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{4,12}")
MIN_WORDS_CHARS = 2
"""A run of Chinese with this many 大写 characters in it may be a 大写 reading garbled throughout."""


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def find_amount_words(text: str) -> str | None:
    """The 大写 amount exactly as printed, if ``text`` holds one that parses; else a 大写 reading
    with one character misread inside (``玖拾管元玖角``), as read, for the cross-checks to repair:
    reporting its parsable first half (``玖拾``) would claim an amount the bill does not state.
    Failing both, a run of Chinese with a few 大写 characters scattered in it (``言佰晶抬元业``,
    faint dot-matrix print): also as read, for the cross-checks to repair or doubt."""
    garbled = _GARBLED_WORDS.search(text)
    for match in _AMOUNT_WORDS.finditer(text):
        if garbled and garbled.start() <= match.start() < garbled.end():
            return garbled.group(0)
        try:
            parse_amount_words(match.group(0))
        except AmountWordsError:
            continue
        start = match.start()
        if match.group(0).startswith("拾") and start > 0 and _is_cjk(text[start - 1]):
            # ``歪拾伍元整``: the 壹 of 壹拾 misread, not a 拾伍元整 printed after other words.
            return text[start - 1 : match.end()]
        return match.group(0)
    if garbled:
        return garbled.group(0)
    run = next((m for m in _CJK_RUN.finditer(text) if sum(ch in AMOUNT_WORDS_CHARS for ch in m.group(0)) >= MIN_WORDS_CHARS), None)
    return run.group(0) if run else None


_INSTITUTION = re.compile(
    r"[\u4e00-\u9fff]{2,30}(?:医院|卫生院|卫生服务中心|社区卫生服务站|门诊部|诊所|保健院|医疗中心|中心)"
    r"(?:[\u4e00-\u9fff]{1,4}?(?:分院|院区|院)(?![\u4e00-\u9fff]))?"
    r"(?:[(（][\u4e00-\u9fff]{1,6}[)）])?"
)
_GRADE = re.compile(r"级[甲乙丙特]等|^.?[甲乙丙]等(?:综合|专科|中医)|^[一二三未]级(?:综合|专科|中医)?医院")
"""医疗机构类型 (三级甲等专科医院) names a hospital's grade, not the hospital."""


def find_institution(text: str) -> tuple[int, int] | None:
    """The span of a hospital or clinic's name in ``text`` (``江南市第六人民医院``,
    ``…附属第三人民医院东湖分院``, ``…医院(总院)``), or None."""
    for match in _INSTITUTION.finditer(text):
        if not _GRADE.search(match.group(0)):
            return match.span()
    return None


_MASKED_ID = re.compile(r"^(\d{1,6})\*+(\d{0,4}[\dXx]?)$")
ID_NUMBER_LENGTH = 18


def normalise_masked_id(text: str) -> str:
    """``436*********3990`` -> ``436***********3990``.

    Resident ID numbers have 18 characters. OCR reads a run of identical ``*`` as one blob of
    uncertain length, so a masked number is rebuilt to 18 characters around what it did read.
    """
    match = _MASKED_ID.match(text)
    if not match:
        return text
    head, tail = match.groups()
    return head + "*" * (ID_NUMBER_LENGTH - len(head) - len(tail)) + tail
