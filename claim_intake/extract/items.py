"""Charge lines (项目名称 / 金额) of invoices and expense lists.

Tables come in several shapes: two name/amount pairs per row on the unified invoice, a row of
名称 类别 单位 数量 单价 金额 on expense lists, ``检查费：10.00`` on old paper bills. One reading
covers them all: walking a row left to right, a name opens an item, further words before any
number (a category, a unit) belong to it, and the item's amount is the last money on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claim_intake.extract.layout import NormLine, same_row
from claim_intake.extract.normalize import parse_money
from claim_intake.extract.templates import normalise_label

_TOKEN = re.compile(
    r"(?P<money>\d[\d,]*\.\d{2})(?!\d)|(?P<number>\d+(?:\.\d+)?)|(?P<word>[^\s\d:;,.、|：；，。]+)"
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_HEADER_WORDS = {"项目名称", "项目", "名称", "金额", "金额(元)", "备注", "类别", "单位", "数量", "单价", "规格", "序号"}


@dataclass(frozen=True)
class Item:
    name: str
    amount: str


def _rows(lines: list[NormLine]) -> list[list[NormLine]]:
    rows: list[list[NormLine]] = []
    for line in sorted(lines, key=lambda ln: ln.line.box[1]):
        for row in rows:
            if same_row(row[0].line.box, line.line.box):
                row.append(line)
                break
        else:
            rows.append([line])
    return [sorted(row, key=lambda ln: ln.line.box[0]) for row in rows]


def _is_name(word: str) -> bool:
    return len(_CJK.findall(word)) >= 2 and normalise_label(word) not in _HEADER_WORDS


_COLUMN_ROW = re.compile(r"^(?P<name>.*?[^\d\s.:：\-—_¥￥])[\s:：\-—_¥￥]*(?P<amount>-*[¥￥]*\d[\d,.]*)$")
_LEADER = re.compile(r"[\s:：\-—_]+$")


def read_column_items(lines: list[NormLine], amount_left: float) -> list[Item]:
    """Items of a one-column charge list (项目 | 金额) as older 机打 bills print it: per row, the
    name, then the amount in the 金额 column (from ``amount_left`` on), as a bare integer, with one
    decimal or two, after a dash leader (``诊疗费(自费)(0)---- -197.0``)."""
    items: list[Item] = []
    for row in _rows(lines):
        names = [ln.line.text for ln in row if ln.line.box[2] <= amount_left]
        amounts = [ln.line.text for ln in row if ln.line.box[2] > amount_left]
        text = "".join(names + amounts).replace(" ", "")
        match = _COLUMN_ROW.match(text)
        if not match:
            continue
        name = _LEADER.sub("", match.group("name"))
        amount = parse_money(match.group("amount").lstrip("-"))
        if amount is None or not _CJK.search(name) or normalise_label(name) in _HEADER_WORDS:
            continue
        items.append(Item(name, amount))
    return items


def read_items(lines: list[NormLine]) -> list[Item]:
    """The items of the table rows in ``lines`` (already cut to the table's region)."""
    items: list[Item] = []
    for row in _rows(lines):
        name: str | None = None
        amount: str | None = None
        for line in row:
            for token in _TOKEN.finditer(line.line.text):
                word = token.group("word")
                if word and word[0] in "(（" and name is not None and amount is None:
                    name += word  # 床位费 （三人间）: a qualifier read as its own word
                elif word and _is_name(word):
                    if name is not None and amount is not None:
                        items.append(Item(name, amount))
                        name, amount = None, None
                    if name is None:
                        name = token.group("word")
                elif token.group("money") and name is not None:
                    amount = parse_money(token.group("money"))
        if name is not None and amount is not None:
            items.append(Item(name, amount))
    return items
