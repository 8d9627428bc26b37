"""A second look at lines where a form's pre-printed title was read together with other print.

Old 机打 bills are printed in black (or dark grey) on pre-printed forms whose title and labels are
brown, red or blue; the printer often puts the hospital's name across or against the form's
title, and the recogniser then reads both as one garbled run (``…科医医疗门（急）诊收费票据``) or
loses the name. Relative to the paper, black ink darkens every colour channel alike while coloured
ink darkens some channels much more than others, so such a line's crop splits into its two layers
by that spread. The black layer alone, cut to the rows and columns its ink spans, is read again at
its own scale. Only lines whose reading holds a title and more (a few per document, often none)
cost this second recognition; a crop of one colour of ink (a grey scan) is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from claim_intake.ocr.engine import OcrEngine

INK_DARKNESS = 0.25
"""Darker than the paper by this share (in its lightest channel) is ink."""
MIN_LAYER_CONTRAST = 0.08
"""The two layers' mean spreads must differ by this much: a grey scan has one layer only."""
MIN_LAYER_SHARE = 0.2
"""Each layer holds at least this share of the crop's ink."""
TINT_FOR_DARKNESS = 0.35
"""Spread this large for its darkness makes a pixel coloured ink whatever its spread."""
COLUMN_INK = 0.1
"""The black layer holds a column when its ink fills this share of the crop's height there."""
MIN_EXTRA_CHARS = 2
"""Characters read besides the title for a line to hold other print than the title."""


@dataclass(frozen=True)
class BlackLayer:
    image: np.ndarray
    """The black print alone on white, BGR, cut to its ink."""
    box: tuple[float, float, float, float]
    """Where it lies in the crop, as shares of the crop's width and height: x0, y0, x1, y1."""


def black_layer(crop: np.ndarray) -> BlackLayer | None:
    """The black print of a line crop that also holds coloured print, or None."""
    height, width = crop.shape[:2]
    if height < 8 or width < 8:
        return None
    pixels = crop.astype(np.float32)
    gray = pixels.mean(axis=2)
    paper = np.median(pixels[gray >= np.percentile(gray, 80)], axis=0)
    reflect = np.minimum(pixels / np.maximum(paper, 1.0), 1.0)
    lightest, darkest = reflect.max(axis=2), reflect.min(axis=2)
    spread = lightest - darkest
    ink = (1.0 - darkest) > INK_DARKNESS
    if ink.sum() < 0.01 * ink.size:
        return None
    values = np.clip(spread[ink] * 255, 0, 255).astype(np.uint8).reshape(-1, 1)
    split, _ = cv2.threshold(values, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    # Faint edges of coloured strokes have little spread but much for their darkness.
    coloured = (spread > split / 255) | (spread > TINT_FOR_DARKNESS * (1.0 - darkest))
    neutral = ink & ~coloured
    tinted = ink & coloured
    share = neutral.sum() / ink.sum()
    if not MIN_LAYER_SHARE <= share <= 1 - MIN_LAYER_SHARE:
        return None
    if spread[tinted].mean() - spread[neutral].mean() < MIN_LAYER_CONTRAST:
        return None
    black_columns = neutral.sum(axis=0) >= COLUMN_INK * height
    rows = np.flatnonzero(neutral.sum(axis=1) >= max(2, 0.01 * width))
    cols = np.flatnonzero(black_columns)
    if len(rows) < 4 or len(cols) < 4:
        return None
    pad = max(2, (rows[-1] - rows[0]) // 6)
    y0, y1 = max(0, rows[0] - pad), min(height, rows[-1] + pad + 1)
    x0, x1 = max(0, cols[0] - 2 * pad), min(width, cols[-1] + 2 * pad + 1)
    out = np.where(neutral, gray / max(float(paper.mean()), 1.0), 1.0)[y0:y1, x0:x1]
    image = cv2.cvtColor((np.clip(out, 0, 1) * 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    return BlackLayer(image=image, box=(x0 / width, y0 / height, x1 / width, y1 / height))


def sub_quad(quad: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    """The part of a line's quad (clockwise from top left) that a box in crop shares covers."""
    x0, y0, x1, y1 = box
    tl, tr, br, bl = quad.astype(np.float64)

    def at(u: float, v: float) -> np.ndarray:
        return (1 - v) * ((1 - u) * tl + u * tr) + v * ((1 - u) * bl + u * br)

    return np.array([at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1)], dtype=np.float32)


def holds_title(text: str, titles: tuple[str, ...]) -> bool:
    """A line's reading holds one of the form's titles (or its end: the start may be covered)
    and other text besides."""
    compact = "".join(text.split())
    for title in titles:
        if title in compact and len(compact) >= len(title) + MIN_EXTRA_CHARS:
            return True
    return False


def reread_black_layers(
    engine: OcrEngine, crops: list[np.ndarray], quads: list[np.ndarray], read: list[tuple[str, float]], titles: tuple[str, ...]
) -> list[tuple[str, float, np.ndarray]]:
    """Second readings (text, confidence, quad) of the black print of the lines read with a title,
    in one recognition batch."""
    layers = [
        (layer, quad)
        for crop, quad, (text, _) in zip(crops, quads, read, strict=True)
        if holds_title(text, titles) and (layer := black_layer(crop)) is not None
    ]
    if not layers:
        return []
    texts = engine.recognise([layer.image for layer, _ in layers])
    return [
        (text, score, sub_quad(quad, layer.box))
        for (layer, quad), (text, score) in zip(layers, texts, strict=True)
        if text.strip()
    ]
