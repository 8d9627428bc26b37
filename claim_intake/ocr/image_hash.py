"""A perceptual hash of a page image, for ``duplicate_image``: the same photo sent again
(re-compressed, cropped a little, a screenshot of it) hashes to nearly the same bits; another
bill, even of the same hospital's form, does not.

Bills of one form look alike at the coarse scale a usual perceptual hash sees (the same boxes and
labels), so this hash looks closer: a DCT hash of 28 x 28 frequencies (783 bits) of the page's
text area, the box around every text line the detector found, tightened to the ink in it.
Framing the hash on the print rather than on the image's edges is what keeps it steady when the
copy was cropped a little, shows more of the desk or was read at another resolution; the bars a screenshot adds around a photo (a phone viewer's background,
its status bar) are trimmed first, and text found on them (the clock) is left out.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from claim_intake.ocr.models import Box

SIDE = 28
"""SIDE x SIDE lowest frequencies; the DC term (the page's brightness) is left out."""
BITS = SIDE * SIDE - 1
_BAR_STD = 1.5
"""A row or column of a screenshot's bar is flat to the pixel; a photo's never is (sensor noise)."""
_MIN_SIDE = 32
"""A text area smaller than this (a few words) says too little to hash."""
_WORK_SIDE = 1600
"""Larger images are hashed from a copy this size: the hash sees 112 px of it."""


def _longest_run(flags: np.ndarray) -> tuple[int, int]:
    """[start, end) of the longest run of True; the whole range when there is none."""
    best, start, best_span = (0, len(flags)), None, 0
    for i, flag in enumerate([*flags.tolist(), False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            if i - start > best_span:
                best, best_span = (start, i), i - start
            start = None
    return best


def bar_bounds(gray: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the photo inside a screenshot: the longest band of rows that are not
    flat (a status bar is a short band), then the longest band of columns within it. The whole
    image when it has no bars."""
    top, bottom = _longest_run(gray.std(axis=1) > _BAR_STD)
    left, right = _longest_run(gray[top:bottom].std(axis=0) > _BAR_STD)
    return left, top, right, bottom


def _ink_bounds(area: np.ndarray) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the ink in ``area``: the detector's boxes reach past their text by a
    margin that depends on the resolution it saw, the print does not."""
    h, w = area.shape[:2]
    block = max(15, (min(h, w) // 20) | 1)
    ink = cv2.adaptiveThreshold(area, 1, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 20)
    rows = np.flatnonzero(ink.sum(axis=1) >= max(2, w // 500))
    cols = np.flatnonzero(ink.sum(axis=0) >= max(2, h // 500))
    if len(rows) == 0 or len(cols) == 0:
        return 0, 0, w, h
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def text_area(gray: np.ndarray, text_boxes: Sequence[Box]) -> np.ndarray:
    x0, y0, x1, y1 = bar_bounds(gray)
    inside = [b for b in text_boxes if x0 <= (b[0] + b[2]) / 2 <= x1 and y0 <= (b[1] + b[3]) / 2 <= y1]
    if not inside:
        return gray[y0:y1, x0:x1]
    x0, y0 = max(x0, int(min(b[0] for b in inside))), max(y0, int(min(b[1] for b in inside)))
    x1, y1 = min(x1, int(np.ceil(max(b[2] for b in inside)))), min(y1, int(np.ceil(max(b[3] for b in inside))))
    area = gray[y0:y1, x0:x1]
    if min(area.shape[:2]) < _MIN_SIDE:
        return area
    ix0, iy0, ix1, iy1 = _ink_bounds(area)
    return area[iy0:iy1, ix0:ix1]


def page_hash(image: np.ndarray, text_boxes: Sequence[Box]) -> str | None:
    """The hash of a BGR or grey page image as hex, given its text lines' boxes in its pixels;
    None when the page shows too little to hash."""
    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = min(1.0, _WORK_SIDE / max(gray.shape[:2]))
    if scale < 1.0:
        gray = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        text_boxes = [(b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale) for b in text_boxes]
    area = text_area(gray, text_boxes)
    if min(area.shape[:2]) < _MIN_SIDE:
        return None
    small = cv2.resize(area, (SIDE * 4, SIDE * 4), interpolation=cv2.INTER_AREA).astype(np.float32)
    low = cv2.dct(small)[:SIDE, :SIDE].flatten()[1:]
    return np.packbits(low > np.median(low)).tobytes().hex()


def distance(a: str, b: str) -> int:
    """Bits that differ between two hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
