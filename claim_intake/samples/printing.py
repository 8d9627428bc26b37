"""How one copy of a document was printed, and the field-aware drawing that honours it.

Corpus recipes break documents on purpose (a blank 开票日期, a 大写 total that disagrees, a value
smudged past reading, a dot-matrix printer feeding the paper crooked). ``Print`` names those
quirks; ``Form`` draws labelled values through them and records each value's ground truth as it
was printed, so the picture and the expected fields cannot drift apart.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from claim_intake.samples.fonts import Face
from claim_intake.samples.page import BLACK, RGB, Anchor, Page, text_width

Fields = dict[str, Any]
Raw = str | int | date | Decimal | bool

FAINT: RGB = (216, 216, 216)


@dataclass(frozen=True)
class Print:
    """Quirks of one printed copy; the default is a clean, correct document."""

    blank: frozenset[str] = frozenset()  # fields whose label is printed with no value
    faint: frozenset[str] = frozenset()  # fields printed too faint and smudged to read
    # field -> the value printed instead of the case's (a wrong 大写, a shifted date)
    override: Mapping[str, Raw] = field(default_factory=dict)
    # the charge lines as printed, where they differ from the case's
    items: tuple[tuple[str, Decimal], ...] | None = None
    title: str | None = None
    face: Face | None = None  # the document's typeface, where the layout lets it vary
    thousands: bool = False  # money printed as 24,189.65
    stamp_over_amounts: bool = False
    # a dot-matrix printer: values land this far (dx, dy) off their pre-printed labels
    shift: tuple[float, float] | None = None


def truth(value: Raw) -> Any:
    """A printed value as the domain reference normalises it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def smudge(width: int, height: int, key: str) -> Image.Image:
    """A grey smear (water, a thumb, a rubbed fold) as an ink layer for ``Page.stamp``.

    Mottled at about a stroke's width, so that faint print under it is lost in the texture
    rather than merely darkened (OCR normalises contrast, and reads a uniformly darker patch).
    """
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    fine = rng.random((max(2, height // 3), max(2, width // 3))).astype(np.float32)
    fine = np.asarray(Image.fromarray((fine * 255).astype(np.uint8)).resize(
        (width, height), Image.BILINEAR), dtype=np.float32) / 255.0
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    blob = 1.0 - ((xx / width - 0.5) ** 2 * 2.5 + (yy / height - 0.5) ** 2 * 2.5)
    alpha = np.clip(blob * 1.6, 0, 1) * (0.15 + 0.65 * fine)
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = (120, 116, 108)
    rgba[..., 3] = (alpha * 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA").filter(ImageFilter.GaussianBlur(0.8))


class Form:
    """Draws a document's labelled values through its ``Print`` and collects its fields."""

    def __init__(self, page: Page, opts: Print, *, label_color: RGB = BLACK,
                 value_face: Face | None = None) -> None:
        self.page = page
        self.opts = opts
        self.label_color = label_color
        # A dot-matrix printer has its own font, whatever the form was typeset in.
        self.value_face = value_face
        self.fields: Fields = {}

    def value(self, name: str, raw: Raw, fmt: Callable[[Any], str] = str) -> str:
        """The text printed for field ``name``, recording its ground truth unless left blank."""
        raw = self.opts.override.get(name, raw)
        if name in self.opts.blank:
            return ""
        self.fields[name] = truth(raw)
        return fmt(raw)

    def money(self, amount: Decimal) -> str:
        return f"{amount:,.2f}" if self.opts.thousands else f"{amount:.2f}"

    def pair(self, x: float, y: float, label: str, names: str | tuple[str, ...], text: str,
             size: int, *, sep: str = "：", anchor: Anchor = "l") -> None:
        """``label：value``, where ``text`` came from ``value`` for the field(s) ``names``."""
        names = (names,) if isinstance(names, str) else names
        faint = any(n in self.opts.faint for n in names)
        color = FAINT if faint else BLACK
        if self.opts.shift is None:
            self.page.pair(x, y, label, text, size, label_color=self.label_color,
                           value_color=color, anchor=anchor, sep=sep)
            start = x + text_width(f"{label}{sep}", size, self.page.face)
        else:
            self.page.text(x, y, f"{label}{sep}", size, color=self.label_color, anchor=anchor)
            dx, dy = self.opts.shift
            start = x + text_width(f"{label}{sep}", size, self.page.face) + dx
            if text:
                self.page.text(start, y + dy, text, size, color=color, face=self.value_face)
        if faint and text:
            w = text_width(text, size, self.page.face) + 40
            self.page.stamp(start + w / 2 - 20, y - size / 3, smudge(int(w), int(size * 2.2),
                                                                      label + text))

    def cell(self, x: float, y: float, text: str, size: int, *, anchor: Anchor = "l") -> None:
        """A value printed in a table cell: shifted with the rest on a dot-matrix copy."""
        if self.opts.shift is None:
            self.page.text(x, y, text, size, anchor=anchor)
        else:
            dx, dy = self.opts.shift
            self.page.text(x + dx, y + dy, text, size, face=self.value_face, anchor=anchor)


CLEAN = Print()  # a clean, correct copy: the default of every layout
