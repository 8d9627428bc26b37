"""Red seals: the 财政部 supervision seal printed on every unified bill and a hospital stamp.

Each is an RGBA image whose alpha is ink density; ``page.rasterise`` multiplies it onto the page.
Ink is uneven on real stamps, so the density is speckled with a pattern seeded from the stamp's
text: the same stamp always looks the same.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from claim_intake.samples.fonts import Face, font

# Bright, not dark, red: OCR sees pages in grey, where a dark red stamp would hide the print.
STAMP_RED = (228, 60, 70)
SEAL_RED = (225, 70, 60)


def _glyph(ch: str, size: int, face: Face) -> Image.Image:
    """One character as an alpha mask, centred in a square."""
    side = int(size * 1.4)
    mask = Image.new("L", (side, side), 0)
    ImageDraw.Draw(mask).text((side / 2, side / 2), ch, font=font(face, size), fill=255, anchor="mm")
    return mask


def _arc_text(mask: Image.Image, text: str, cx: float, cy: float, rx: float, ry: float,
              span_deg: float, size: int, face: Face) -> None:
    """Writes ``text`` clockwise along the top of an ellipse, each glyph's foot toward the centre.

    Glyphs are spaced by arc length, not by angle, or they would crowd at the ends of an oval.
    """
    span = math.radians(span_deg)
    phis = np.linspace(-span / 2, span / 2, 721)  # clockwise from 12 o'clock
    xs, ys = cx + rx * np.sin(phis), cy - ry * np.cos(phis)
    arc = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))))
    n = len(text)
    for i, ch in enumerate(text):
        phi = float(np.interp(arc[-1] * (i + 0.5) / n, arc, phis))
        x, y = cx + rx * math.sin(phi), cy - ry * math.cos(phi)
        normal = math.atan2(ry * math.sin(phi), rx * math.cos(phi))  # from vertical, clockwise
        glyph = _glyph(ch, size, face).rotate(-math.degrees(normal), resample=Image.BICUBIC)
        mask.paste(255, (round(x - glyph.width / 2), round(y - glyph.height / 2)), glyph)


def _star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    points = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.382
        angle = math.radians(-90 + 36 * k)
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=255)


def _ink(mask: Image.Image, color: tuple[int, int, int], density: float, key: str) -> Image.Image:
    """Colours a mask, with blotchy ink: dense in most places, thin where the pad was dry."""
    rng = np.random.default_rng(zlib.crc32(key.encode()))
    h, w = mask.height, mask.width
    blotches = rng.random((h // 8 + 1, w // 8 + 1))
    blotches = np.asarray(Image.fromarray((blotches * 255).astype(np.uint8)).resize((w, h), Image.BICUBIC),
                          dtype=np.float32) / 255.0
    grain = rng.random((h, w)) > 0.04
    soft = np.asarray(mask.filter(ImageFilter.GaussianBlur(0.8)), dtype=np.float32) / 255.0
    alpha = soft * density * (0.55 + 0.45 * blotches) * grain
    rgba = np.empty((h, w, 4), dtype=np.uint8)
    rgba[..., :3] = color
    rgba[..., 3] = np.clip(alpha * 255, 0, 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def hospital_stamp(hospital: str, caption: str = "收费专用章", diameter: int = 300,
                   color: tuple[int, int, int] = STAMP_RED) -> Image.Image:
    """The round 收费专用章: a thick rim, the hospital's name around the top, a star, the caption."""
    mask = Image.new("L", (diameter, diameter), 0)
    draw = ImageDraw.Draw(mask)
    c = diameter / 2
    rim = max(4, diameter // 40)
    draw.ellipse((rim, rim, diameter - rim, diameter - rim), outline=255, width=rim)
    size = int(diameter * 0.12)
    text_r = c - rim * 2 - size * 0.65
    _arc_text(mask, hospital, c, c, text_r, text_r, min(250.0, 26.0 * len(hospital)), size, "serif_bold")
    _star(draw, c, c, diameter * 0.12)
    draw.text((c, c + diameter * 0.27), caption, font=font("serif_bold", int(diameter * 0.09)),
              fill=255, anchor="mm")
    return _ink(mask, color, 0.65, hospital + caption)


def supervision_seal(width: int = 250, height: int = 170) -> Image.Image:
    """The oval 财政部监制 seal that the Ministry of Finance prints on every unified bill."""
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((3, 3, width - 3, height - 3), outline=255, width=4)
    draw.ellipse((10, 10, width - 10, height - 10), outline=255, width=1)
    size = int(height * 0.13)
    _arc_text(mask, "全国统一医疗票据监制章", width / 2, height / 2, width / 2 - 14 - size * 0.6,
              height / 2 - 14 - size * 0.6, 200.0, size, "sans_bold")
    draw.text((width / 2, height * 0.68), "财政部监制", font=font("sans_bold", int(height * 0.16)),
              fill=255, anchor="mm")
    return _ink(mask, SEAL_RED, 0.75, "财政部监制")


# Cashiers' stamp pads: red on most forms, blue on many Shanghai hospitals' collection stamps.
STAMP_BLUE = (40, 80, 190)


def city_supervision_seal(city: str, width: int = 230, height: int = 150) -> Image.Image:
    """The oval seal of a city's finance bureau printed on its older bills (上海市财政局监制):
    the same red as the national one, the city in the middle."""
    mask = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(mask)
    draw.ellipse((3, 3, width - 3, height - 3), outline=255, width=5)
    size = int(height * 0.14)
    _arc_text(mask, "财政票据监制章", width / 2, height / 2, width / 2 - 12 - size * 0.6,
              height / 2 - 12 - size * 0.6, 170.0, size, "sans_bold")
    draw.text((width / 2, height * 0.52), city, font=font("sans_bold", int(height * 0.17)),
              fill=255, anchor="mm")
    draw.text((width / 2, height * 0.78), "财政局监制", font=font("sans_bold", int(height * 0.12)),
              fill=255, anchor="mm")
    return _ink(mask, SEAL_RED, 0.8, city + "财政局监制")
