"""Field templates: declared as data, one YAML file per doc type, validated on load."""

from __future__ import annotations

import functools
import re
import unicodedata
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Literal

import opencc
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from claim_intake.errors import TemplateError
from claim_intake.extract.models import DocType


class FieldType(StrEnum):
    text = "text"
    name = "name"
    code = "code"
    money = "money"
    amount_words = "amount_words"
    date = "date"
    date_range = "date_range"
    integer = "integer"
    """The first whole number: days of a stay (8天), an age (51岁)."""
    presence = "presence"
    hex = "hex"
    """Hex digits (a 校验码): OCR's l, I and O in it are the digits 1, 1 and 0."""
    masked_id = "masked_id"
    """A resident ID number, usually masked (``450***********123X``)."""
    line = "line"
    """The first line matching ``pattern``: the whole line as printed (a title, a hospital
    header), or the pattern's ``value`` group read without spaces (a card number)."""
    institution = "institution"
    """A hospital's or clinic's name: after its label (收款单位), else the most prominent such name
    printed in the top of the first page (older bills print the payee only there)."""
    items = "items"
    """Charge lines: the rows between a header (``labels``) and a total (``until``)."""


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters as their simplified forms, one for one: the recogniser reads 金額
    for 金额 and 項目 for 项目 now and then. Phrase conversions that change the length are not
    taken, so that positions in the text still map back to the characters read."""
    converted = _t2s().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(c if len(c := _t2s().convert(ch)) == 1 else ch for ch in text)


def normalise_label(text: str) -> str:
    """Labels are compared on NFKC text without spaces, in simplified characters: OCR mixes full
    and half width, and traditional forms now and then."""
    return simplified("".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace()))


class FieldSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    type: FieldType
    labels: tuple[str, ...] = ()
    pattern: str | None = None
    targets: tuple[str, ...] = ()
    """For date_range: the two field names the range fills."""
    until: tuple[str, ...] = ()
    """For items: labels of the line that ends the table."""
    detail_headers: tuple[str, ...] = ()
    """For items: headers of a detail table that may stand beside the charge list (项目编码,
    规格): the charge list is then the column left of it."""
    continues: Literal["numbered", "wrapped"] | None = None
    """Text that goes on below: in numbered lines (``1.…`` then ``2.…``, diagnoses) or wrapped
    onto lines aligned under the value (an address)."""
    label_zh: str | None = None
    """How staff and claimants call the field; defaults to the first label."""
    fallback: Literal["alone_top_right", "date_in_blanks"] | None = None
    """Where no label's value is found: ``alone_top_right``, a line holding nothing but the value
    in the top right of the first page, where forms print their number (the red number after an
    unread ``NO.``); ``date_in_blanks``, a date printed into the form's ``年 月 日`` blanks."""

    @field_validator("labels", "until", "detail_headers")
    @classmethod
    def _normalise(cls, labels: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalise_label(label) for label in labels)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}")
        return pattern

    @model_validator(mode="after")
    def _consistent(self) -> FieldSpec:
        if self.type is FieldType.line and not self.pattern:
            raise ValueError("a line field needs a pattern")
        if self.type not in (FieldType.line, FieldType.institution) and not self.labels:
            raise ValueError(f"a {self.type} field needs labels")
        if self.type in (FieldType.code, FieldType.hex) and not self.pattern:
            raise ValueError(f"a {self.type} field needs a pattern")
        if self.fallback == "date_in_blanks" and self.type is not FieldType.date:
            raise ValueError("date_in_blanks is a fallback for date fields")
        if self.continues and self.type is not FieldType.text:
            raise ValueError("only text fields continue on further lines")
        if (self.type is FieldType.items) != bool(self.until):
            raise ValueError("until is given exactly for items fields")
        if self.detail_headers and self.type is not FieldType.items:
            raise ValueError("detail_headers are given only for items fields")
        if (self.type is FieldType.date_range) != bool(self.targets):
            raise ValueError("targets are given exactly for date_range fields (two names)")
        if self.targets and len(self.targets) != 2:
            raise ValueError("a date_range has two targets")
        return self


class Template(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_type: DocType
    fields: dict[str, FieldSpec]
    stops: tuple[str, ...] = ()
    """Labels of things we do not extract (复核人, 收款人) that end the value before them."""
    cross_checks: tuple[Literal["totals"], ...] = ()
    """Arithmetic the document's values must satisfy, used to repair and vouch for them:
    ``totals``: 小写, 大写, charge lines and payment parts state one total."""

    @field_validator("stops")
    @classmethod
    def _normalise_stops(cls, stops: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalise_label(stop) for stop in stops)

    def output_names(self) -> list[str]:
        """The spec's field names this template can fill, in declaration order."""
        names: list[str] = []
        for name, spec in self.fields.items():
            names.extend(spec.targets or (name,))
        return names

    def label_of(self, field: str) -> str:
        for name, spec in self.fields.items():
            if name == field or field in spec.targets:
                if spec.label_zh:
                    return spec.label_zh
                return spec.labels[0] if spec.labels else field
        return field


def load_template_file(path: Path) -> Template:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Template.model_validate(raw)
    except (yaml.YAMLError, ValidationError, OSError) as exc:
        raise TemplateError(f"template {path}: {exc}") from exc


@functools.cache
def builtin_templates() -> dict[DocType, Template]:
    folder = resources.files("claim_intake.extract") / "templates"
    templates = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            template = load_template_file(Path(str(entry)))
            templates[template.doc_type] = template
    return templates
