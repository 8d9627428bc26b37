"""Resident identity numbers (公民身份号码, GB 11643-1999) and bank accounts: validated,
normalised for matching, masked for showing."""

from __future__ import annotations

import re
from datetime import date

from stdnum.cn import ric

_MASK = "*"
_ACCOUNT = re.compile(r"^\d{8,32}$")
_SPACES = re.compile(r"[\s\u3000]+")


class IdNumberError(ValueError):
    """Why a number is no valid identity number (the reason a roster row is refused for)."""


def normalise_id_number(text: str) -> str:
    """The 18-character number as stored and matched (a final x as X), or IdNumberError.

    The check digit is GB 11643's (python-stdnum computes it); the birth date must be a real date.
    The region code is not looked up: a code missing from a library's table is no reason to
    refuse a member."""
    # stdnum's compact() goes character by character: too slow for a roster of 100,000.
    number = _SPACES.sub("", text).upper()
    if len(number) != 18:
        raise IdNumberError(f"身份证号应为18位，此处为{len(number)}位")
    if not number.isascii() or not number[:-1].isdigit() or not (number[-1].isdigit() or number[-1] == "X"):
        raise IdNumberError("身份证号含有非数字字符")
    if number[-1] != ric.calc_check_digit(number):
        raise IdNumberError("身份证号校验位错误")
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("身份证号中的出生日期无效") from None
    return number


def is_masked(text: str) -> bool:
    return _MASK in text


def mask_id_number(number: str | None) -> str | None:
    """``310***********123X``: the region's first three and the last four characters."""
    if not number:
        return number
    if len(number) <= 7:
        return _MASK * len(number)
    return number[:3] + _MASK * (len(number) - 7) + number[-4:]


def masked_matches(masked: str, number: str) -> bool:
    """Whether a masked number as printed on a bill (``350***********123X``, 18 characters after
    ``normalise_masked_id``) can be ``number``: every character shown agrees."""
    masked = masked.upper()
    return len(masked) == len(number) and all(m in (_MASK, n) for m, n in zip(masked, number, strict=True))


def normalise_account(text: str) -> str:
    """Digits only (spaces and dashes as printed are dropped), or IdNumberError."""
    digits = re.sub(r"[\s\-]", "", text)
    if not _ACCOUNT.match(digits):
        raise IdNumberError("银行账号应为8至32位数字")
    return digits


def mask_account(account: str | None) -> str | None:
    """``6222***********1234``: the first four and the last four digits."""
    if not account:
        return account
    if len(account) <= 8:
        return _MASK * len(account)
    return account[:4] + _MASK * (len(account) - 8) + account[-4:]
