"""Is a photo good enough to read reliably? Measured on the image, where the text is.

Four things make members retake a photo: it is blurred, too dark, a glare (the phone's flash or a
lamp) washes out part of the sheet, or the sheet is cut off at the image's edge. Each is measured
on the text the detector found, so that a desk around the sheet or a large white margin changes
nothing:

- blur: the variance of the Laplacian over each text line scaled to one height (a blur of a given
  size is worse on small print than on large), divided by the line's own contrast (a faint
  dot-matrix print is not a blurred one); the median over the lines. And the same over the page's
  tiles at one page size (the sharpest tenth), which still measures a photo so blurred that the
  detector finds no lines. Blurred: both low (or the tiles', without lines).
- dark: the brightness of the paper around the text (a high percentile of each line's pixels).
- glare: saturated, colourless blobs inside the text area on a sheet whose paper is not itself
  white (a scan or an electronic bill is white everywhere and has no glare).
- cut off: text lines that run into the upload's border: the sheet went on past the frame.

The thresholds were calibrated on the real development set and versions of it blurred, darkened
and cropped (``benchmarks/poor_image.py``).
"""

from __future__ import annotations

from enum import StrEnum

import cv2
import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from claim_intake.ocr import geometry

_LINE_HEIGHT = 32
"""Text lines are scaled to this height (px) before their sharpness is measured."""
_MAX_LINES = 60
"""The largest lines measured: enough for a stable median, cheap on a dense page."""
_MIN_LINES = 3
"""With fewer lines the text area says too little: only blur is judged, on the whole page."""
_MAX_TILT = 15.0
"""Degrees off the page's axes beyond which a detected box is no text line to judge cuts by."""
_ALONG_MIN_RATIO = 4.0
_RUN_ON = 0.5
"""A line whose end comes within this many of its own heights of the border it runs into went on
past it: the detector's box stops short of the characters the border slices (a half character is
no character to it), by up to half a character whatever the photo's size."""
_TILE_PAGE = 1280
_TILE = 48


class Frozen(BaseModel):
    # Not the one of ocr.models, which imports this module for Page.quality.
    model_config = ConfigDict(frozen=True, extra="forbid")


class Defect(StrEnum):
    blurred = "blurred"
    dark = "dark"
    glare = "glare"
    cut_off = "cut_off"


class QualityOptions(Frozen):
    min_sharpness: float = Field(default=0.5, ge=0)
    """Median normalised Laplacian variance of the text lines below which a photo may be blurred."""
    min_page_sharpness: float = Field(default=0.3, ge=0)
    """The same over the page's tiles (the sharpest tenth): a photo is blurred when both are low,
    or this one alone when there are too few lines to measure."""
    min_brightness: float = Field(default=90.0, ge=0, le=255)
    """Paper brightness (0-255) around the text below which a photo is too dark."""
    max_glare: float = Field(default=0.02, ge=0, le=1)
    """Share of the text area washed out by glare above which a photo is glared."""
    max_cut_lines: int = Field(default=2, ge=0)
    """Text lines touching the border above which the sheet is cut off."""


class ImageQuality(Frozen):
    """What was measured on a page image, and the defects it shows (empty: a good photo)."""

    sharpness: float | None = None
    """Of the text lines (None: too few lines)."""
    page_sharpness: float | None = None
    """Of the page's tiles that hold something (None: a nearly blank page)."""
    brightness: float | None = None
    glare: float = 0.0
    cut_lines: int = 0
    defects: tuple[Defect, ...] = ()


def _line_boxes(quads: list[np.ndarray], width: int, height: int) -> list[tuple[int, int, int, int]]:
    boxes = []
    for quad in quads:
        x0, y0 = np.floor(quad.min(axis=0)).astype(int)
        x1, y1 = np.ceil(quad.max(axis=0)).astype(int)
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
        if x1 - x0 >= 4 and y1 - y0 >= 4:
            boxes.append((x0, y0, x1, y1))
    boxes.sort(key=lambda b: -(b[2] - b[0]) * (b[3] - b[1]))
    return boxes[:_MAX_LINES]


