"""A payout batch as the bank takes it: XLSX (openpyxl) and CSV, one row per claim, with the full
account number. The console's pages show the account masked; only these files carry it whole."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

from claim_intake.intake.payout import PayoutLine

HEADER = ("序号", "姓名", "账号", "金额（元）", "申报编号")
"""No., name, account, amount (yuan), claim id."""


def _rows(lines: Sequence[PayoutLine]) -> list[tuple[int, str, str, str, str]]:
    return [(n, line.name, line.account, f"{line.amount:.2f}", line.claim_id) for n, line in enumerate(lines, 1)]


def to_csv(lines: Sequence[PayoutLine]) -> bytes:
    """UTF-8 with a byte-order mark: Excel opens the Chinese names right only with one."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(_rows(lines))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(lines: Sequence[PayoutLine], title: str) -> bytes:
    """Accounts as text (a number would lose digits past 15); amounts as numbers, two decimals."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(HEADER)
    for n, line in enumerate(lines, 1):
        sheet.append([n, line.name, line.account, line.amount, line.claim_id])
        sheet.cell(row=n + 1, column=3).number_format = "@"
        sheet.cell(row=n + 1, column=4).number_format = "0.00"
    for column, width in zip("ABCDE", (6, 12, 24, 14, 40), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
