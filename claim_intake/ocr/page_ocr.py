"""One page image -> a Page: preprocessing, then the engine's stages composed.

The order: shrink -> flatten the sheet -> fade seals -> detect lines (and ink where no line was
found) -> turn the page upright
(90 from the shape of the lines, 180 from the angle classifier on a sample of lines) -> measure
skew -> recognise (-> a bill page whose lines name no issuer: detect again band by band, read
what that adds). Turning and deskewing act on the detected quads, not on pixels, so detection
runs once per page whatever the orientation; the bands are cut from the same pixels.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

import numpy as np
from rapidocr.utils.process_img import get_rotate_crop_image

from claim_intake.ocr import bands, geometry, layers, preprocess, quality
from claim_intake.ocr.decode import PageImage
from claim_intake.ocr.engine import OcrEngine, Quad
from claim_intake.ocr.models import Page, PageSource, Transform, make_line
from claim_intake.ocr.options import PreprocessOptions
from claim_intake.ocr.quality import ImageQuality

_ORIENTATION_SAMPLE = 12
"""Lines sent to the angle classifier to decide whether a page is upside down."""
_MIN_SKEW_DEGREES = 0.3


def _is_long(quad: Quad) -> tuple[float, float]:
    width = float(np.linalg.norm(quad[1] - quad[0]))
    height = float(np.linalg.norm(quad[3] - quad[0]))
    return width, height


def _turned_quarter(quads: list[Quad]) -> bool:
    """Most text lines are much taller than wide: the page lies on its side."""
    shapes = [_is_long(q) for q in quads]
    decided = [w < h for w, h in shapes if max(w, h) > 3 * min(w, h)]
    return len(decided) >= 3 and sum(decided) > 0.6 * len(decided)


def _map_quads(quads: list[Quad], matrix: geometry.Matrix) -> list[Quad]:
    array = geometry.as_array(matrix)
    mapped = []
    for quad in quads:
        points = geometry.apply(array, quad.astype(np.float64))
        # Keep corner order clockwise from the new top-left, as detectors return them.
        start = int(np.argmin(points.sum(axis=1)))
        mapped.append(np.roll(points, -start, axis=0).astype(np.float32))
    return mapped


def _skew_degrees(quads: list[Quad]) -> float:
    angles = []
    for quad in quads:
        width, height = _is_long(quad)
        if width > 4 * height:
            dx, dy = quad[1] - quad[0]
            angles.append(math.degrees(math.atan2(float(dy), float(dx))))
    return float(np.median(angles)) if len(angles) >= 3 else 0.0


@dataclass
class Detected:
    """A page prepared and its text lines found: what reading and the quality check start from."""

    image: np.ndarray
    quads: list[Quad]
    unread: list[Quad]
    transforms: list[Transform]
    quality: ImageQuality
    timings: dict[str, float]


Found = tuple[list[Quad], list[np.ndarray], list[tuple[str, float]]]
"""Lines found: quads in the image's pixels, their crops as read, their readings."""


def _second_detection(
    engine: OcrEngine, image: np.ndarray, known: list[Quad], read: list[tuple[str, float]], turned_over: bool,
    options: PreprocessOptions,
) -> Found:
    """A bill page whose lines name no issuer detected again band by band (ocr/bands.py), one band
    scale after the other until the lines found name one. Those lines are kept (else the first
    scale's), and the lines of the other scales tried where they overlap none of them."""
    issuer = re.compile(options.issuer_pattern)
    if bands.names_issuer([text for text, _ in read], issuer):
        return [], [], []
    tried: list[Found] = []
    for share, count in bands.SCALES:
        missed = bands.missed_quads(engine, image, known, share, count)
        crops = [get_rotate_crop_image(image, quad.copy()) for quad in missed]
        if turned_over:
            crops = [np.ascontiguousarray(np.rot90(crop, k=2)) for crop in crops]
        tried.append((missed, crops, engine.recognise(crops) if crops else []))
        if bands.names_issuer([text for text, _ in tried[-1][2]], issuer):
            break
    chosen = tried[-1] if bands.names_issuer([text for text, _ in tried[-1][2]], issuer) else tried[0]
    quads, crops, found = list(chosen[0]), list(chosen[1]), list(chosen[2])
    for other in tried:
        if other is chosen:
            continue
        for quad, crop, reading in zip(*other, strict=True):
            if not any(bands.overlap(quad, kept) for kept in quads):
                quads.append(quad)
                crops.append(crop)
                found.append(reading)
    return quads, crops, found


