"""Image steps before detection. Each returns the new image and the step it applied, if any."""

from __future__ import annotations

import cv2
import numpy as np

from claim_intake.ocr import geometry, seals
from claim_intake.ocr.models import Transform

_WORK_SIDE = 800
"""Outline finding runs on a small copy: the outline needs no detail."""
_EDGE_OFFSET = 0.008
"""Colour is compared this far (share of the long side) inside and outside a sheet's edge."""
_EDGE_CONTRAST = 20.0
"""Lab distance across a side for it to be an edge of the paper (a dark desk gives 100+)."""
_BLUE_FRINGE = 15
"""Blue stamp pixels bluer than the paper by this much (of 255) are stamp, soft edges included."""


def suppress_seals(image: np.ndarray) -> tuple[np.ndarray, Transform | None]:
    """Fades seals and stamps so that the black print under them reads cleanly; keeps red print.

    Seal ink is told from coloured print by its shape (seals.find_seal_ink); only there does a
    pixel change. Red seal ink reflects red light as the paper does, so a pixel takes the paper's
    colour darkened by its red relative to the paper's: the seal vanishes, black print under it
    stays dark. Blue stamp ink is often dark in every channel, so its pixels (those still bluer
    than the paper) are replaced by the paper itself, and the black print among them stays as it
    is. Red print that is text (an invoice number, a title) is not touched. The caller keeps the
    original for display.
    """
    ink = seals.find_seal_ink(image)
    if not ink.boxes:
        return image, None
    height, width = image.shape[:2]
    out = image.copy()
    for x, y, w, h in ink.boxes:
        x0, y0 = int(x / ink.factor), int(y / ink.factor)
        x1, y1 = min(width, int(np.ceil((x + w) / ink.factor))), min(height, int(np.ceil((y + h) / ink.factor)))
        size = (x1 - x0, y1 - y0)
        crop, region = image[y0:y1, x0:x1], out[y0:y1, x0:x1]
        paper = cv2.resize(ink.paper[y:y + h, x:x + w], size, interpolation=cv2.INTER_LINEAR)
        red = cv2.resize(ink.red[y:y + h, x:x + w], size, interpolation=cv2.INTER_NEAREST) > 0
        if red.any():
            under = paper.astype(np.float32)
            reflected = np.minimum(crop[:, :, 2] / np.maximum(under[:, :, 2], 1.0), 1.0)
            np.copyto(region, (under * reflected[:, :, None]).astype(np.uint8), where=red[:, :, None])
        blue = cv2.resize(ink.blue[y:y + h, x:x + w], size, interpolation=cv2.INTER_NEAREST) > 0
        if blue.any():
            _, bluer = seals.colour_excess(crop, paper)
            np.copyto(region, paper, where=(blue & (bluer >= _BLUE_FRINGE))[:, :, None])
    return out, Transform(
        name="seal_suppression",
        params={"share": round(float((ink.red | ink.blue).mean()), 4), "seals": ink.seals},
    )


def normalise_size(image: np.ndarray, max_side: int) -> tuple[np.ndarray, Transform | None]:
    """Shrinks large photos: beyond this the models see no more, and every step costs more."""
    height, width = image.shape[:2]
    longest = max(height, width)
    if longest <= max_side:
        return image, None
    factor = max_side / longest
    out = cv2.resize(image, (round(width * factor), round(height * factor)), interpolation=cv2.INTER_AREA)
    return out, Transform(name="resize", params={"factor": round(factor, 6)}, matrix=geometry.scale(factor))


def _order_corners(quad: np.ndarray) -> np.ndarray:
    """Top-left, top-right, bottom-right, bottom-left."""
    sums = quad.sum(axis=1)
    diffs = np.diff(quad, axis=1).ravel()
    return np.array(
        [quad[np.argmin(sums)], quad[np.argmin(diffs)], quad[np.argmax(sums)], quad[np.argmax(diffs)]],
        dtype=np.float32,
    )


def _side_contrast(lab: np.ndarray, quad: np.ndarray) -> list[float | None]:
    """Per side of ``quad``: the median colour difference (Lab) between just inside and just
    outside it, or None for a side that lies on the frame (the sheet runs out of the photo)."""
    height, width = lab.shape[:2]
    offset = max(3.0, _EDGE_OFFSET * max(height, width))
    margin = 2 * offset
    centre = quad.mean(axis=0)
    contrasts: list[float | None] = []
    for start, end in zip(quad, np.roll(quad, -1, axis=0), strict=True):
        on_frame = any(
            max(start[axis], end[axis]) < margin or min(start[axis], end[axis]) > limit - 1 - margin
            for axis, limit in ((0, width), (1, height))
        )
        if on_frame:
            contrasts.append(None)
            continue
        along = end - start
        normal = np.array([-along[1], along[0]]) / max(float(np.linalg.norm(along)), 1e-6)
        if np.dot(centre - start, normal) < 0:
            normal = -normal
        points = start + np.outer(np.linspace(0.1, 0.9, 40), along)
        inside = np.rint(points + offset * normal).astype(np.intp)
        outside = np.rint(points - offset * normal).astype(np.intp)
        seen = ((outside >= 0) & (outside < (width, height))).all(axis=1)
        if seen.mean() < 0.5:
            contrasts.append(None)
            continue
        a = lab[inside[seen, 1].clip(0, height - 1), inside[seen, 0].clip(0, width - 1)].astype(np.float32)
        b = lab[outside[seen, 1], outside[seen, 0]].astype(np.float32)
        contrasts.append(float(np.median(np.linalg.norm(a - b, axis=1))))
    return contrasts


