"""A second detection, band by band, of a bill page on which no issuer's name was read.

On old 机打 bills the hospital's name is often printed in grey next to a red seal and the form's
coloured title, or faint across a ruled line above 收款单位; run over the whole page, the detector
finds no text line there at all (its response to a line depends on what surrounds it), while the
same pixels cut to a band of the page give a clean box. So where a page reads as a bill (a form's
title was read) but no line names an issuer, the page is detected again in overlapping horizontal
bands at the page's own scale, and the boxes found that no first box covers are read as well.
Pages that name their issuer (most) pay nothing.
"""

from __future__ import annotations

import re

import numpy as np

from claim_intake.ocr.engine import OcrEngine, Quad

SCALES = ((0.25, 5), (0.1, 13))
"""Band heights (share of the page's) and how many bands, spaced evenly so that neighbours overlap
by a line or more; tried in turn until a name is read. What the detector finds depends on the
context a band gives it: a name beside a seal shows in a band of a few lines, a faint one across a
ruled line in a band of a line or two."""
EDGE_MARGIN = 2.0
"""Pixels: a box this close to a band's inner edge is a line cut in two; the next band holds it."""
COVERED = 0.5
"""A box found again is one whose area lies this much inside a first box: it was read already."""


def is_bill(texts: list[str], titles: tuple[str, ...]) -> bool:
    """A line holds one of the titles of bills."""
    return any(title in "".join(text.split()) for text in texts for title in titles)


def names_issuer(texts: list[str], issuer: re.Pattern[str]) -> bool:
    return any(issuer.search("".join(text.split())) for text in texts)


def band_rows(height: int, share: float, count: int) -> list[tuple[int, int]]:
    """Row ranges of ``count`` bands of ``share`` of the height, top to bottom, covering every row."""
    band = max(1, round(height * share))
    starts = np.linspace(0, max(height - band, 0), count)
    return sorted({(int(s), min(height, int(s) + band)) for s in starts})


def _box(quad: Quad) -> tuple[float, float, float, float]:
    return float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max())


def _inside(box: tuple[float, float, float, float], other: tuple[float, float, float, float]) -> bool:
    """``box`` lies mostly inside ``other``."""
    x0, y0, x1, y1 = box
    ox0, oy0, ox1, oy1 = other
    area = max((x1 - x0) * (y1 - y0), 1.0)
    return max(0.0, min(x1, ox1) - max(x0, ox0)) * max(0.0, min(y1, oy1) - max(y0, oy0)) >= COVERED * area


def overlap(quad: Quad, other: Quad) -> bool:
    """One of two boxes lies mostly inside the other: both are readings of the same print."""
    a, b = _box(quad), _box(other)
    return _inside(a, b) or _inside(b, a)


def missed_quads(engine: OcrEngine, image: np.ndarray, known: list[Quad], share: float, count: int) -> list[Quad]:
    """Text lines that detection band by band (``count`` bands of ``share`` of the height) finds
    and no box of ``known`` covers, in the image's pixels."""
    height = image.shape[0]
    boxes = [_box(q) for q in known]
    found: list[Quad] = []
    for top, bottom in band_rows(height, share, count):
        for quad in engine.detect(np.ascontiguousarray(image[top:bottom])):
            y0, y1 = float(quad[:, 1].min()), float(quad[:, 1].max())
            cut = (top > 0 and y0 <= EDGE_MARGIN) or (bottom < height and y1 >= bottom - top - EDGE_MARGIN)
            placed = quad + np.array([0.0, top], dtype=np.float32)
            if cut or any(_inside(_box(placed), box) for box in boxes):
                continue
            found.append(placed)
            boxes.append(_box(placed))
    return found
