"""How a clean page looks after a scanner or a phone camera, and saving it like they do.

Every effect draws from the ``random.Random`` it is given (numpy noise is seeded from it), so a
seed reproduces the same pixels.
"""

from __future__ import annotations

import random
from io import BytesIO
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

PHOTO_LONG_SIDE = 2000


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


def phone_photo(img: Image.Image, rng: random.Random) -> Image.Image:
    """A handheld photo of the page lying on a desk, at about ``PHOTO_LONG_SIDE`` px."""
    nrng = _np_rng(rng)
    page = np.asarray(img.convert("RGB"), dtype=np.float32)
    ph, pw = page.shape[:2]
    landscape = pw >= ph
    w, h = (PHOTO_LONG_SIDE, PHOTO_LONG_SIDE * 3 // 4) if landscape else \
        (PHOTO_LONG_SIDE * 3 // 4, PHOTO_LONG_SIDE)
    canvas = _desk(nrng, rng, h, w)

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
    mask = cv2.warpPerspective(np.ones((ph, pw), np.float32), matrix, (w, h), flags=cv2.INTER_LINEAR)

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
