"""Roster files as union offices keep them (CSV or XLSX, Chinese or English headers) -> rows.

A file that is not a roster (no header row with the required columns) is a RosterFileError; a
row that cannot be used is a RowProblem with its line and reason, and the other rows go on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from claim_intake.errors import RosterFileError
from claim_intake.extract.normalize import find_dates
from claim_intake.roster.identity import IdNumberError, normalise_account, normalise_id_number
from claim_intake.roster.models import RosterFile, RosterRow, RowProblem

MAX_ROSTER_BYTES = 64 * 1024 * 1024
"""A roster file larger than this is refused (a 100,000-member CSV is about 12 MB)."""

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "id_number": ("公民身份号码", "身份证号", "身份证号码", "id_number"),
    "phone": ("手机号", "手机号码", "联系电话", "phone"),
    "unit": ("工作单位", "基层工会", "单位", "unit"),
    "plan": ("参保方案", "保障方案", "plan"),
    "start": ("起始日期", "开始日期", "保障起始日期", "start"),
    "end": ("终止日期", "结束日期", "保障终止日期", "end"),
    "paid_on": ("缴费日期", "paid_on"),
    "bank": ("开户行", "bank"),
    "account": ("银行账号", "账号", "account"),
}
"""Accepted headers of each column (compared without spaces, case, ``*`` marks or notes in
brackets such as ``姓名（必填）``)."""
REQUIRED = ("name", "id_number", "plan", "start", "end")
_HEADER_SEARCH_ROWS = 10
"""A title line or two (``2025年度职工医疗互助参保名单``) may sit above the header."""
_NOTE = re.compile(r"[(（][^)）]*[)）]|[\s*＊]")
_MEMBER_DETAILS = ("name", "phone", "unit", "bank", "account")
_LABELS = {"name": "姓名", "phone": "手机号", "unit": "工作单位", "bank": "开户行", "account": "银行账号"}
_ALIASES = {alias.lower(): column for column, aliases in COLUMNS.items() for alias in aliases}


def read_roster(data: bytes, filename: str) -> RosterFile:
    """Rows of a CSV or XLSX roster (chosen by content, then by name)."""
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        lines = _xlsx_lines(data, filename)
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RosterFileError(f"{filename}: an old Excel (.xls) file; save it as .xlsx or .csv")
    else:
        lines = _csv_lines(data)
    return _rows(lines, filename)


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[Any]]]:
    # Excel on a Chinese Windows saves CSV as GBK; elsewhere it is UTF-8 (with or without a BOM).
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")
    # PostgreSQL's text cannot hold NUL; csv refuses it too.
    reader = csv.reader(io.StringIO(text.replace("\x00", ""), newline=""))
    try:
        for row in reader:
            yield reader.line_num, row
    except csv.Error as exc:
        raise RosterFileError(f"not a readable CSV file (line {reader.line_num}: {exc})") from exc


def _xlsx_lines(data: bytes, filename: str) -> Iterator[tuple[int, list[Any]]]:
    # openpyxl raises whatever its parsers raise on a damaged workbook (zip, XML, KeyError on a
    # missing part, TypeError on a malformed one): every one of them means "not a readable XLSX".
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise RosterFileError(f"{filename}: not a readable XLSX workbook ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    except RosterFileError:
        raise
    except Exception as exc:
        raise RosterFileError(f"{filename}: not a readable XLSX workbook ({exc})") from exc
    finally:
        book.close()


def _header(cells: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _NOTE.sub("", str(cell or "")).lower()
        column = _ALIASES.get(key)
        if column is not None and column not in found:
            found[column] = index
    return found


def _rows(lines: Iterable[tuple[int, list[Any]]], filename: str) -> RosterFile:
    lines = iter(lines)
    columns: dict[str, int] = {}
    best: dict[str, int] = {}
    for _ in range(_HEADER_SEARCH_ROWS):
        item = next(lines, None)
        if item is None:
            break
        columns = _header(item[1])
        if all(c in columns for c in REQUIRED):
            break
        best = columns if len(columns) > len(best) else best
        columns = {}
    if not columns:
        missing = [c for c in REQUIRED if c not in best]
        expected = "; ".join(f"{c}: {' / '.join(COLUMNS[c])}" for c in missing)
        raise RosterFileError(f"{filename}: not a member roster: no header row with the column(s) {expected}")
    rows: list[RosterRow] = []
    problems: list[RowProblem] = []
    seen: dict[tuple[str, str, date], int] = {}
    members: dict[str, RosterRow] = {}
    for line, cells in lines:
        values = {column: _cell(cells, index) for column, index in columns.items()}
        if not any(v not in (None, "") for v in values.values()):
            continue
        try:
            row = _row(line, values)
        except _BadRow as exc:
            problems.append(RowProblem(line=line, reason=str(exc)))
            continue
        key = (row.id_number, row.plan, row.start)
        if key in seen:
            problems.append(RowProblem(line=line, reason=f"与第{seen[key]}行重复（同一身份证号、参保方案和起始日期）"))
            continue
        first = members.get(row.id_number)
        if first is not None:
            differ = [_LABELS[f] for f in _MEMBER_DETAILS if getattr(first, f) != getattr(row, f)]
            if differ:
                problems.append(RowProblem(line=line, reason=f"与第{first.line}行为同一身份证号，但{'、'.join(differ)}不同"))
                continue
        seen[key] = line
        members.setdefault(row.id_number, row)
        rows.append(row)
    return RosterFile(rows=tuple(rows), problems=tuple(problems))


class _BadRow(ValueError):
    pass


def _cell(cells: list[Any], index: int) -> Any:
    value = cells[index] if index < len(cells) else None
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


MAX_LENGTHS = {"name": 100, "phone": 40, "unit": 200, "bank": 100, "plan": 100}
"""As the database columns hold them."""
_FIELD_LABELS = {"name": "姓名", "phone": "手机号", "unit": "工作单位", "bank": "开户行", "plan": "参保方案"}


def _text(values: dict[str, Any], column: str) -> str | None:
    value = values.get(column)
    if value in (None, ""):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


def _date(values: dict[str, Any], column: str, label: str, required: bool) -> date | None:
    value = values.get(column)
    if value in (None, ""):
        if required:
            raise _BadRow(f"缺少{label}")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    found = find_dates(text)
    if len(found) != 1 or found[0][1].strip() != text:
        raise _BadRow(f"{label}“{text}”不是有效日期")
    return found[0][0]


def _row(line: int, values: dict[str, Any]) -> RosterRow:
    name = _text(values, "name")
    if name is None:
        raise _BadRow("缺少姓名")
    raw_id = values.get("id_number")
    if isinstance(raw_id, int | float):
        # A number cell holds 15 significant digits: Excel has already lost the last ones.
        raise _BadRow("身份证号被保存为数字（Excel 会丢失末几位），请将该列设为文本后重新导出")
    if not raw_id:
        raise _BadRow("缺少身份证号")
    plan = _text(values, "plan")
    if plan is None:
        raise _BadRow("缺少参保方案")
    try:
        id_number = normalise_id_number(str(raw_id))
        account_text = _text(values, "account")
        account = normalise_account(account_text) if account_text else None
    except IdNumberError as exc:
        raise _BadRow(str(exc)) from None
    for column, limit in MAX_LENGTHS.items():
        text = _text(values, column)
        if text is not None and len(text) > limit:
            raise _BadRow(f"{_FIELD_LABELS[column]}超过{limit}个字符")
    start = _date(values, "start", "起始日期", required=True)
    end = _date(values, "end", "终止日期", required=True)
    assert start is not None and end is not None
    if end < start:
        raise _BadRow(f"终止日期 {end} 早于起始日期 {start}")
    return RosterRow(
        line=line, name=name, id_number=id_number, phone=_text(values, "phone"), unit=_text(values, "unit"),
        bank=_text(values, "bank"), account=account, plan=plan, start=start, end=end,
        paid_on=_date(values, "paid_on", "缴费日期", required=False),
    )
