"""Labels located inside OCR lines, and the geometry for finding a value near its label."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from claim_intake.extract.templates import simplified
from claim_intake.ocr.models import Box, Line, Page

_SEPARATORS = ":;,.、|)]"
"""Between a label and its value: punctuation, and the bracket closing a label like (大写)."""


@dataclass(frozen=True, eq=False)  # identity: two lines may read the same
class NormLine:
    """A line's text after NFKC without spaces, with a map back to the raw characters."""

    line: Line
    page: Page
    text: str
    raw_index: tuple[int, ...]

    @classmethod
    def of(cls, line: Line, page: Page) -> NormLine:
        chars: list[str] = []
        index: list[int] = []
        for i, ch in enumerate(line.text):
            for n in unicodedata.normalize("NFKC", ch):
                if not n.isspace():
                    chars.append(n)
                    index.append(i)
        return cls(line, page, simplified("".join(chars)), tuple(index))

    def raw(self, start: int, end: int) -> str:
        if start >= end:
            return ""
        return self.line.text[self.raw_index[start] : self.raw_index[end - 1] + 1]

    @property
    def centre_x(self) -> float:
        return (self.line.box[0] + self.line.box[2]) / 2

    @property
    def centre_y(self) -> float:
        return (self.line.box[1] + self.line.box[3]) / 2

    def sub_box(self, start: int, end: int) -> Box:
        """The part of the line's box (page frame) holding characters start..end, by character share."""
        x0, y0, x1, y1 = self.line.box
        n = max(len(self.text), 1)
        return (
            round(x0 + (x1 - x0) * start / n, 1),
            y0,
            round(x0 + (x1 - x0) * end / n, 1),
            y1,
        )


@dataclass(frozen=True)
class LabelHit:
    field: str
    line: NormLine
    start: int
    end: int
    value_end: int
    """Where this label's inline value stops: the next label on the line, or the line's end."""

    @property
    def value_start(self) -> int:
        start = self.end
        while start < self.value_end and self.line.text[start] in _SEPARATORS:
            start += 1
        return start


FUZZY_MIN_LENGTH = 4
"""Labels this long are also found with one character misread or lost (业务流水苦, 医保统筹支);
shorter ones (自费, 日期) only exactly: one wrong character there makes another word."""


_MISREAD = r"[^\d\s:;,.、|()\[\]]"
"""What a misread label character may be: not a digit or separator, which start the value."""


_NO_CJK_AFTER = r"(?![\u4e00-\u9fff])"


@functools.cache
def _fuzzy(label: str) -> re.Pattern[str]:
    chars = [re.escape(ch) for ch in label]
    # A substitution (as long as the label) is tried before the shorter deletions, where no
    # Chinese follows it: in 业务流水吴春花 the label lost its 号 and 吴春花 is a value.
    substituted = ["".join(chars[:i] + [_MISREAD] + chars[i + 1 :]) + _NO_CJK_AFTER for i in range(len(chars))]
    dropped = ["".join(chars[:i] + chars[i + 1 :]) for i in range(len(chars))]
    return re.compile("|".join(substituted + dropped))


TRUNCATED_MIN_LENGTH = 6
"""Labels this long are also found cut to their first half or more before a separator
(``医保统:`` for 医保统筹支付：, the rest lost under a stamp or faint print)."""


@functools.cache
def _truncations(labels: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Per long label, the pattern of its cuts, with its field. A cut that is itself another
    label (金额合计 of 金额合计(大写)) stays that label's."""
    found = []
    for label, field in labels:
        if len(label) < TRUNCATED_MIN_LENGTH:
            continue
        cuts = [
            re.escape(label[:n]) for n in range(len(label) - 2, (len(label) + 1) // 2 - 1, -1)
            if not any(other != label and other in label[:n] for other, _ in labels)
        ]
        if cuts:
            found.append((re.compile(f"(?:{'|'.join(cuts)})(?=[{re.escape(_SEPARATORS)}])"), field))
    return tuple(found)


def _occurrences(text: str, label: str, fuzzy: bool) -> list[tuple[int, int]]:
    if not fuzzy:
        spans, pos = [], text.find(label)
        while pos != -1:
            spans.append((pos, pos + len(label)))
            pos = text.find(label, pos + 1)
        return spans
    return [m.span() for m in _fuzzy(label).finditer(text)]


def find_labels(line: NormLine, labels: list[tuple[str, str]]) -> list[LabelHit]:
    """Non-overlapping label occurrences; ``labels`` is (label, field), longest label first.

    Exact matches are taken first; then long labels with one character misread or missing;
    then the longest ones cut short before a separator.
    """
    taken = [False] * len(line.text)
    found: list[tuple[int, int, str]] = []

    def take(spans: list[tuple[int, int]], field: str) -> None:
        for start, end in spans:
            if not any(taken[start:end]):
                for i in range(start, end):
                    taken[i] = True
                found.append((start, end, field))

    for fuzzy in (False, True):
        for label, field in labels:
            if fuzzy and len(label) < FUZZY_MIN_LENGTH:
                continue
            take(_occurrences(line.text, label, fuzzy), field)
    for cut, field in _truncations(tuple(labels)):
        take([m.span() for m in cut.finditer(line.text)], field)
    found.sort()
    hits = []
    for i, (start, end, field) in enumerate(found):
        value_end = found[i + 1][0] if i + 1 < len(found) else len(line.text)
        hits.append(LabelHit(field, line, start, end, value_end))
    return hits


def box_height(box: Box) -> float:
    return max(box[3] - box[1], 1.0)


def box_centre_y(box: Box) -> float:
    return (box[1] + box[3]) / 2


def same_row(a: Box, b: Box) -> bool:
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(box_height(a), box_height(b))
