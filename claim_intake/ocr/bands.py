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

BAND_SHARE = 0.25
"""Height of a band as a share of the page's: a few text lines, enough context for the detector."""
BANDS = 5
"""Bands from top to bottom, spaced evenly, so that neighbours overlap by a line or so."""
EDGE_MARGIN = 2.0
"""Pixels: a box this close to a band's inner edge is a line cut in two; the next band holds it."""
COVERED = 0.5
"""A box found again is one whose area lies this much inside a first box: it was read already."""


def lacks_issuer(texts: list[str], titles: tuple[str, ...], issuer: re.Pattern[str]) -> bool:
    """The page reads as a bill (a line holds one of its titles) yet no line names its issuer."""
    compact = ["".join(text.split()) for text in texts]
    if not any(title in text for text in compact for title in titles):
        return False
    return not any(issuer.search(text) for text in compact)


def band_rows(height: int) -> list[tuple[int, int]]:
    """Row ranges of the bands, top to bottom, covering every row."""
    band = max(1, round(height * BAND_SHARE))
    starts = np.linspace(0, max(height - band, 0), BANDS)
    return sorted({(int(s), min(height, int(s) + band)) for s in starts})


def _box(quad: Quad) -> tuple[float, float, float, float]:
    return float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max())


def _covered(quad: Quad, known: list[tuple[float, float, float, float]]) -> bool:
    x0, y0, x1, y1 = _box(quad)
    area = max((x1 - x0) * (y1 - y0), 1.0)
    for kx0, ky0, kx1, ky1 in known:
        inside = max(0.0, min(x1, kx1) - max(x0, kx0)) * max(0.0, min(y1, ky1) - max(y0, ky0))
        if inside >= COVERED * area:
            return True
    return False


def missed_quads(engine: OcrEngine, image: np.ndarray, known: list[Quad]) -> list[Quad]:
    """Text lines that detection band by band finds and the page's first detection did not, in
    the image's pixels."""
    height = image.shape[0]
    boxes = [_box(q) for q in known]
    found: list[Quad] = []
    for top, bottom in band_rows(height):
        for quad in engine.detect(np.ascontiguousarray(image[top:bottom])):
            y0, y1 = float(quad[:, 1].min()), float(quad[:, 1].max())
            cut = (top > 0 and y0 <= EDGE_MARGIN) or (bottom < height and y1 >= bottom - top - EDGE_MARGIN)
            placed = quad + np.array([0.0, top], dtype=np.float32)
            if cut or _covered(placed, boxes):
                continue
            found.append(placed)
            boxes.append(_box(placed))
    return found
