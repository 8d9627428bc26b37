"""Values found by geometry: every place a label's value may be printed, scored, then assigned.

A value sits after its label in the same OCR line, in its own box to the right on the label's
row, or (dot-matrix printing on pre-printed paper) up to about a line above or below the label.
Every such place that parses as the field's type is a candidate; candidates are scored by how
the value sits against its label, and assigned best first, so that a box two labels could claim
goes to the one it fits best. The vertical offset of the page's printing is learned from the
page's own label/value pairs (a misaligned printer shifts every value the same way), and then
favours candidates shifted the same way.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from claim_intake.extract.layout import LabelHit, NormLine, box_centre_y, box_height
from claim_intake.extract.templates import FieldSpec, FieldType
from claim_intake.ocr.models import Box, Page

MAX_ROWS_OFF = 2.2
"""How far above or below its label a value may sit, in label heights (dot-matrix printing
misses its line by up to two)."""
MAX_GAP_SAME_ROW = 30.0
MAX_GAP_OFF_ROW = 8.0
"""How far right of its label a value may start, in label heights (a total at the far end of
an expense list's 合计 row)."""
MIN_OFFSET_SAMPLES = 3
_WORDS_BEFORE = re.compile(r"^\W*[\u4e00-\u9fff]{2,}")


@dataclass(frozen=True)
class Parsed:
    value: object
    start: int
    end: int
    """Span of the value within the text given to the parser."""


Parser = Callable[[FieldSpec, str], Parsed | None]


@dataclass(frozen=True)
class Candidate:
    field: str
    line: NormLine
    offset: int
    """Where the parsed text starts in ``line.text``."""
    parsed: Parsed
    inline: bool
    dy: float
    """Value centre minus label centre, in label heights."""
    prior: float
    """Everything in the score but the agreement with the page's offset."""

    @property
    def span(self) -> tuple[int, int]:
        return self.offset + self.parsed.start, self.offset + self.parsed.end

    def score(self, page_offset: float) -> float:
        if self.inline:
            return self.prior
        return self.prior - 0.6 * abs(self.dy - page_offset)


class Layout:
    """A document's lines and label hits, with the spatial questions candidates ask."""

    def __init__(self, lines: list[NormLine], hits: Mapping[NormLine, list[LabelHit]]) -> None:
        self.lines = lines
        self.hits = hits
        self._label_boxes: dict[int, list[tuple[LabelHit, Box]]] = {}
        for line in lines:
            for hit in hits[line]:
                box = line.sub_box(hit.start, hit.end)
                self._label_boxes.setdefault(id(line.page), []).append((hit, box))

    def free_spans(self, line: NormLine) -> list[tuple[int, int]]:
        """Text in a line that a neighbouring label may own: before its first label, and after a
        label we do not extract (a value printed high lands on the 业务流水号 line above it)."""
        hits = self.hits[line]
        spans = [(0, hits[0].start if hits else len(line.text))]
        spans += [(hit.value_start, hit.value_end) for hit in hits if not hit.field]
        return [(start, end) for start, end in spans if start < end]

    def blocked(self, hit: LabelHit, label: Box, value: Box, page: Page) -> bool:
        """Another label stands between this label and the value, on the row of either."""
        for other, box in self._label_boxes.get(id(page), ()):
            if other is hit:
                continue
            centre_x = (box[0] + box[2]) / 2
            if not label[2] <= centre_x <= value[0]:
                continue
            height = box_height(box)
            if min(abs(box_centre_y(box) - box_centre_y(value)), abs(box_centre_y(box) - box_centre_y(label))) < 0.6 * height:
                return True
        return False


    def text_between(self, label: Box, value: Box, page: Page, skip: tuple[NormLine, ...]) -> bool:
        """Other text stands on the value's row between the label and the value (a detail table's
        cells between a payment label and a figure far right of it)."""
        for line in self.lines:
            if line.page is not page or line in skip:
                continue
            box = line.line.box
            if label[2] <= box[0] and box[2] <= value[0] and abs(box_centre_y(box) - box_centre_y(value)) < 0.5 * box_height(value):
                return True
        return False


def _fit(parsed: Parsed, text: str) -> float:
    """How much of the segment the value is: a bare ``0.00`` box beats ``诊查费15``."""
    return (parsed.end - parsed.start) / max(len(text.strip(" :;,.、")), 1)


def candidates_for(
    hit: LabelHit, spec: FieldSpec, rank: int, layout: Layout, parse: Parser
) -> list[Candidate]:
    found: list[Candidate] = []
    line = hit.line
    inline_text = line.text[hit.value_start : hit.value_end]
    parsed = parse(spec, inline_text)
    preference = -0.05 * rank
    if parsed is not None:
        prior = 1.0 + preference + 0.2 * _fit(parsed, inline_text)
        found.append(Candidate(hit.field, line, hit.value_start, parsed, True, 0.0, prior))
    # Text after the label that is not the value makes a value elsewhere less likely, not impossible.
    crowded = -0.15 if inline_text.strip(" :;,.、") else 0.0
    label = line.sub_box(hit.start, hit.end)
    height = box_height(line.line.box)
    spans = (
        (other, start, end)
        for other in layout.lines
        if other is not line and other.page is line.page
        for start, end in layout.free_spans(other)
    )
    for other, start, end in spans:
        box = other.sub_box(start, end)
        dy = (box_centre_y(box) - box_centre_y(label)) / height
        if abs(dy) > MAX_ROWS_OFF:
            continue
        gap = (box[0] - label[2]) / height
        same_row = abs(dy) < 0.5
        if same_row and not (-0.5 <= gap <= MAX_GAP_SAME_ROW):
            continue
        if not same_row and not (box[2] > label[0] and box[0] >= label[0] - 2 * height and gap <= MAX_GAP_OFF_ROW):
            continue
        if layout.blocked(hit, label, box, line.page):
            continue
        text = other.text[start:end]
        parsed = parse(spec, text)
        if parsed is None:
            continue
        if spec.type is FieldType.money and _WORDS_BEFORE.match(text[: parsed.start]):
            continue  # ``诊查费15``, ``白芷0``: a figure printed after words is theirs
        if gap > MAX_GAP_OFF_ROW and layout.text_between(label, box, line.page, (line, other)):
            continue

        prior = 0.9 + preference + crowded - 0.02 * max(gap, 0.0) + 0.2 * _fit(parsed, text)
        found.append(Candidate(hit.field, other, start, parsed, False, dy, prior))
    return found


def page_offset(best: list[Candidate]) -> float:
    """The page's printing offset: the median shift of the values found off their labels' line."""
    shifts = [c.dy for c in best if not c.inline]
    if len(shifts) < MIN_OFFSET_SAMPLES:
        return 0.0
    return statistics.median(shifts)


def assign(candidates: list[Candidate]) -> dict[str, Candidate]:
    """Best first: each field gets one value, each piece of text goes to one field."""
    by_page: dict[int, list[Candidate]] = {}
    for candidate in candidates:
        by_page.setdefault(id(candidate.line.page), []).append(candidate)
    offsets: dict[int, float] = {}
    for key, group in by_page.items():
        first: dict[str, Candidate] = {}
        for candidate in sorted(group, key=lambda c: -c.score(0.0)):
            first.setdefault(candidate.field, candidate)
        offsets[key] = page_offset(list(first.values()))
    ranked = sorted(candidates, key=lambda c: -c.score(offsets[id(c.line.page)]))
    chosen: dict[str, Candidate] = {}
    taken: set[tuple[int, int]] = set()
    for candidate in ranked:
        key = (id(candidate.line), candidate.offset)
        if candidate.field in chosen or key in taken:
            continue
        chosen[candidate.field] = candidate
        taken.add(key)
    return chosen
