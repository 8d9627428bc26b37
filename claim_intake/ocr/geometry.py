"""Plane geometry for recorded transforms: 3x3 homographies acting on (x, y) pixels."""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

Matrix = tuple[float, ...]
"""A 3x3 homography, row-major, mapping coordinates before a step to after it."""

IDENTITY: Matrix = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)


def as_array(matrix: Matrix) -> np.ndarray:
    return np.asarray(matrix, dtype=np.float64).reshape(3, 3)


def as_matrix(array: np.ndarray) -> Matrix:
    return tuple(round(float(v), 9) for v in (array / array[2, 2]).reshape(9))


def compose(matrices: Sequence[Matrix]) -> np.ndarray:
    """The single homography equal to applying ``matrices`` in order."""
    total = np.eye(3)
    for matrix in matrices:
        total = as_array(matrix) @ total
    return total


def apply(array: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Maps an (N, 2) array of points."""
    homogeneous = np.hstack([points, np.ones((len(points), 1))]) @ array.T
    return homogeneous[:, :2] / homogeneous[:, 2:3]


def scale(factor: float) -> Matrix:
    return as_matrix(np.diag([factor, factor, 1.0]))


def rotation_quarter(turns: int, width: int, height: int) -> Matrix:
    """Clockwise rotation by ``turns`` x 90 degrees of a width x height image, as np.rot90 does."""
    turns %= 4
    if turns == 0:
        return IDENTITY
    if turns == 1:  # (x, y) -> (h - 1 - y, x)
        m = [[0, -1, height - 1], [1, 0, 0], [0, 0, 1]]
    elif turns == 2:
        m = [[-1, 0, width - 1], [0, -1, height - 1], [0, 0, 1]]
    else:  # (x, y) -> (y, w - 1 - x)
        m = [[0, 1, 0], [-1, 0, width - 1], [0, 0, 1]]
    return as_matrix(np.asarray(m, dtype=np.float64))


def rotation_about_centre(degrees: float, width: int, height: int) -> tuple[Matrix, int, int]:
    """Counter-clockwise rotation on an enlarged canvas that keeps every corner; and its size."""
    radians = math.radians(degrees)
    cos, sin = abs(math.cos(radians)), abs(math.sin(radians))
    new_w = round(width * cos + height * sin)
    new_h = round(width * sin + height * cos)
    m = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    m[0, 2] += new_w / 2 - width / 2
    m[1, 2] += new_h / 2 - height / 2
    return as_matrix(np.vstack([m, [0, 0, 1]])), new_w, new_h