def _sheet_like(contrasts: list[float | None]) -> bool:
    """Paper stands out from what it lies on along its edges: at least two sides show it, and at
    most one (a torn or folded corner) does not."""
    measured = [c for c in contrasts if c is not None]
    weak = sum(c < _EDGE_CONTRAST for c in measured)
    return len(measured) - weak >= 2 and weak <= 1


def _sheet_masks(small: np.ndarray):
    """Ways a sheet may stand out from its background: brighter (a dark desk), or more or less
    saturated (cream paper on a grey or white cloth, white paper on a coloured one)."""
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2GRAY), (5, 5), 0)
    yield cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    saturation = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1], (5, 5), 0)
    more = cv2.threshold(saturation, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1]
    yield more
    yield 255 - more


def find_document_outline(image: np.ndarray) -> np.ndarray | None:
    """The four corners of a sheet of paper lying on a background it stands out from, if any.

    Candidate outlines come from several segmentations; one is taken only if it is a
    quadrilateral whose sides run along visible edges of the paper. No outline is better than
    a wrong one: a wrong outline would warp the page.
    """
    height, width = image.shape[:2]
    factor = _WORK_SIDE / max(height, width)
    small = cv2.resize(image, (round(width * factor), round(height * factor)), interpolation=cv2.INTER_AREA)
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB)
    best, best_score = None, 0.0
    for mask in _sheet_masks(small):
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        # The member photographs the bill, not the cloth around it: the sheet holds the centre.
        centre = (small.shape[1] / 2, small.shape[0] / 2)
        held = [c for c in contours if cv2.pointPolygonTest(c, centre, False) >= 0]
        if not held:
            continue
        contour = held[0]
        area_share = cv2.contourArea(contour) / (small.shape[0] * small.shape[1])
        # A sheet filling the frame is a scan or a crop: nothing to correct.
        if not 0.2 <= area_share <= 0.92:
            continue
        hull = cv2.convexHull(contour)
        quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if len(quad) != 4:
            continue
        quad = _order_corners(quad.reshape(4, 2).astype(np.float32))
        contrasts = _side_contrast(lab, quad)
        if not _sheet_like(contrasts):
            continue
        score = float(np.mean([c for c in contrasts if c is not None]))
        if score > best_score:
            best, best_score = quad, score
    return None if best is None else best / factor


def correct_perspective(image: np.ndarray) -> tuple[np.ndarray, Transform | None]:
    corners = find_document_outline(image)
    if corners is None:
        return image, None
    tl, tr, br, bl = corners
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32)
    homography = cv2.getPerspectiveTransform(corners, target)
    out = cv2.warpPerspective(image, homography, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return out, Transform(
        name="perspective",
        params={"width": width, "height": height},
        matrix=geometry.as_matrix(homography),
    )


def find_unread_ink(image: np.ndarray, text_quads: list[np.ndarray]) -> list[np.ndarray]:
    """Blobs of ink the detector found no text in: a smudged, blurred or covered value.

    Darkness is measured against the local paper tone (a grey closing removes print smaller than
    the kernel), so uneven light is not ink. Detected text is masked out; what remains and has the
    size of a text line (not a table rule, not speckle) is returned as quads in image pixels.
    """
    if not text_quads:
        return []
    heights = sorted(float(np.linalg.norm(q[3] - q[0])) for q in text_quads)
    line_height = heights[len(heights) // 2]
    factor = 0.5
    gray = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    side = max(15, int(line_height * factor * 1.5) | 1)
    paper = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    # Blurred first: a smudge is a soft cloud of grey, not crisp strokes.
    soft = cv2.GaussianBlur(small, (5, 5), 0)
    ink = ((paper.astype(np.int16) - soft) > 18).astype(np.uint8)
    covered = np.zeros_like(ink)
    for quad in text_quads:
        cv2.fillPoly(covered, [np.round(quad * factor).astype(np.int32)], 1)
    covered = cv2.dilate(covered, np.ones((5, 5), np.uint8))
    ink[covered > 0] = 0
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    ink = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    found = []
    scaled_height = line_height * factor
    for x, y, w, h, area in stats[1:count]:
        if not 0.6 * scaled_height <= h <= 2.5 * scaled_height or w < h:
            continue
        if area < 0.35 * w * h:  # outlines and crossing rules, not a blot
            continue
        x0, y0, x1, y1 = x / factor, y / factor, (x + w) / factor, (y + h) / factor
        found.append(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32))
    return found
