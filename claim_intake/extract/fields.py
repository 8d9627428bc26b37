"""Field extraction: a template applied to a document's OCR lines."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from statistics import fmean

from claim_intake.extract.charges import repair_charge_name
from claim_intake.extract.crosscheck import PAYMENT_PARTS, reconcile_totals, without_unpriced
from claim_intake.extract.institutions import (
    institution_span,
    name_before_title,
    repair_name,
    same_name,
)
from claim_intake.extract.items import Item, read_column_items, read_grid_items, read_items
from claim_intake.extract.layout import LabelHit, NormLine, find_labels, same_row
from claim_intake.extract.models import Field
from claim_intake.extract.normalize import (
    find_amount_words,
    find_dates,
    normalise_masked_id,
    parse_date,
    parse_date_range,
    parse_integer,
    parse_money,
)
from claim_intake.extract.templates import FieldSpec, FieldType, Template
from claim_intake.extract.values import Candidate, Layout, Parsed, Parser, assign, candidates_for
from claim_intake.ocr.models import Box, Page

_NUMBERED = re.compile(r"^\d{1,2}[.、]")
_CHARGE_LINE = re.compile(r"[\u4e00-\u9fff]{2,10}:?\d[\d,]*\.\d{2}")
_AS_PRINTED = (FieldType.text, FieldType.name, FieldType.institution)
HEADER_SHARE = 0.3
"""Where a form prints its issuer's name: the top 30% of the printed area of its first page."""
_NAME = re.compile(r"[\u4e00-\u9fff*·]{2,8}")
_NOT_NAME_CHARS = set("男女性别年龄岁科室")
_NOT_NAMES = ("性别", "年龄", "科室", "姓名", "科别")
"""Header words a name's place may hold when the name itself sits elsewhere."""


def _span(text: str, value: str | None, needle: str | None = None) -> Parsed | None:
    if value is None:
        return None
    pos = text.find(needle) if needle else -1
    if pos < 0:
        return Parsed(value, 0, len(text))
    return Parsed(value, pos, pos + len(needle))


def _parse_pattern(spec: FieldSpec, text: str) -> Parsed | None:
    """The first match that is no piece of a longer run of digits: ten digits inside a
    sixteen-digit serial are no invoice number."""
    for match in re.finditer(spec.pattern or ".+", text):
        start, end = match.span()
        if (start > 0 and text[start - 1].isdigit() and text[start].isdigit()) or (
            end < len(text) and text[end].isdigit() and text[end - 1].isdigit()
        ):
            continue
        return Parsed(match.group(0).strip(), start, end)
    return None


def _parse_name(spec: FieldSpec, text: str) -> Parsed | None:
    match = _NAME.match(text)
    if not match:
        return None
    name = match.group(0)
    if name.startswith(_NOT_NAMES) or name.endswith("费"):  # 治疗费 is a charge, not a person
        return None
    # "张三性别男" read as one run: a name ends where the next header word begins.
    for i, ch in enumerate(name):
        if ch in _NOT_NAME_CHARS and i >= 2:
            name = name[:i]
            break
    return Parsed(name, 0, len(name))


def _parse_text(spec: FieldSpec, text: str) -> Parsed | None:
    if spec.pattern:
        return _parse_pattern(spec, text)
    value = text.strip(" :;,.、")
    return Parsed(value, 0, len(text)) if value else None


def _parse_institution(spec: FieldSpec, text: str) -> Parsed | None:
    span = institution_span(text)
    return Parsed(text[span[0] : span[1]], *span) if span else None


_HEX_CONFUSIONS = str.maketrans({"l": "1", "I": "1", "O": "0", "o": "0"})


def _parse_hex(spec: FieldSpec, text: str) -> Parsed | None:
    found = _parse_pattern(spec, text.translate(_HEX_CONFUSIONS))
    return Parsed(str(found.value).lower(), found.start, found.end) if found else None


_MASKED_ID_TEXT = re.compile(r"[0-9Xx*]{10,20}")


