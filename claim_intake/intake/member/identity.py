"""Who a member says they are: name, ID number (GB 11643), phone, unit; checked before anything
is stored or sent."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, field_validator

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PHONE = re.compile(r"^1[3-9]\d{9}$")
_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,20}$")


def id_number_problem(value: str) -> str | None:
    """Why an ID number (公民身份号码, 18 characters) is not valid, in plain words; None if it is."""
    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return "身份证号应为18位，最后一位可能是X"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号中的出生日期不对，请核对"
    if born > date.today() or born.year < 1900:
        return "身份证号中的出生日期不对，请核对"
    if _CHECK[sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS, strict=True)) % 11] != value[17]:
        return "身份证号校验位不对，请逐位核对"
    return None


def mask_id(value: str) -> str:
    return f"{value[:4]}**********{value[-4:]}"


def mask_phone(value: str) -> str:
    return f"{value[:3]}****{value[-4:]}"


class Identity(BaseModel):
    """What the member typed on the first page."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str
    id_number: str
    phone: str
    unit: str

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError("请填写身份证上的中文姓名")
        return value

    @field_validator("id_number")
    @classmethod
    def _id_number(cls, value: str) -> str:
        value = value.upper()
        if (problem := id_number_problem(value)) is not None:
            raise ValueError(problem)
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = value.replace(" ", "").replace("-", "")
        if not _PHONE.fullmatch(value):
            raise ValueError("请填写11位手机号")
        return value

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        if not 2 <= len(value) <= 100:
            raise ValueError("请填写工作单位（基层工会）")
        return value
