"""What pre-printed continuous bill paper adds to a page: a tinted security pattern, sprocket
holes along both edges, the printer's imprint in the margin, and what people write on a bill
after it is printed (a pen note, a figure, a signature).

Each is an RGBA layer for ``Page.stamp`` (multiplied onto the page), seeded from a key so that the
same bill always looks the same.
"""

from __future__ import annotations

import math
import zlib

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from claim_intake.samples.fonts import font
from claim_intake.samples.page import RGB, Page

PEN_BLUE: RGB = (30, 50, 150)


def _rng(key: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(key.encode()))


def security_tint(width: int, height: int, tint: RGB, key: str) -> Image.Image:
    """The pale wavy guilloche that bill paper is printed on, in the paper's tint."""
    rng = _rng(key)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = rng.uniform(0, 2 * np.pi)
    waves = 0.5 + 0.5 * np.sin(xx / 9.0 + 6.0 * np.sin(yy / 47.0 + phase))
    alpha = 0.22 + 0.1 * waves
    rgba = np.empty((height, width, 4), dtype=np.uint8)
    rgba[..., :3] = tint
    rgba[..., 3] = (alpha * 255).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def watermark(diameter: int, color: RGB) -> Image.Image:
    """The faint emblem printed in the middle of the form."""
    mask = Image.new("L", (diameter, diameter), 0)
    draw = ImageDraw.Draw(mask)
    c = diameter / 2
    draw.ellipse((4, 4, diameter - 4, diameter - 4), outline=255, width=diameter // 14)
    points = [(c + c * 0.55 * math.cos(math.radians(-90 + 72 * k)),
               c + c * 0.55 * math.sin(math.radians(-90 + 72 * k))) for k in range(5)]
    draw.polygon(points, outline=255, width=diameter // 20)
    rgba = np.zeros((diameter, diameter, 4), dtype=np.uint8)
    rgba[..., :3] = color
    rgba[..., 3] = (np.asarray(mask, dtype=np.float32) * 0.28).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def sprocket_holes(page: Page, *, margin: float = 28, pitch: float = 75, radius: float = 9) -> None:
    """The punched strips of continuous dot-matrix paper, down both edges."""
    hole = Image.new("RGBA", (int(radius * 2 + 2),) * 2, (0, 0, 0, 0))
    ImageDraw.Draw(hole).ellipse((1, 1, radius * 2, radius * 2), fill=(40, 40, 40, 235))
    y = pitch / 2
    while y < page.height:
        page.stamp(margin, y, hole)
        page.stamp(page.width - margin, y, hole)
        y += pitch


def vertical_text(page: Page, x: float, y: float, text: str, size: int, color: RGB) -> None:
    """A margin line set top to bottom, one character under the other (第一联 收据联 ...)."""
    for i, ch in enumerate(text):
        if ch != " ":
            page.text(x, y + i * size * 1.15, ch, size, color=color, anchor="m")


def sideways_imprint(text: str, size: int, color: RGB) -> Image.Image:
    """The printing house's imprint, run up the left margin; a picture, as OCR reads it poorly."""
    face = font("sans", size)
    w = int(face.getlength(text)) + 8
    mask = Image.new("L", (w, size + 8), 0)
    ImageDraw.Draw(mask).text((4, 4), text, font=face, fill=255)
    mask = mask.rotate(90, expand=True)
    rgba = np.zeros((mask.height, mask.width, 4), dtype=np.uint8)
    rgba[..., :3] = color
    rgba[..., 3] = (np.asarray(mask, dtype=np.float32) * 0.8).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def handwriting(text: str, size: int, key: str, *, color: RGB = PEN_BLUE, slant: float = -8.0,
                scribble: bool = True) -> Image.Image:
    """A ballpoint note: ``text`` written unevenly (each character jittered, tilted and sized a
    little differently), and under it a looping signature-like stroke."""
    rng = _rng(key)
    face_size = size
    w = int(size * (len(text) + 3) * 1.1)
    h = int(size * 3.2)
    mask = Image.new("L", (w, h), 0)
    x = size * 0.4
    for ch in text:
        s = int(face_size * rng.uniform(0.85, 1.15))
        glyph = Image.new("L", (s * 2, s * 2), 0)
        ImageDraw.Draw(glyph).text((s, s), ch, font=font("sans", s), fill=255, anchor="mm")
        glyph = glyph.rotate(float(rng.uniform(-12, 12)), resample=Image.BICUBIC)
        mask.paste(255, (int(x - s / 2), int(size * 0.2 + rng.uniform(-4, 4))), glyph)
        x += s * rng.uniform(0.85, 1.05)
    if scribble:
        draw = ImageDraw.Draw(mask)
        t = np.linspace(0, 1, 160)
        loops = rng.uniform(3, 6)
        xs = size * 0.5 + t * (w - size)
        ys = size * 2.2 + size * 0.45 * np.sin(2 * np.pi * loops * t) * (1 - 0.5 * t)
        xs = xs + size * 0.35 * np.cos(2 * np.pi * loops * t)
        draw.line(list(zip(xs.tolist(), ys.tolist())), fill=255, width=max(2, size // 14))
    mask = mask.filter(ImageFilter.GaussianBlur(0.6)).rotate(slant, expand=True,
                                                               resample=Image.BICUBIC)
    rgba = np.zeros((mask.height, mask.width, 4), dtype=np.uint8)
    rgba[..., :3] = color
    rgba[..., 3] = (np.asarray(mask, dtype=np.float32) * 0.9).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")