def _parse_masked_id(spec: FieldSpec, text: str) -> Parsed | None:
    match = _MASKED_ID_TEXT.search(text)
    if not match:
        return None
    return Parsed(normalise_masked_id(match.group(0)), match.start(), match.end())


_NO_AMOUNT = re.compile(
    r"^[^\d]*\d(?:[\d.,]*\d)?(?:[A-Za-z]|[-/*×]\d)|^[^\d]*[\u4e00-\u9fff]\d+(?:\.\d+)?[\u4e00-\u5142\u5144-\u9fff]"
)
"""A first number with a unit after it (``6g*1/袋``), run into a code or date (``3-15-8``), or
inside a run of words (``请到门诊3楼``, ``第17号``; an amount there ends in 元): a detail line's
quantity, a note, a place, not the amount a payment label looks for."""
_MONEY_TEXT = re.compile(r"[¥￥]?[\d日口Oo][\d.,，日口Oo]*")


def _parse_money(spec: FieldSpec, text: str) -> Parsed | None:
    if _NO_AMOUNT.match(text):
        return None
    value = parse_money(text)
    if value is None:
        return None
    # Where the figure stands in the text, so that a bare ``0.00`` box fits better than ``诊查费15``.
    found = _MONEY_TEXT.search(text)
    return Parsed(value, *found.span()) if found else Parsed(value, 0, len(text))


def _parse_date(spec: FieldSpec, text: str) -> Parsed | None:
    return _span(text, parse_date(text))


def _parse_range(spec: FieldSpec, text: str) -> Parsed | None:
    found = parse_date_range(text)
    return Parsed(found, 0, len(text)) if found else None


def _parse_integer(spec: FieldSpec, text: str) -> Parsed | None:
    number = parse_integer(text)
    return Parsed(number, 0, len(text)) if number is not None else None


def _parse_words(spec: FieldSpec, text: str) -> Parsed | None:
    words = find_amount_words(text)
    return _span(text, words, words)


_PARSERS: dict[FieldType, Parser] = {
    FieldType.text: _parse_text,
    FieldType.institution: _parse_institution,
    FieldType.name: _parse_name,
    FieldType.code: _parse_pattern,
    FieldType.money: _parse_money,
    FieldType.amount_words: _parse_words,
    FieldType.date: _parse_date,
    FieldType.date_range: _parse_range,
    FieldType.integer: _parse_integer,
    FieldType.masked_id: _parse_masked_id,
    FieldType.hex: _parse_hex,
}


def _field(line: NormLine, start: int, end: int, value: object, raw: str | None = None) -> Field:
    return Field(
        value=value,
        raw=raw if raw is not None else line.raw(start, end),
        confidence=round(line.line.confidence, 4),
        page=line.page.number,
        box=line.page.to_source(line.sub_box(start, end)),
    )


class _DocumentText:
    """A document's lines with the template's labels located once."""

    def __init__(self, template: Template, pages: Sequence[Page]) -> None:
        # Stop labels end a value without being a field: their hits have no field name.
        labels = sorted(
            [(label, name) for name, spec in template.fields.items() for label in spec.labels]
            + [(stop, "") for stop in template.stops],
            key=lambda pair: -len(pair[0]),
        )
        self.pages = list(pages)
        self.lines = [NormLine.of(line, page) for page in pages for line in page.lines]
        self.hits: dict[NormLine, list[LabelHit]] = {}
        for line in self.lines:
            self.hits[line] = find_labels(line, labels) if labels else []
        self.layout = Layout(self.lines, self.hits)
        self._extent: dict[int, Box] = {}

    def position(self, line: NormLine) -> tuple[float, float]:
        """Where a line starts within the printed area of its page (0..1 each way): a photo's
        page holds desk around the sheet where flattening did not crop it."""
        key = id(line.page)
        if key not in self._extent:
            boxes = [other.line.box for other in self.lines if other.page is line.page]
            self._extent[key] = (
                min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes),
            )
        x0, y0, x1, y1 = self._extent[key]
        return (line.line.box[0] - x0) / max(x1 - x0, 1.0), (line.line.box[1] - y0) / max(y1 - y0, 1.0)

    def hits_for(self, field: str) -> list[LabelHit]:
        return [hit for line in self.lines for hit in self.hits[line] if hit.field == field]


