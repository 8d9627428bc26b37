"""The page hash behind ``duplicate_image`` on synthetic renders: copies of one photo or scan
(re-compressed, cropped a little, a phone screenshot of it) stay within the threshold; another bill
of the same hospital's form, photographed or scanned the same way, does not. Text boxes come from
the real detector, as in the reader."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from claim_intake.intake.duplicates import MAX_DISTANCE
from claim_intake.ocr.engine import RapidOcrEngine, rapidocr_engine
from claim_intake.ocr.image_hash import bar_bounds, distance, page_hash
from claim_intake.ocr.options import ReadOptions
from claim_intake.samples.capture import jpeg_bytes, phone_photo, scan
from claim_intake.samples.data import InpatientCase, make_inpatient_case
from claim_intake.samples.render import render_invoice_inpatient

DETECT_SIDE = 1280


@pytest.fixture(scope="module")
def engine() -> RapidOcrEngine:
    return rapidocr_engine(ReadOptions().rapidocr)


def _two_bills_of_one_hospital() -> tuple[InpatientCase, InpatientCase]:
    first = make_inpatient_case(random.Random(0))
    seed = 1
    while (other := make_inpatient_case(random.Random(seed))).hospital != first.hospital:
        seed += 1
    return first, other


def _hash(engine: RapidOcrEngine, image: Image.Image, quality: int = 85) -> str:
    """As the service sees an upload: a JPEG, decoded, its text lines found by the detector."""
    bgr = cv2.imdecode(np.frombuffer(jpeg_bytes(image, quality), np.uint8), cv2.IMREAD_COLOR)
    scale = DETECT_SIDE / max(bgr.shape[:2])
    small = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    boxes = []
    for quad in engine.detect(small):
        pts = np.asarray(quad, dtype=np.float32).reshape(-1, 2) / scale
        boxes.append((*pts.min(axis=0).tolist(), *pts.max(axis=0).tolist()))
    result = page_hash(bgr, boxes)
    assert result is not None
    return result


def _cropped(image: Image.Image, share: float = 0.02) -> Image.Image:
    w, h = image.size
    return image.crop((int(w * share), int(h * share * 0.7), int(w * (1 - share * 0.6)), int(h * (1 - share))))


def _screenshot(image: Image.Image) -> Image.Image:
    """A phone's viewer: the photo fitted on a black screen under a status bar, buttons below."""
    w, h = 1080, 2340
    shown = image.copy()
    shown.thumbnail((w, h - 300))
    screen = Image.new("RGB", (w, h))
    screen.paste(shown, ((w - shown.width) // 2, (h - shown.height) // 2))
    draw = ImageDraw.Draw(screen)
    draw.text((40, 20), "10:42  4G 87%", fill=(255, 255, 255))
    draw.rectangle((900, 25, 1000, 50), fill=(255, 255, 255))
    draw.text((40, h - 80), "<  share  edit  delete", fill=(255, 255, 255))
    return screen


@pytest.mark.ocr
def test_copies_of_a_photo_match_and_another_bill_of_the_same_form_does_not(engine: RapidOcrEngine) -> None:
    first, other = _two_bills_of_one_hospital()
    bill, other_bill = render_invoice_inpatient(first)[0], render_invoice_inpatient(other)[0]
    # The same phone, desk and light for both bills: only what is printed on them differs.
    photo, other_photo = phone_photo(bill, random.Random(7)), phone_photo(other_bill, random.Random(7))
    original = _hash(engine, photo)
    copies = {"re-compressed": _hash(engine, photo, quality=50), "cropped": _hash(engine, _cropped(photo)),
              "screenshot": _hash(engine, _screenshot(photo))}
    assert {name: distance(original, h) <= MAX_DISTANCE for name, h in copies.items()} == dict.fromkeys(copies, True), \
        {name: distance(original, h) for name, h in copies.items()}
    assert distance(original, _hash(engine, other_photo)) > MAX_DISTANCE

    scanned, other_scanned = scan(bill, random.Random(3)), scan(other_bill, random.Random(3))
    original = _hash(engine, scanned)
    assert distance(original, _hash(engine, scanned, quality=50)) <= MAX_DISTANCE
    assert distance(original, _hash(engine, _cropped(scanned))) <= MAX_DISTANCE
    assert distance(original, _hash(engine, other_scanned)) > MAX_DISTANCE


def test_a_screenshot_s_bars_are_trimmed_and_a_photo_is_left_whole() -> None:
    rng = np.random.default_rng(0)
    photo = rng.normal(128, 20, (400, 300)).clip(0, 255).astype(np.uint8)
    screen = np.zeros((1000, 500), np.uint8)
    screen[5:25, 20:120] = 255  # the status bar's clock
    screen[300:700, 100:400] = photo
    assert bar_bounds(screen) == (100, 300, 400, 700)
    assert bar_bounds(photo) == (0, 0, 300, 400)


def test_a_page_with_too_little_text_is_not_hashed() -> None:
    page = np.full((800, 600), 255, np.uint8)
    assert page_hash(page, [(10.0, 10.0, 30.0, 20.0)]) is None
    assert page_hash(page, []) is not None  # no text found: the whole page
