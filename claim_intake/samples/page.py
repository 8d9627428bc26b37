"""A page as a list of drawing operations, drawn either to an image or to a PDF.

Documents are laid out once, in pixels at ``DPI``; ``rasterise`` draws them with PIL and
``pdf.write_pdf`` draws the same operations as a text-layer PDF, so an image render and a PDF of
one document always carry the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from claim_intake.samples.fonts import Face, font

DPI = 150
RGB = tuple[int, int, int]
BLACK: RGB = (20, 20, 20)
Anchor = Literal["l", "m", "r"]


@dataclass(frozen=True)
class Text:
    """A line of text made of differently coloured runs (label in form colour, value in black).

    ``x`` is where the anchor sits and ``y`` the baseline, so that both backends, whose fonts have
    different metrics, put each run after the previous one with their own widths.
    """

    x: float
    y: float
    runs: tuple[tuple[str, RGB], ...]
    size: int
    face: Face = "sans"
    anchor: Anchor = "l"
    # Struck by a dot-matrix print head: each stroke is a row of separate round dots.
    dots: bool = False


@dataclass(frozen=True)
class Rule:
    x0: float
    y0: float
    x1: float
    y1: float
    width: int
    color: RGB


@dataclass(frozen=True)
class Stamp:
    """Red ink over the page, blended by multiplication so the print below stays readable."""

    cx: float
    cy: float
    image: Image.Image = field(compare=False)  # RGBA; the alpha is the ink density


Op = Text | Rule | Stamp


@dataclass
class Page:
    width: int
    height: int
    face: Face = "sans"  # the typeface of text that does not name one
    ops: list[Op] = field(default_factory=list)

    def text(self, x: float, y: float, text: str, size: int, *, color: RGB = BLACK,
             face: Face | None = None, anchor: Anchor = "l", dots: bool = False) -> None:
        self.ops.append(Text(x, y, ((text, color),), size, face or self.face, anchor, dots))

    def pair(self, x: float, y: float, label: str, value: str, size: int, *,
             label_color: RGB = BLACK, value_color: RGB = BLACK, face: Face | None = None,
             anchor: Anchor = "l", sep: str = "：") -> None:
        """``label：value`` on one line, as forms print them."""
        runs = ((f"{label}{sep}", label_color), (value, value_color))
        self.ops.append(Text(x, y, runs, size, face or self.face, anchor))

    def rule(self, x0: float, y0: float, x1: float, y1: float, *, width: int = 2,
             color: RGB = BLACK) -> None:
        self.ops.append(Rule(x0, y0, x1, y1, width, color))

    def box(self, x0: float, y0: float, x1: float, y1: float, *, width: int = 2,
            color: RGB = BLACK) -> None:
        for a, b, c, d in ((x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)):
            self.rule(a, b, c, d, width=width, color=color)

    def stamp(self, cx: float, cy: float, image: Image.Image) -> None:
        self.ops.append(Stamp(cx, cy, image))


def text_width(text: str, size: int, face: Face = "sans") -> float:
    """The raster width, for layout decisions such as wrapping."""
    return font(face, size).getlength(text)


def wrap(text: str, size: int, width: float, face: Face = "sans") -> list[str]:
    """Breaks Chinese text at any character so that each line fits ``width``."""
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and text_width(current + ch, size, face) > width:
            # Chinese typesetting keeps closing punctuation off the start of a line.
            if ch in "，。；、：）”":
                current += ch
                continue
            lines.append(current)
            current = ""
        current += ch
    if current:
        lines.append(current)
    return lines


def _draw_text(draw: ImageDraw.ImageDraw, op: Text) -> None:
    face = font(op.face, op.size)
    total = sum(face.getlength(s) for s, _ in op.runs)
    x = op.x - {"l": 0.0, "m": total / 2, "r": total}[op.anchor]
    for s, color in op.runs:
        if op.dots:
            _draw_dots(draw, x, op.y, s, face, color, op.size)
        else:
            draw.text((x, op.y), s, font=face, fill=color, anchor="ls")
        x += face.getlength(s)


def _draw_dots(draw: ImageDraw.ImageDraw, x: float, y: float, text: str,
               face: ImageFont.FreeTypeFont, color: RGB, size: int) -> None:
    """The glyphs sampled on the print head's pin grid, one round dot per pin that fires."""
    pitch = max(2, round(size / 12))
    left, top, right, bottom = face.getbbox(text, anchor="ls")
    w, h = int(right - left) + 2 * pitch, int(bottom - top) + 2 * pitch
    if w <= 2 * pitch or h <= 2 * pitch:
        return
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).text((pitch - left, pitch - top), text, font=face, fill=255, anchor="ls")
    # Thin strokes fall between pins unless widened to the pin pitch first.
    mask = mask.filter(ImageFilter.MaxFilter(3)) if pitch > 2 else mask
    fired = np.asarray(mask)[pitch // 2::pitch, pitch // 2::pitch] > 128
    r = pitch * 0.5
    ox, oy = x + left - pitch + pitch // 2, y + top - pitch + pitch // 2
    for row, col in zip(*np.nonzero(fired)):
        cx, cy = ox + col * pitch, oy + row * pitch
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=color)


def _multiply(canvas: np.ndarray, op: Stamp) -> None:
    ink = np.asarray(op.image, dtype=np.float32) / 255.0
    h, w = ink.shape[:2]
    x0, y0 = round(op.cx - w / 2), round(op.cy - h / 2)
    # Clip the stamp to the page: hospital stamps often hang over an edge.
    sx0, sy0 = max(0, -x0), max(0, -y0)
    sx1, sy1 = min(w, canvas.shape[1] - x0), min(h, canvas.shape[0] - y0)
    if sx0 >= sx1 or sy0 >= sy1:
        return
    ink = ink[sy0:sy1, sx0:sx1]
    alpha = ink[..., 3:4]
    region = canvas[y0 + sy0:y0 + sy1, x0 + sx0:x0 + sx1]
    region *= 1.0 - alpha + alpha * ink[..., :3]


def rasterise(page: Page) -> Image.Image:
    image = Image.new("RGB", (page.width, page.height), "white")
    draw = ImageDraw.Draw(image)
    for op in page.ops:
        if isinstance(op, Text):
            _draw_text(draw, op)
        elif isinstance(op, Rule):
            draw.line((op.x0, op.y0, op.x1, op.y1), fill=op.color, width=op.width)
    stamps = [op for op in page.ops if isinstance(op, Stamp)]
    if not stamps:
        return image
    canvas = np.asarray(image, dtype=np.float32) / 255.0
    for op in stamps:
        _multiply(canvas, op)
    return Image.fromarray(np.clip(canvas * 255.0 + 0.5, 0, 255).astype(np.uint8))


def page_text(page: Page) -> list[str]:
    """Every text string drawn on the page, in drawing order: the OCR ground truth.

    Seals and stamps are pictures, not text, so their lettering is not part of it.
    """
    return ["".join(s for s, _ in op.runs) for op in page.ops if isinstance(op, Text)]