def _rank(spec: FieldSpec, hit: LabelHit) -> int:
    """The label's place in the spec's list (earlier labels are preferred); misread ones last."""
    text = hit.line.text[hit.start : hit.end]
    return spec.labels.index(text) if text in spec.labels else len(spec.labels)


def _locate(doc: _DocumentText, template: Template) -> dict[str, Candidate]:
    candidates: list[Candidate] = []
    for name, spec in template.fields.items():
        if spec.type in (FieldType.line, FieldType.items, FieldType.presence):
            continue
        for hit in doc.hits_for(name):
            candidates.extend(candidates_for(hit, spec, _rank(spec, hit), doc.layout, _PARSERS[spec.type]))
    total, words = template.fields.get("total_amount"), template.fields.get("total_amount_words")
    if total is not None and words is not None:
        # The 小写 figure printed on the 大写 row, in a box of its own after the words, where no
        # 合计/小写 label says so (older forms): the least preferred place for the total.
        for hit in doc.hits_for("total_amount_words"):
            found = candidates_for(hit, total, len(total.labels) + 1, doc.layout, _PARSERS[total.type])
            candidates.extend(replace(c, field="total_amount") for c in found if not c.inline)
    return assign(candidates)


def _extract_line_field(doc: _DocumentText, spec: FieldSpec) -> Field | None:
    pattern = re.compile(spec.pattern or "")
    for line in doc.lines:
        match = pattern.search(line.text)
        if match is None:
            continue
        if "value" in pattern.groupindex:
            return _field(line, match.start("value"), match.end("value"), match.group("value"))
        return _field(line, 0, len(line.text), line.line.text.strip())
    return None


def extract_fields(template: Template, pages: Sequence[Page]) -> dict[str, Field]:
    """Every field of the template that the document shows, keyed by the spec's names."""
    doc = _DocumentText(template, pages)
    located = _locate(doc, template)
    fields: dict[str, Field] = {}
    figures_with_words: Field | None = None
    for name, spec in template.fields.items():
        if spec.type in (FieldType.line, FieldType.items):
            extract = _extract_line_field if spec.type is FieldType.line else _extract_items
            found = extract(doc, spec)
            if found:
                fields[name] = found
            continue
        hits = doc.hits_for(name)
        if spec.type is FieldType.presence:
            fields[name] = _presence(doc, hits)
            continue
        candidate = located.get(name)
        if candidate is None:
            fallback = (
                _header_institution(doc) if spec.type is FieldType.institution
                else _alone_top_right(doc, spec) if spec.fallback == "alone_top_right"
                else _date_in_blanks(doc) or _the_only_date(doc, hits, located) if spec.fallback == "date_in_blanks"
                else None
            )
            if fallback is not None:
                fields[name] = fallback
                continue
        if candidate is None:
            unread = next(filter(None, (_unread_value(hit) for hit in hits)), None)
            if unread is not None and spec.type is not FieldType.date_range:
                fields[name] = unread
            continue
        line, (start, end), value = candidate.line, candidate.span, candidate.parsed.value
        if spec.type is FieldType.date_range:
            raw = line.raw(start, end)
            for target, part in zip(spec.targets, value, strict=True):
                fields[target] = _field(line, start, end, part, raw)
        elif spec.type in _AS_PRINTED:
            # Text values are reported as printed (full-width brackets and all).
            raw = line.raw(start, end).strip()
            if spec.continues:
                more = [m.line.text.strip() for m in _continuations(doc, line, start, spec.continues)]
                # Numbered items are separate entries; a wrapped address is one run of text.
                raw = (" " if spec.continues == "numbered" else "").join([raw, *more])
            fields[name] = _field(line, start, end, raw, raw)
        else:
            fields[name] = _field(line, start, end, value)
            if spec.type is FieldType.amount_words:
                figure = _figure_after(line, end)
                if figure is not None:
                    figures_with_words = figure
    if figures_with_words is not None and "total_amount" in template.fields:
        fields.setdefault("total_amount", figures_with_words)
    for name, spec in template.fields.items():
        if spec.type is FieldType.institution and name in fields:
            found = _better_reading(fields[name], _header_institution(doc))
            fields[name] = found.model_copy(update={"value": repair_name(str(found.value))})
    if "totals" not in template.cross_checks:
        return without_unpriced(fields)
    # Payment labels printed whose value was not read: their places, for the arithmetic to fill.
    blank = {
        name: _field(hits[0].line, hits[0].start, hits[0].end, "")
        for name in PAYMENT_PARTS
        if name in template.fields and (hits := doc.hits_for(name)) and not (name in fields and fields[name].value)
    }
    return reconcile_totals(fields, blank)


