"""Telling seal ink from coloured print, so that fading the one keeps the other.

Bills carry red ink of two kinds: print that is text (the invoice number after ``NO.``, parts of
the title, the form's labels and rules) and seal ink (the oval supervision seal, round hospital
stamps, in red or blue) stamped over the black print. Only the second should fade. Seal ink is
told apart by its shape, measured on a small copy of the page:

- a seal's rim is a closed or nearly closed ring, elliptical, with lettering or a star inside:
  the ring and everything within it is seal;
- a filled area (a smeared or heavy stamp) has strokes thicker than any print.

Everything else coloured (thin strokes: characters, rules) is print and stays as it is.

Colour is measured against the paper's own tone, estimated locally, so that warm light or cream
paper does not make the whole sheet "red".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np

_WORK_SIDE = 700
"""Shapes are measured on a copy this long: seals need no more detail."""
_PAPER_KERNEL = 0.02
"""Strokes thinner than this share of the long side vanish when the paper's tone is estimated."""
_EXCESS = 18
"""How far (of 255) a channel must exceed the other two, relative to the paper, for ink to count
as red (or blue): bright print and a pink stamp pass, cream paper under warm light does not."""
_FAINT = 9
"""A faint stamp's rim, once a candidate seal is found, need only be this much redder (bluer)."""
_TEAL = 20
"""Stamp pads run from blue to teal: green may exceed blue by this much, red is what they lack."""
_MIN_SEAL, _MAX_SEAL = 0.03, 0.5
"""A seal spans this share of the page's long side (characters are smaller, the sheet larger)."""
_GROUP_GAPS = (0.015, 0.03)
"""Blotchy strokes this close (shares of the long side) are grouped into one candidate seal."""
_HOLE_GROW = 1.2
"""A seal found by the hole inside its rim covers this much more than the hole (rims included)."""
_BLOT_WIDTH = 0.014
"""Ink this thick (share of the long side) is a filled area; printed strokes are far thinner."""
_RIM_ANGLES = np.linspace(0.0, 2 * np.pi, 72, endpoint=False)
_RIM_RADII = np.linspace(0.8, 1.04, 7)
"""The rim is sought along 72 directions, from 0.8 to 1.04 of the fitted outline's radius."""

Box = tuple[int, int, int, int]
"""x, y, width, height on the work copy."""


@dataclass(frozen=True)
class SealInk:
    """Where to fade, as 0/1 masks on the work copy (``factor`` times the page's size)."""

    red: np.ndarray
    blue: np.ndarray
    boxes: tuple[Box, ...]
    """Boxes enclosing every faded pixel of either colour."""
    paper: np.ndarray
    """The paper's colour (BGR) under each pixel of the work copy."""
    factor: float
    seals: int
    """Seals found by their rim, red and blue together."""


def _paper(small: np.ndarray) -> np.ndarray:
    """The paper's colour under every pixel: ink closed over by the paper around it, smoothed."""
    side = max(9, int(_PAPER_KERNEL * max(small.shape[:2])) | 1)
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side)))
    return cv2.blur(paper, (side, side))


