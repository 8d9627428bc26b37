"""Photos members should retake: blurred, dark, glared, cut off (BGR arrays in, BGR arrays out).

Used on synthetic renders by the tests and on the real development set by
``benchmarks/poor_image.py``, to show that ``poor_image`` flags each for its reason.
"""

from __future__ import annotations

import cv2
import numpy as np


def blurred(image: np.ndarray) -> np.ndarray:
    """A shaken or misfocused phone: a blur of 0.3% of the long side (5-12 px on a phone photo)."""
    return cv2.GaussianBlur(image, (0, 0), 0.003 * max(image.shape[:2]))


def dark(image: np.ndarray) -> np.ndarray:
    """A photo taken in a dim room: a third of the light."""
    return np.clip(image.astype(np.float32) * 0.3 + 5, 0, 255).astype(np.uint8)


def cut_off(image: np.ndarray) -> np.ndarray:
    """The sheet goes on past the frame: the right quarter and the bottom fifth are not in it."""
    height, width = image.shape[:2]
    return np.ascontiguousarray(image[: int(height * 0.8), : int(width * 0.75)])


def glared(image: np.ndarray) -> np.ndarray:
    """A lamp's reflection over the middle of the sheet: a washed-out white patch."""
    height, width = image.shape[:2]
    mask = np.zeros((height, width), np.float32)
    cv2.ellipse(mask, (width // 2, height // 2), (width // 8, height // 9), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), max(height, width) / 80)
    mask = np.clip(mask * 1.6, 0, 1)[:, :, None]
    return (image * (1 - mask) + 255 * mask).astype(np.uint8)


DEFECTS = {"blurred": blurred, "dark": dark, "cut_off": cut_off, "glare": glared}
"""By the ``ocr.quality.Defect`` each should be flagged for."""


def jpeg(image: np.ndarray, quality: int = 88) -> bytes:
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("the image could not be encoded")
    return encoded.tobytes()