_FIGURE_AFTER_WORDS = re.compile(r"^\W?.?[(（]?[¥￥Yy]?(\d[\d,]*\.\d{2})[)）]?$")


def _figure_after(line: NormLine, end: int) -> Field | None:
    """The total in figures printed right after the 大写 on its line (``壹拾捌元¥18.00``,
    ``叁佰叁拾叁元捌角(¥333.80)``): the 小写 total where no 合计 figure is labelled."""
    match = _FIGURE_AFTER_WORDS.match(line.text[end:])
    if match is None:
        return None
    value = parse_money(match.group(1))
    return _field(line, end, len(line.text), value) if value is not None else None


def _better_reading(labelled: Field, header: Field | None) -> Field:
    """Many bills print the issuer twice (after 收款单位 and in the header): of two readings of
    the same name, the more confident; of two different names, the labelled one."""
    if header is None or not same_name(str(labelled.value), str(header.value)):
        return labelled
    return header if header.confidence > labelled.confidence else labelled


def _header_institution(doc: _DocumentText) -> Field | None:
    """The issuer's name printed in the header: the tallest such text near the top of page one,
    also where it runs into the form's title printed over it (``…喉科医医疗门(急)诊收费票据``)."""
    if not doc.lines:
        return None
    first = doc.lines[0].page
    found = _header_names(doc, [line for line in doc.lines if line.page is first])
    if not found:
        # The lines failed: the second readings of a name printed across the title, if any.
        found = _header_names(doc, [NormLine.of(line, first) for line in first.rereads])
    if not found:
        return None
    _, line, (start, end), value = max(found, key=lambda f: f[0])
    return _field(line, start, end, value, line.raw(start, end).strip())


def _header_names(doc: _DocumentText, lines: list[NormLine]) -> list[tuple[float, NormLine, tuple[int, int], str]]:
    found: list[tuple[float, NormLine, tuple[int, int], str]] = []
    for line in lines:
        if doc.position(line)[1] > HEADER_SHARE:
            continue
        span = institution_span(line.text)
        glued = name_before_title(line.text)
        # A name running into the title is read up to the title (…医院东湖分院收费票据).
        if glued is not None and (span is None or glued[0] >= span[1]):
            cut, name = glued
            found.append((line.line.box[3] - line.line.box[1], line, (0, cut), name))
        elif span is not None:
            found.append((line.line.box[3] - line.line.box[1], line, span, line.raw(*span).strip()))
    return found


TOP_RIGHT = (0.5, 0.3)
"""The top-right region of a page's printed area: right of half its width, above 30% of its height."""


_NUMBER_PREFIXES = (
    re.compile(r"^(?:[A-Za-z№]{1,2}[.:：。]?)?"),
    re.compile(r"^[A-Za-z№]{1,2}1"),
    re.compile(r"^[A-Za-z№]\d1?"),
)
"""A ``No.`` before the number, as read: ``No.``, ``NO``, ``NG``, its O read as 9 (``N9``), its
point read as 1; the bare number is tried first."""


def _alone_in_line(text: str, pattern: re.Pattern[str]) -> int | None:
    """Where the value starts in a line that holds nothing else but a ``No.`` before it."""
    for prefix in _NUMBER_PREFIXES:
        start = prefix.match(text)
        if start is not None and pattern.fullmatch(text[start.end() :]):
            return start.end()
    return None


