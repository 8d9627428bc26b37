"""How a clean page looks after a scanner or a phone camera, and saving it like they do.

Every effect draws from the ``random.Random`` it is given (numpy noise is seeded from it), so a
seed reproduces the same pixels.
"""

from __future__ import annotations

import random
from io import BytesIO
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
from PIL import Image

PHOTO_LONG_SIDE = 2000
Surface = Literal["desk", "dark", "tablecloth", "papers"]


def _np_rng(rng: random.Random) -> np.random.Generator:
    return np.random.default_rng(rng.getrandbits(64))


def _smooth_noise(nrng: np.random.Generator, h: int, w: int, cell: int) -> np.ndarray:
    """Low-frequency noise in [0, 1]: paper fibre clouds, uneven desks, ink blotches."""
    small = nrng.random((h // cell + 2, w // cell + 2)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _to_image(arr: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), "RGB")


def scan(img: Image.Image, rng: random.Random, *, grey: bool = False) -> Image.Image:
    """A flatbed scan: off-white paper, toner a little short of black, a skew, sensor noise.

    ``grey`` gives the 8-bit greyscale most office scanners default to for text; it is also a
    third of the size as PNG.
    """
    nrng = _np_rng(rng)
    paper = np.array([rng.uniform(232, 244), rng.uniform(230, 240), rng.uniform(222, 234)],
                     dtype=np.float32)
    toner = rng.uniform(25, 45)
    arr = np.asarray(img.convert("RGB"), dtype=np.float32)
    h, w = arr.shape[:2]
    arr = toner + arr / 255.0 * (paper - toner)
    arr *= (0.97 + 0.03 * _smooth_noise(nrng, h, w, 64))[..., None]
    angle = rng.uniform(-1.5, 1.5)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    arr = cv2.warpAffine(arr, matrix, (w, h), flags=cv2.INTER_CUBIC,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=tuple(float(c) for c in paper))
    arr += nrng.normal(0, 2.0, arr.shape[:2])[..., None]
    image = _to_image(arr)
    return image.convert("L") if grey else image


def _desk(nrng: np.random.Generator, rng: random.Random, h: int, w: int) -> np.ndarray:
    """A desk surface: one of a few common colours, with wood-like streaks and grain."""
    base = np.array(rng.choice(((146, 104, 70), (118, 116, 112), (196, 188, 174), (92, 70, 52))),
                    dtype=np.float32)
    streaks = _smooth_noise(nrng, h // 16 + 1, w, 8)
    streaks = cv2.resize(streaks, (w, h), interpolation=cv2.INTER_LINEAR)
    grain = nrng.normal(0, 4, (h, w)).astype(np.float32)
    return base * (0.92 + 0.12 * streaks)[..., None] + grain[..., None]


def _dark_desk(nrng: np.random.Generator, rng: random.Random, h: int, w: int) -> np.ndarray:
    """A black or charcoal desk, as bills are often photographed on: little texture, some sheen."""
    base = rng.uniform(14, 42)
    sheen = _smooth_noise(nrng, h, w, 256)
    grain = nrng.normal(0, 2.5, (h, w)).astype(np.float32)
    return np.repeat((base * (0.85 + 0.35 * sheen) + grain)[..., None], 3, axis=2)


def _tablecloth(nrng: np.random.Generator, rng: random.Random, h: int, w: int) -> np.ndarray:
    """A pale woven tablecloth printed with large dark-green leaves."""
    cloth = np.array([rng.uniform(196, 214), rng.uniform(196, 212), rng.uniform(188, 204)],
                     dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    weave = 0.96 + 0.04 * np.sin(xx / 2.1) * np.sin(yy / 2.1)
    canvas = cloth * weave[..., None]
    leaf = np.array([38, 92, 62], dtype=np.float32)
    for _ in range(rng.randint(14, 22)):
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        a, b = rng.uniform(0.05, 0.09) * w, rng.uniform(0.015, 0.03) * w
        t = rng.uniform(0, np.pi)
        u = ((xx - cx) * np.cos(t) + (yy - cy) * np.sin(t)) / a
        v = (-(xx - cx) * np.sin(t) + (yy - cy) * np.cos(t)) / b
        inside = (u ** 2 + v ** 2) < 1.0
        canvas[inside] = leaf * rng.uniform(0.85, 1.1)
    return canvas + nrng.normal(0, 3, (h, w, 1)).astype(np.float32)


def _papers(nrng: np.random.Generator, rng: random.Random, h: int, w: int) -> np.ndarray:
    """Other sheets of the claim underneath, a little off-white, edges showing."""
    canvas = np.full((h, w, 3), rng.uniform(200, 215), dtype=np.float32)
    for _ in range(rng.randint(2, 4)):
        x0, y0 = int(rng.uniform(-0.3, 0.6) * w), int(rng.uniform(-0.3, 0.6) * h)
        x1, y1 = x0 + int(rng.uniform(0.5, 0.9) * w), y0 + int(rng.uniform(0.5, 0.9) * h)
        canvas[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = rng.uniform(222, 240)
        for k in range(rng.randint(4, 12)):  # faint lines of print on the sheet beneath
            y = y0 + 40 + k * 46
            if 0 <= y < h:
                canvas[y:y + 3, max(0, x0 + 30):max(0, min(w, x1 - 60))] *= 0.8
    return canvas + nrng.normal(0, 2.5, (h, w, 1)).astype(np.float32)


def _tear(nrng: np.random.Generator, rng: random.Random, alpha: np.ndarray) -> None:
    """Tears a corner off (or folds it under): the desk shows through a ragged notch."""
    ph, pw = alpha.shape
    size = rng.uniform(0.1, 0.16) * min(ph, pw)
    yy, xx = np.mgrid[0:ph, 0:pw].astype(np.float32)
    corner = rng.choice(("tl", "bl", "br"))
    dx = xx if corner in ("tl", "bl") else pw - 1 - xx
    dy = yy if corner == "tl" else ph - 1 - yy
    ragged = size * (1.0 + 0.25 * np.sin(dx / 7.0 + nrng.uniform(0, 6)) * np.cos(dy / 5.0))
    alpha[(dx + dy) < ragged] = 0.0


def phone_photo(img: Image.Image, rng: random.Random, *, surface: Surface = "desk",
                torn: bool = False) -> Image.Image:
    """A handheld photo of the page lying on ``surface``, at about ``PHOTO_LONG_SIDE`` px;
    ``torn`` takes a corner off the page."""
    nrng = _np_rng(rng)
    page = np.asarray(img.convert("RGB"), dtype=np.float32)
    ph, pw = page.shape[:2]
    landscape = pw >= ph
    w, h = (PHOTO_LONG_SIDE, PHOTO_LONG_SIDE * 3 // 4) if landscape else \
        (PHOTO_LONG_SIDE * 3 // 4, PHOTO_LONG_SIDE)
    canvas = {"desk": _desk, "dark": _dark_desk, "tablecloth": _tablecloth,
              "papers": _papers}[surface](nrng, rng, h, w)

    # The page fills most of the frame, as people crop with their feet; each corner is then
    # pushed by up to 6% of the page's size for the tilt of the phone.
    scale = min(w / pw, h / ph) * rng.uniform(0.8, 0.88)
    cx, cy = w / 2 + rng.uniform(-0.03, 0.03) * w, h / 2 + rng.uniform(-0.03, 0.03) * h
    sw, sh = pw * scale, ph * scale
    src = np.float32([[0, 0], [pw, 0], [pw, ph], [0, ph]])
    dst = np.float32([[cx - sw / 2, cy - sh / 2], [cx + sw / 2, cy - sh / 2],
                      [cx + sw / 2, cy + sh / 2], [cx - sw / 2, cy + sh / 2]])
    dst += np.float32([[rng.uniform(-0.06, 0.06) * sw, rng.uniform(-0.06, 0.06) * sh]
                       for _ in range(4)])
    matrix = cv2.getPerspectiveTransform(src, dst)
    warped = cv2.warpPerspective(page, matrix, (w, h), flags=cv2.INTER_AREA)
    alpha = np.ones((ph, pw), np.float32)
    if torn:
        _tear(nrng, rng, alpha)
    mask = cv2.warpPerspective(alpha, matrix, (w, h), flags=cv2.INTER_LINEAR)

    shadow = cv2.GaussianBlur(np.roll(mask, (int(h * 0.01), int(w * 0.008)), axis=(0, 1)), (0, 0), 12)
    canvas *= (1.0 - 0.45 * shadow)[..., None]
    canvas = canvas * (1.0 - mask[..., None]) + warped * mask[..., None]

    # Light from one side: a linear falloff across the frame plus a soft vignette.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    theta = rng.uniform(0, 2 * np.pi)
    ramp = ((xx / w - 0.5) * np.cos(theta) + (yy / h - 0.5) * np.sin(theta)) + 0.5
    vignette = ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2) * 0.35
    light = rng.uniform(0.98, 1.05) - rng.uniform(0.12, 0.22) * ramp - vignette
    warm = np.array([1.0, rng.uniform(0.97, 0.99), rng.uniform(0.9, 0.95)], dtype=np.float32)
    canvas *= light[..., None] * warm

    canvas = cv2.GaussianBlur(canvas, (0, 0), rng.uniform(0.6, 1.0))
    canvas += nrng.normal(0, 3.0, canvas.shape).astype(np.float32)
    return _to_image(canvas)


def save_jpeg(img: Image.Image, path: Path, quality: int = 85) -> None:
    img.convert("RGB").save(path, "JPEG", quality=quality, optimize=True)


def save_png(img: Image.Image, path: Path) -> None:
    img.save(path, "PNG", optimize=True)


def rotate(img: Image.Image, degrees: int) -> Image.Image:
    """The page turned clockwise by a multiple of 90 degrees, as a sideways scan or photo is."""
    turns = {0: None, 90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
             270: Image.Transpose.ROTATE_90}[degrees % 360]
    return img if turns is None else img.transpose(turns)


def save_exif_rotated(img: Image.Image, path: Path, quality: int = 85) -> None:
    """A phone JPEG held sideways: pixels stored turned, upright only once EXIF orientation 6
    ("rotate 90 clockwise to display") is applied."""
    exif = Image.Exif()
    exif[0x0112] = 6
    rotate(img, 270).convert("RGB").save(path, "JPEG", quality=quality, optimize=True, exif=exif)


def save_png_alpha(img: Image.Image, path: Path) -> None:
    """An exported e-document: ink on a transparent background (the paper is alpha 0).

    Composited onto white it is the page again; a reader that drops the alpha channel sees black
    paper, since fully transparent pixels are stored black.
    """
    rgb = np.asarray(img.convert("RGB"), dtype=np.float32)
    alpha = 255.0 - rgb.min(axis=2)
    a = np.maximum(alpha, 1.0)[..., None] / 255.0
    # Un-composite from white: colour = (pixel - (1 - a) * 255) / a.
    ink = np.where(alpha[..., None] > 0, (rgb - (1.0 - a) * 255.0) / a, 0.0)
    rgba = np.dstack([np.clip(ink + 0.5, 0, 255), alpha]).astype(np.uint8)
    Image.fromarray(rgba, "RGBA").save(path, "PNG", optimize=True)


def save_webp(img: Image.Image, path: Path, quality: int = 80) -> None:
    """WebP bytes, whatever ``path`` is called: chat apps save WebP under a ``.jpg`` name."""
    img.convert("RGB").save(path, "WEBP", quality=quality, method=4)


def jpeg_bytes(img: Image.Image, quality: int = 85) -> bytes:
    out = BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()