def colour_excess(image: np.ndarray, paper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How much redder and how much bluer than the paper each pixel is (0..255, uint8)."""
    relative = cv2.divide(image, np.maximum(paper, 1), scale=255)
    blue, green, red = cv2.split(relative)
    redder = cv2.subtract(red, cv2.max(green, blue))
    bluer = cv2.subtract(blue, red)
    bluer[cv2.subtract(green, blue) > _TEAL] = 0
    return redder, bluer


def _ellipse_mask(shape: tuple[int, ...], ellipse, scale: float) -> np.ndarray:
    (cx, cy), (w, h), angle = ellipse
    mask = np.zeros(shape[:2], np.uint8)
    cv2.ellipse(mask, ((cx, cy), (w * scale, h * scale), angle), 1, thickness=-1)
    return mask


def _rim_coverage(ink: np.ndarray, ellipse) -> float:
    """Share of directions from the centre in which ink lies on the ellipse's rim band."""
    (cx, cy), (w, h), angle = ellipse
    theta = np.radians(angle)
    x0 = np.outer(np.cos(_RIM_ANGLES), _RIM_RADII) * w / 2
    y0 = np.outer(np.sin(_RIM_ANGLES), _RIM_RADII) * h / 2
    xs = np.rint(cx + x0 * np.cos(theta) - y0 * np.sin(theta)).astype(np.intp)
    ys = np.rint(cy + x0 * np.sin(theta) + y0 * np.cos(theta)).astype(np.intp)
    inside = (xs >= 0) & (xs < ink.shape[1]) & (ys >= 0) & (ys < ink.shape[0])
    hits = np.zeros(xs.shape, bool)
    hits[inside] = ink[ys[inside], xs[inside]] > 0
    return float(hits.any(axis=1).mean())


def _is_seal(faint: np.ndarray, outline: np.ndarray) -> tuple | None:
    """The ellipse of a seal whose rim ``outline`` follows, or None.

    An ellipse fills pi/4 of its bounding rectangle (a table cell, a square character fill it
    all); its rim is inked nearly all round; and a seal holds lettering or a star, where a large
    printed 0 is empty inside.
    """
    long_side = max(faint.shape)
    hull = cv2.convexHull(outline)
    if len(hull) < 5:
        return None
    (_, _), (w, h), _ = cv2.minAreaRect(hull)
    small_side, large_side = min(w, h), max(w, h)
    if small_side < _MIN_SEAL * long_side or large_side > _MAX_SEAL * long_side or large_side > 2.4 * small_side:
        return None
    if not 0.7 <= cv2.contourArea(hull) / (w * h) <= 0.87:
        return None
    ellipse = cv2.fitEllipse(hull)
    if _rim_coverage(faint, ellipse) < 0.6:
        return None
    if faint[_ellipse_mask(faint.shape, ellipse, 0.7) > 0].mean() < 0.015:
        return None
    return ellipse


def _large(contours, long_side: int) -> Iterator[tuple[np.ndarray, Box]]:
    for contour in contours:
        box = cv2.boundingRect(contour)
        if min(box[2], box[3]) >= _MIN_SEAL * long_side:
            yield contour, box


def _outlines(ink: np.ndarray, long_side: int) -> Iterator[tuple[np.ndarray, bool]]:
    """Candidate seal outlines, each with whether it is a hole (the inside of a rim): every
    contour and hole of the ink; then the ink of each group of strokes that lie within a gap of
    each other, since stamp ink is blotchy and a rim breaks."""
    contours, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is not None:
        parents = {id(c): p for c, (_, _, _, p) in zip(contours, hierarchy[0], strict=True)}
        yield from ((contour, parents[id(contour)] >= 0) for contour, _ in _large(contours, long_side))
    for share in _GROUP_GAPS:
        gap = max(3, int(share * long_side))
        groups, _ = cv2.findContours(cv2.dilate(ink, np.ones((gap, gap), np.uint8)), cv2.RETR_EXTERNAL,
                                     cv2.CHAIN_APPROX_SIMPLE)
        for group, (x, y, w, h) in _large(groups, long_side):
            member = np.zeros((h, w), np.uint8)
            cv2.drawContours(member, [group], 0, 1, thickness=-1, offset=(-x, -y))
            points = cv2.findNonZero(member & ink[y:y + h, x:x + w])
            if points is not None and len(points) >= 5:
                yield points + np.array([x, y], np.int32), False


def _seals(ink: np.ndarray, faint: np.ndarray) -> tuple[np.ndarray, list[Box]]:
    """Filled ellipses over each seal, and their boxes.

    A seal is found by the outline of its rim (with whatever touches it), or by the hole inside
    the rim where print outside merges with it (a seal on a title). Candidates come from
    ``ink``; the rim and the lettering inside are checked on ``faint``, which also holds the
    lighter parts of a stamp.
    """
    long_side = max(ink.shape)
    regions = np.zeros_like(ink)
    boxes = []
    fine = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    for outline, hole in _outlines(fine, long_side):
        ellipse = _is_seal(faint, outline)
        if ellipse is None:
            continue
        (_, _), (w, h), _ = ellipse
        # A hole is the inside of the rim: the rim (or two) lies beyond it. An outline is the
        # rim's outer edge already: a margin of a few pixels takes the stamp's soft edge.
        scale = (_HOLE_GROW if hole else 1.0) + 0.006 * long_side / min(w, h)
        region = _ellipse_mask(ink.shape, ellipse, scale)
        regions |= region
        boxes.append(cv2.boundingRect(region))
    return regions, boxes


def _blots(ink: np.ndarray) -> tuple[np.ndarray, list[Box]]:
    width = max(5, int(_BLOT_WIDTH * max(ink.shape)))
    kernel = np.ones((width, width), np.uint8)
    blots = cv2.dilate(cv2.erode(ink, kernel), np.ones((3 * width, 3 * width), np.uint8))
    contours, _ = cv2.findContours(blots, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return blots, [cv2.boundingRect(c) for c in contours]


def _count(boxes: list[Box]) -> int:
    """Seals found twice (by their outline and by their hole) are one."""
    centres = []
    for x, y, w, h in boxes:
        if not any(abs(x + w / 2 - cx) < w / 2 and abs(y + h / 2 - cy) < h / 2 for cx, cy in centres):
            centres.append((x + w / 2, y + h / 2))
    return len(centres)


def find_seal_ink(image: np.ndarray) -> SealInk:
    """Where a BGR page carries seal ink rather than coloured print."""
    height, width = image.shape[:2]
    factor = min(1.0, _WORK_SIDE / max(height, width))
    small = cv2.resize(image, (round(width * factor), round(height * factor)), interpolation=cv2.INTER_AREA)
    paper = _paper(small)
    masks, boxes, found = [], [], []
    for excess in colour_excess(small, paper):
        ink, faint = (excess >= _EXCESS).astype(np.uint8), (excess >= _FAINT).astype(np.uint8)
        seals, seal_boxes = _seals(ink, faint)
        blots, blot_boxes = _blots(ink)
        masks.append((seals | blots) & cv2.dilate(faint, np.ones((5, 5), np.uint8)))
        boxes += seal_boxes + blot_boxes
        found.append(_count(seal_boxes))
    return SealInk(red=masks[0], blue=masks[1], boxes=tuple(boxes), paper=paper, factor=factor, seals=sum(found))
