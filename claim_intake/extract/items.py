"""Charge lines (项目名称 / 金额) of invoices and expense lists.

Tables come in several shapes: two name/amount pairs per row on the unified invoice, a row of
名称 类别 单位 数量 单价 金额 on expense lists, ``检查费：10.00`` on old paper bills. One reading
covers them all: walking a row left to right, a name opens an item, further words before any
number (a category, a unit) belong to it, and the item's amount is the last money on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claim_intake.extract.charges import CHARGE_CATEGORIES, repair_charge_name
from claim_intake.extract.layout import NormLine
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
    """Lines grouped into table rows: a line joins the row whose mean centre it is within half a
    line height of. The mean, not the first line: in a tilted photo a row's ends drift apart,
    while two rows printed close together stay apart."""
    rows: list[list[NormLine]] = []
    for line in sorted(lines, key=lambda ln: ln.line.box[1]):
        height = line.line.box[3] - line.line.box[1]
        for row in rows:
            centre = sum(o.centre_y for o in row) / len(row)
            if abs(line.centre_y - centre) < 0.5 * min(height, min(o.line.box[3] - o.line.box[1] for o in row)):
                row.append(line)
                break
        else:
            rows.append([line])
    return [sorted(row, key=lambda ln: ln.line.box[0]) for row in rows]


def _is_name(word: str) -> bool:
    return len(_CJK.findall(word)) >= 2 and normalise_label(word) not in _HEADER_WORDS


_GLUED_ROW = re.compile(r"^(?P<name>.*?[^\d\s.:：\-—_¥￥])[\s:：\-—_¥￥]*(?P<amount>-*[¥￥]*\d[\d,]*\.\d{1,2})$")
_AMOUNT = re.compile(r"^-*[¥￥]*\d[\d,.]*$")
_LEADER = re.compile(r"[\s:：\-—_]+$")
_DIGIT_LOOKALIKES = str.maketrans({"G": "6", "O": "0", "o": "0", "D": "0", "l": "1", "I": "1", "S": "5", "B": "8", "Z": "2"})
_COLON_POINT = re.compile(r"(?<=\d)[:：](?=\d{2}$)")
_LOST_DECIMAL = re.compile(r"(?<=\d)\.[A-Za-z]$")


def _amount_text(line: NormLine) -> str | None:
    """The text of a box in the 金额 column read as an amount: where the column holds nothing but
    figures, a letter in it is a digit misread (``G0.45``) and a colon before the fen a point
    (``70:00``)."""
    text = _COLON_POINT.sub(".", line.line.text.replace(" ", ""))
    if sum(ch.isalpha() for ch in text) <= 1:
        text = text.translate(_DIGIT_LOOKALIKES)
    # A decimal read as no digit at all (``-197.b``): the yuan as read; the cross-checks complete
    # the amount from a vouched total if the lost decimal was not 0.
    text = _LOST_DECIMAL.sub("", text)
    return text if _AMOUNT.match(text) else None


def read_column_items(lines: list[NormLine], amount_column: tuple[float, float], names_end: float) -> list[Item]:
    """Items of a one-column charge list (项目 | 金额) as older 机打 bills print it: per row, the
    name (left of ``names_end``, where the header's next column begins: 数量 on some forms), and
    the amount nearest the 金额 header (``amount_column``: its x range), printed as a bare integer,
    with one decimal or two, after a dash leader (``诊疗费(自费)(0)---- -197.0``). Without a box in
    the column, an amount glued to the name counts only with its decimals (``西药费：47.82``): a
    bare number there belongs to the name (``新急诊窗口1``)."""
    left, right = amount_column
    middle = (left + right) / 2
    items: list[Item] = []
    for row in _rows(lines):
        height = max(ln.line.box[3] - ln.line.box[1] for ln in row)
        pairs = _PAIR.findall("".join(ln.line.text for ln in row).replace(" ", ""))
        if len(pairs) >= MIN_PAIRS_IN_ROW and all(_CJK.search(name) for name, _ in pairs):
            # Two charges printed on one row (``西药费¥128.40 其他费¥3.00``): each with its amount.
            items += [Item(_LEADER.sub("", name), amount) for name, raw in pairs if (amount := parse_money(raw))]
            continue
        amounts = [
            (ln, text) for ln in row
            if left - 2 * height <= ln.centre_x <= right + 3 * height
            and (text := _amount_text(ln)) is not None
        ]
        amount_line, amount_text = min(amounts, key=lambda a: abs(a[0].centre_x - middle), default=(None, ""))
        names = [ln.line.text for ln in row if ln.centre_x < min(left, names_end) and ln is not amount_line]
        name_text = "".join(names).replace(" ", "")
        if amount_line is not None:
            name, raw_amount = _LEADER.sub("", name_text), amount_text
        else:
            match = _GLUED_ROW.match(name_text)
            if not match:
                category = repair_charge_name(_LEADER.sub("", name_text))
                if category in CHARGE_CATEGORIES:
                    # A charge category whose amount was not read at all: unpriced (``""``) for
                    # the cross-checks to price from a vouched total, or to drop.
                    items.append(Item(category, ""))
                continue
            name, raw_amount = _LEADER.sub("", match.group("name")), match.group("amount")
        amount = parse_money(raw_amount.lstrip("-"))
        if amount is None or not _CJK.search(name) or normalise_label(name) in _HEADER_WORDS or name[:1] in _WORDS_NUMERALS:
            continue
        items.append(Item(name, amount))
    return items


_PAIR = re.compile(r"([^\d¥￥.,]+?)[¥￥]?(\d[\d,]*\.\d{2})(?!\d)")
"""A name and its amount with the fen, as a row prints them one after the other."""
MIN_PAIRS_IN_ROW = 2

_WORDS_NUMERALS = frozenset("壹贰貮叁参肆伍陆陸柒捌玖")
"""No charge is named with a 大写 numeral first: such a row is the 大写 total printed high into
the list (``叁拾贰元整 32.00`` read as ``叁指集加强``)."""

_CATEGORY = re.compile(r"[\u4e00-\u9fff]{1,8}费")
MIN_GRID_CELLS = 3


def read_grid_items(lines: list[NormLine]) -> list[Item]:
    """Items of a grid of charge categories (西药费 | 中成药费 | 检查费 ...), each amount printed
    under its name, the categories not charged left blank: provincial 机打 forms print their
    charges so. Needs a few category cells, so that a stray ``检查费`` is no grid."""
    cells = [ln for ln in lines if _CATEGORY.fullmatch(ln.text)]
    if len(cells) < MIN_GRID_CELLS:
        return []
    amounts = [ln for ln in lines if _AMOUNT.match(ln.line.text.replace(" ", "")) and parse_money(ln.text)]
    items: list[Item] = []
    taken: set[int] = set()
    for cell in sorted(cells, key=lambda ln: (ln.line.box[1], ln.line.box[0])):
        height = cell.line.box[3] - cell.line.box[1]
        below = [
            ln for ln in amounts
            if id(ln) not in taken
            and 0.3 * height < ln.centre_y - cell.centre_y <= 2.2 * height
            and abs(ln.centre_x - cell.centre_x) <= height
        ]
        amount = min(below, key=lambda ln: ln.centre_y - cell.centre_y, default=None)
        if amount is not None:
            taken.add(id(amount))
            items.append(Item(cell.line.text.strip(), str(parse_money(amount.text))))
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