def _sharpness(gray: np.ndarray, box: tuple[int, int, int, int]) -> float | None:
    x0, y0, x1, y1 = box
    crop = gray[y0:y1, x0:x1]
    factor = _LINE_HEIGHT / min(crop.shape)  # lines of a page turned on its side stand upright
    crop = cv2.resize(crop, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    contrast = float(crop.astype(np.float32).var())
    if contrast < 25.0:  # an empty box: nothing to be sharp or blurred
        return None
    return float(cv2.Laplacian(crop, cv2.CV_32F).var()) / contrast


def _tile_sharpness(gray: np.ndarray) -> float | None:
    """For a page on which the detector found (almost) no text, often because the photo is so
    blurred: the sharpest tenth of its tiles that hold something (print, the sheet's edge), at a
    fixed page size. A sharp photo's print gives 1.5 and more, a blurred one's 0.05 and less."""
    factor = _TILE_PAGE / max(gray.shape)
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    laplacian = cv2.Laplacian(small, cv2.CV_32F)
    scores = []
    for y in range(0, small.shape[0] - _TILE + 1, _TILE):
        for x in range(0, small.shape[1] - _TILE + 1, _TILE):
            contrast = float(small[y:y + _TILE, x:x + _TILE].astype(np.float32).var())
            if contrast >= 100.0:
                scores.append(float(laplacian[y:y + _TILE, x:x + _TILE].var()) / contrast)
    return float(np.percentile(scores, 90)) if len(scores) >= 10 else None


def _glare(image: np.ndarray, gray: np.ndarray, boxes: list[tuple[int, int, int, int]], paper: float) -> float:
    if paper >= 245:  # white paper (a scan, a rendered bill): saturation is the paper itself
        return 0.0
    x0 = min(b[0] for b in boxes)
    y0 = min(b[1] for b in boxes)
    x1 = max(b[2] for b in boxes)
    y1 = max(b[3] for b in boxes)
    area = gray[y0:y1, x0:x1]
    hsv = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2HSV)
    saturated = ((area >= 250) & (hsv[:, :, 1] < 40)).astype(np.uint8)
    # Blobs, not specks: a glare covers a patch of the sheet.
    saturated = cv2.morphologyEx(saturated, cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(saturated, connectivity=8)
    min_blob = 0.002 * area.size
    blobs = stats[1:count, cv2.CC_STAT_AREA]
    return float(blobs[blobs >= min_blob].sum()) / float(area.size)


def _cut_lines(quads: list[np.ndarray], to_source: np.ndarray | None, source_size: tuple[int, int]) -> int:
    width, height = source_size
    margin = max(2.0, 0.003 * max(width, height))  # a box at the border: the edge, a few pixels in
    cut = 0
    for quad in quads:
        points = geometry.apply(to_source, quad.astype(np.float64)) if to_source is not None else quad
        xs, ys = points[:, 0], points[:, 1]
        dx, dy = points[1] - points[0]
        tilt = abs(np.degrees(np.arctan2(dy, dx))) % 90
        if min(tilt, 90 - tilt) > _MAX_TILT:
            continue  # not a line of an upright or quarter-turned page: a leaf, a stamp's rim
        wide = np.ptp(xs) >= np.ptp(ys)
        long_side, short_side = max(np.ptp(xs), np.ptp(ys)), max(min(np.ptp(xs), np.ptp(ys)), 1.0)
        run_on = max(margin, _RUN_ON * short_side)
        # A line running into the border it ends at is cut; one lying along a border only when it
        # touches it and is a real line of text (perforations and shadows at a sheet's edge make
        # short blobs there; a whole line may lie close to the border).
        if wide:
            crosses = xs.min() <= run_on or xs.max() >= width - run_on
            along = ys.min() <= margin or ys.max() >= height - margin
        else:
            crosses = ys.min() <= run_on or ys.max() >= height - run_on
            along = xs.min() <= margin or xs.max() >= width - margin
        if crosses or (along and long_side >= _ALONG_MIN_RATIO * short_side):
            cut += 1
    return cut


def measure(image: np.ndarray, quads: list[np.ndarray], to_source: np.ndarray | None,
            source_size: tuple[int, int], options: QualityOptions = QualityOptions()) -> ImageQuality:  # noqa: B008
    """``image``: the page as detected (BGR); ``quads``: its text lines; ``to_source`` maps the
    page's frame back to the upload's, of ``source_size`` (width, height)."""
    height, width = image.shape[:2]
    boxes = _line_boxes(quads, width, height)
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    page_sharpness = _tile_sharpness(gray)
    if len(boxes) < _MIN_LINES:
        blurred = page_sharpness is not None and page_sharpness < options.min_page_sharpness
        return ImageQuality(page_sharpness=_rounded(page_sharpness), defects=(Defect.blurred,) if blurred else ())
    scores = [s for s in (_sharpness(gray, b) for b in boxes) if s is not None]
    sharpness = float(np.median(scores)) if len(scores) >= _MIN_LINES else None
    paper = float(np.median([np.percentile(gray[y0:y1, x0:x1], 90) for x0, y0, x1, y1 in boxes]))
    glare = _glare(image, gray, boxes, paper) if image.ndim == 3 else 0.0
    cut = _cut_lines(quads, to_source, source_size)
    defects = []
    # Both measures must agree: smooth artwork (a bank card's gradients) gives the tiles little
    # detail, and a soft dot-matrix print the lines; only a blurred photo has both low.
    if (sharpness is None or sharpness < options.min_sharpness) and (
            page_sharpness is not None and page_sharpness < options.min_page_sharpness):
        defects.append(Defect.blurred)
    if paper < options.min_brightness:
        defects.append(Defect.dark)
    if glare > options.max_glare:
        defects.append(Defect.glare)
    if cut > options.max_cut_lines:
        defects.append(Defect.cut_off)
    return ImageQuality(sharpness=_rounded(sharpness), page_sharpness=_rounded(page_sharpness),
                        brightness=round(paper, 1), glare=round(glare, 4), cut_lines=cut, defects=tuple(defects))


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None