def _alone_top_right(doc: _DocumentText, spec: FieldSpec) -> Field | None:
    pattern = re.compile(spec.pattern or "")
    found = [
        (line, start)
        for line in doc.lines
        if line.page is doc.lines[0].page
        and doc.position(line)[0] >= TOP_RIGHT[0]
        and doc.position(line)[1] <= TOP_RIGHT[1]
        and (start := _alone_in_line(line.text, pattern)) is not None
    ]
    if not found:
        return None
    line, start = max(found, key=lambda f: f[0].line.box[3] - f[0].line.box[1])
    return _field(line, start, len(line.text), line.text[start:])


_BLANK_NUMBER = re.compile(r"\d{1,4}")


def _number_before(unit: NormLine, numbers: list[NormLine]) -> NormLine | None:
    """The number printed into the blank just left of a ``年``, ``月`` or ``日``."""
    height = unit.line.box[3] - unit.line.box[1]
    near = [
        n for n in numbers
        if n.page is unit.page
        and -0.5 * height <= unit.line.box[0] - n.line.box[2] <= 1.5 * height  # print may overlap it
        and abs(n.centre_y - unit.centre_y) <= height
    ]
    return min(near, key=lambda n: unit.line.box[0] - n.line.box[2], default=None)


def _date_in_blanks(doc: _DocumentText) -> Field | None:
    """A date printed into ``年 月 日`` blanks: each number just left of its unit, on one row."""
    numbers = [ln for ln in doc.lines if _BLANK_NUMBER.fullmatch(ln.text)]
    for year in (ln for ln in doc.lines if ln.text == "年"):
        row = sorted(
            (ln for ln in doc.lines if ln.page is year.page and ln.text in ("月", "日")
             and same_row(ln.line.box, year.line.box) and ln.line.box[0] > year.line.box[0]),
            key=lambda ln: ln.line.box[0],
        )
        month = next((u for u in row if u.text == "月"), None)
        day = next((u for u in row if u.text == "日" and month and u.line.box[0] > month.line.box[0]), None)
        if month is None or day is None:
            continue
        parts = [_number_before(unit, numbers) for unit in (year, month, day)]
        if None in parts:
            continue
        found = [p for p in parts if p is not None]
        text = "-".join(p.text for p in found)
        value = parse_date(text)
        if value is None:
            continue
        first = found[0]
        box = (first.line.box[0], min(p.line.box[1] for p in found), day.line.box[2], max(p.line.box[3] for p in found))
        return Field(value=value, raw=text, confidence=round(min(p.line.confidence for p in found), 4),
                     page=first.page.number, box=first.page.to_source(box))
    return None


_IMPRINT = re.compile(r"印制|印刷|印务")
ONLY_DATE_CONFIDENCE = 0.8
"""Ceiling of the confidence of a date read unlabelled: it is the bill's, not read as its issue date."""


def _the_only_date(doc: _DocumentText, hits: list[LabelHit], located: dict[str, Candidate]) -> Field | None:
    """The date label is printed but its value not read (struck through by a ruled line, printed
    over the frame): the one date the document prints elsewhere, unlabelled (a registration
    slip's, a prescription's time), is that day. A date with a label of its own (就诊日期) or
    taken as another field's value says nothing of this one; where several are printed, none
    is guessed."""
    if not hits:
        return None
    claimed = {id(candidate.line) for candidate in located.values()}
    # As printed, spaces kept: ``2021-3-9 14:05`` runs the day into the time without them. The
    # form printer's imprint (``…2019年3月5日印制…``, down the margin) dates the paper, not the bill.
    found = [
        (line, dates) for line in doc.lines
        if not doc.hits[line] and id(line) not in claimed and not _IMPRINT.search(line.text)
        and line.line.box[2] - line.line.box[0] > line.line.box[3] - line.line.box[1]
        and (dates := find_dates(line.line.text))
    ]
    if len({day for _, dates in found for day, _ in dates}) != 1:
        return None
    line, dates = found[0]
    field = _field(line, 0, len(line.text), dates[0][0].isoformat(), dates[0][1].strip())
    return field.model_copy(update={"confidence": min(field.confidence, ONLY_DATE_CONFIDENCE)})