def detect_page(page: PageImage, engine: OcrEngine, options: PreprocessOptions) -> Detected:
    timings = {"decode": page.decode_seconds}
    transforms: list[Transform] = list(page.transforms)
    image = page.image
    source_h, source_w = image.shape[:2]

    started = time.perf_counter()
    steps = [lambda im: preprocess.normalise_size(im, options.max_side)]
    if options.perspective:
        steps.append(preprocess.correct_perspective)
    if options.seal_suppression:
        steps.append(preprocess.suppress_seals)
    for step in steps:
        image, applied = step(image)
        if applied is not None:
            transforms.append(applied)
    timings["preprocess"] = time.perf_counter() - started

    started = time.perf_counter()
    quads = engine.detect(image)
    timings["detect"] = time.perf_counter() - started
    unread = preprocess.find_unread_ink(image, quads)
    started = time.perf_counter()
    matrices = [t.matrix for t in transforms if t.matrix is not None]
    to_source = np.linalg.inv(geometry.compose(matrices)) if matrices else None
    measured = quality.measure(image, quads, to_source, (source_w, source_h), options.quality)
    timings["quality"] = time.perf_counter() - started
    return Detected(image, quads, unread, transforms, measured, timings)


def ocr_page(page: PageImage, engine: OcrEngine, options: PreprocessOptions) -> Page:
    detected = detect_page(page, engine, options)
    image, quads, unread, transforms, timings = (detected.image, detected.quads, detected.unread,
                                                 detected.transforms, detected.timings)
    source_h, source_w = page.image.shape[:2]
    height, width = image.shape[:2]

    started = time.perf_counter()
    if options.orientation and _turned_quarter(quads):
        turn = geometry.rotation_quarter(1, width, height)
        image = np.ascontiguousarray(np.rot90(image, k=-1))
        quads, unread = _map_quads(quads, turn), _map_quads(unread, turn)
        transforms.append(Transform(name="rotate", params={"degrees": 90}, matrix=turn))
        height, width = image.shape[:2]
    # The image's own frame: later turns and straightening map quads, not pixels.
    in_image, later = list(quads), len(transforms)
    turned_over = False
    crops = [get_rotate_crop_image(image, quad.copy()) for quad in quads]
    if options.orientation and crops:
        widest = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1])[:_ORIENTATION_SAMPLE]
        votes = engine.classify([crops[i] for i in widest])
        upside_down = sum(1 for angle, score in votes if angle == 180 and score >= 0.9)
        if upside_down > len(votes) / 2:
            turn = geometry.rotation_quarter(2, width, height)
            quads, unread = _map_quads(quads, turn), _map_quads(unread, turn)
            crops = [np.ascontiguousarray(np.rot90(crop, k=2)) for crop in crops]
            turned_over = True
            transforms.append(Transform(name="rotate", params={"degrees": 180}, matrix=turn))
    if options.deskew:
        skew = _skew_degrees(quads)
        if abs(skew) >= _MIN_SKEW_DEGREES:
            straighten, width, height = geometry.rotation_about_centre(skew, width, height)
            quads, unread = _map_quads(quads, straighten), _map_quads(unread, straighten)
            transforms.append(Transform(name="deskew", params={"degrees": round(skew, 3)}, matrix=straighten))
    timings["orientation"] = time.perf_counter() - started

    started = time.perf_counter()
    read = engine.recognise(crops)
    timings["recognise"] = time.perf_counter() - started
    if options.band_redetect and bands.is_bill([text for text, _ in read], options.reread_titles):
        started = time.perf_counter()
        missed, more, found = _second_detection(engine, image, in_image, read, turned_over, options)
        after = geometry.as_matrix(geometry.compose([t.matrix for t in transforms[later:] if t.matrix is not None]))
        quads, crops, read = quads + _map_quads(missed, after), crops + more, read + found
        timings["redetect"] = time.perf_counter() - started
    rereads = []
    if options.black_layer_reread:
        started = time.perf_counter()
        rereads = layers.reread_black_layers(engine, crops, quads, read, options.reread_titles)
        timings["reread"] = time.perf_counter() - started

    matrices = [t.matrix for t in transforms if t.matrix is not None]
    to_source = np.linalg.inv(geometry.compose(matrices)) if matrices else None
    lines = [
        make_line(text, score, tuple(map(tuple, quad)), (width, height), to_source, (source_w, source_h))
        for quad, (text, score) in zip(quads, read, strict=True)
        if text.strip() and score >= options.min_line_score
    ]
    lines.sort(key=lambda line: (line.box[1] + line.box[3], line.box[0]))
    second = tuple(
        make_line(text, score, tuple(map(tuple, quad)), (width, height), to_source, (source_w, source_h))
        for text, score, quad in rereads
        if score >= options.min_line_score
    )
    return Page(
        number=page.number,
        width=width,
        height=height,
        source_width=source_w,
        source_height=source_h,
        source=PageSource.ocr,
        transforms=tuple(transforms),
        lines=tuple(lines),
        quality=detected.quality,
        unread=tuple(
            tuple(round(float(v), 1) for v in (*quad.min(axis=0), *quad.max(axis=0))) for quad in unread
        ),
        rereads=second,
        timings=timings,
    )