def _unread_value(hit: LabelHit) -> Field | None:
    """The label is printed and ink sits where its value goes, but no text could be read there:
    an empty value with no confidence, which rule sets report as ``illegible_field``."""
    page = hit.line.page
    label = hit.line.sub_box(hit.start, hit.end)
    height = label[3] - label[1]
    for box in page.unread:
        beside = same_row(box, label) and label[0] < box[0] <= label[2] + 8 * height
        below = 0 < box[1] - label[3] <= 1.5 * height and box[0] < label[2] + 6 * height and box[2] > label[0]
        if beside or below:
            return Field(value="", raw="", confidence=0.0, page=page.number, box=page.to_source(box))
    return None


def _header_row(line: NormLine, lines: list[NormLine]) -> list[NormLine]:
    """The lines of a table header's row: centres within a line height, as a photo tilts it."""
    height = line.line.box[3] - line.line.box[1]
    return [other for other in lines if other.page is line.page and abs(other.centre_y - line.centre_y) < height]


def _items_header(doc: _DocumentText, spec: FieldSpec) -> tuple[NormLine, list[NormLine]] | None:
    """The first line naming the charge column (项目名称, 项目) on a header row (with 金额, or with
    a detail table's headers when 金额 was not read), and that row."""
    for line in doc.lines:
        if any(label in line.text for label in spec.labels):
            row = _header_row(line, doc.lines)
            if any("金额" in other.text for other in row) or _detail_starts(row, spec, line):
                return line, row
    return None


def _detail_starts(row: list[NormLine], spec: FieldSpec, header: NormLine) -> list[float]:
    """Where the headers of a detail table printed beside the charge list begin (项目编码 / 规格
    / 数量 / 单价, right of the list's own header)."""
    return [
        ln.line.box[0]
        for ln in row
        if ln is not header and ln.line.box[0] > header.line.box[2]
        and any(label in ln.text for label in spec.detail_headers)
    ]


def _charge_column(header: NormLine, row: list[NormLine], spec: FieldSpec) -> tuple[float, float] | None:
    """The x range of the amounts of a one-column charge list (项目 | 金额), or None for the
    unified form's charge table (two 项目/金额 pairs per row, read whole).

    The list is one column when a detail table stands beside it or its header has a single 金额;
    its amounts are aligned under that 金额, so the column ends a little right of it, before the
    detail table's first column. Where 金额 was not read, the amounts lie between the list's
    header and the detail table."""
    details = _detail_starts(row, spec, header)
    amounts = [ln for ln in row if "金额" in ln.text]
    if not details and sum(ln.text.count("金额") for ln in row) != 1:
        return None
    if amounts:
        first = min(amounts, key=lambda ln: ln.line.box[0])
        return first.line.box[0], first.line.box[2]
    return header.line.box[2], min(details)


def _extract_items(doc: _DocumentText, spec: FieldSpec) -> Field | None:
    """The table between the first header and the total below it, continued on the pages after
    the header's (an expense list running over several pages: 第2页, 续, with or without its
    header again), up to the total.

    Where a detail table stands beside the charge list (older 机打 bills: 项目 | 金额 on the left,
    项目编码 / 名称 / 规格 / 数量 / 单价 / 金额 on the right), the charge list is the left column only.
    Without a header (old paper bills), the charge lines are those printed as ``检查费：10.00``
    above the total.
    """
    found = _items_header(doc, spec)
    header = found[0] if found else next(
        (line for line in doc.lines if any(label in line.text for label in spec.labels)), None
    )
    if not doc.lines:
        return None
    first = header.page if header else doc.lines[0].page
    after_first = doc.pages[next(i for i, page in enumerate(doc.pages) if page is first) :]
    amount_column = _charge_column(*found, spec) if found and spec.detail_headers else None
    column_end = names_end = None
    if amount_column is not None and found is not None:
        height = found[0].line.box[3] - found[0].line.box[1]
        column_end = amount_column[1] + 3 * height
        names_end = min(
            (ln.line.box[0] for ln in found[1] if ln.line.box[0] > found[0].line.box[2]), default=amount_column[0]
        )
    until = [(label, "until") for label in sorted(spec.until, key=len, reverse=True)]
    items: list[Item] = []
    used: list[NormLine] = []
    for page in after_first:
        lines = [line for line in doc.lines if line.page is page]
        top = header if page is first else next(
            (line for line in lines if any(label in line.text for label in spec.labels)), None
        )
        region = [
            line
            for line in lines
            # Below the header row; a dot-matrix amount printed high may reach into it.
            if (top is None or line.centre_y > top.centre_y + 0.25 * (top.line.box[3] - top.line.box[1]))
            and (column_end is None or (line.line.box[0] + line.line.box[2]) / 2 < column_end)
        ]
        end = min((line for line in region if find_labels(line, until)), key=lambda ln: ln.centre_y, default=None)
        region = [line for line in region if end is None or line.centre_y < end.line.box[1]]
        # Text printed down the margin (the printer's imprint) spans every row of the table.
        heights = sorted(line.line.box[3] - line.line.box[1] for line in lines)
        tallest = 2.5 * heights[len(heights) // 2] if heights else 0.0
        region = [line for line in region if line.line.box[3] - line.line.box[1] <= tallest]
        if header is None:
            charge_lines = [line for line in region if _CHARGE_LINE.fullmatch(line.text) and not doc.hits[line]]
            found_items = read_items(charge_lines) or read_grid_items(region)
            items += found_items
            region = charge_lines if charge_lines else region
        elif amount_column is not None and names_end is not None:
            items += read_column_items(region, amount_column, names_end)
        else:
            items += read_items(region)
        used += [line for line in region if line.line.text.strip()]
        if end is not None or header is None:
            break
    if not items:
        return None
    on_first = [line for line in used if line.page is first] or used
    x0 = min(line.line.box[0] for line in on_first)
    y0 = min(line.line.box[1] for line in on_first)
    x1 = max(line.line.box[2] for line in on_first)
    y1 = max(line.line.box[3] for line in on_first)
    return Field(
        value=[
            {"name": repair_charge_name(item.name, tuple(other.name for other in items if other is not item)), "amount": item.amount}
            for item in items
        ],
        raw="; ".join(f"{item.name} {item.amount}" for item in items),
        confidence=round(min(line.line.confidence for line in used), 4),
        page=first.number,
        box=first.to_source((x0, y0, x1, y1)),
    )


def _continuations(doc: _DocumentText, first: NormLine, start: int, mode: str) -> list[NormLine]:
    """Lines printed under a value that carry it on: numbered ones (``2.腰椎管狭窄症`` under
    ``出院诊断：1.…``) or, for wrapped text, unlabelled ones starting under the value."""
    found: list[NormLine] = []
    x = first.sub_box(start, start + 1)[0]
    current = first
    while True:
        height = current.line.box[3] - current.line.box[1]
        # Under the value, give or take: an inline value's x is estimated by character share.
        reach = (first.line.box[0] - height, x + 4 * height) if mode == "numbered" else (x - height, x + height)
        below = [
            other
            for other in doc.lines
            if other.page is current.page
            and 0 < other.line.box[1] - current.line.box[1] <= 2.2 * height
            and reach[0] <= other.line.box[0] <= reach[1]
            and (mode != "numbered" or _NUMBERED.match(other.text))
            and not doc.hits[other]
        ]
        if not below:
            return found
        current = min(below, key=lambda other: other.line.box[1])
        found.append(current)


def _presence(doc: _DocumentText, hits: list[LabelHit]) -> Field:
    if hits:
        hit = hits[0]
        return _field(hit.line, hit.start, hit.value_end, True)
    confidence = fmean(line.line.confidence for line in doc.lines) if doc.lines else 0.0
    return Field(value=False, raw="", confidence=round(confidence, 4))
