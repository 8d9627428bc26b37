"""A bill page whose issuer no line names, detected again band by band (ocr/bands.py)."""

from __future__ import annotations

import re
from itertools import pairwise

import numpy as np

from claim_intake.ocr import bands
from claim_intake.ocr.decode import PageImage
from claim_intake.ocr.models import EngineInfo
from claim_intake.ocr.options import PreprocessOptions
from claim_intake.ocr.page_ocr import ocr_page

WIDTH, HEIGHT = 600, 800
TITLE, NAME, TOTAL = "医疗门(急)诊收费票据", "江南省北浦县城南医院", "合计：12.00"
INKS = {60: TITLE, 90: NAME, 120: TOTAL}
"""Each line is drawn in its own grey, so that the fake recogniser knows which line a crop holds."""
ROWS = {TITLE: (40, 70), NAME: (100, 124), TOTAL: (600, 624)}


class BandBlindEngine:
    """Finds the ink rows of what it is shown, except the name's when shown the whole page (as
    the real detector misses a name beside a seal), and reads a crop by its grey."""

    info = EngineInfo(name="band-blind", version="0")

    def __init__(self) -> None:
        self.detected: list[int] = []

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        self.detected.append(image.shape[0])
        dark = image.mean(axis=2) < 200
        rows = np.flatnonzero(dark.any(axis=1))
        quads = []
        for run in np.split(rows, np.flatnonzero(np.diff(rows) > 1) + 1) if len(rows) else []:
            top, bottom = int(run[0]), int(run[-1]) + 1
            grey = int(np.median(image[top:bottom][dark[top:bottom]]))
            if INKS.get(grey) == NAME and image.shape[0] == HEIGHT:
                continue
            cols = np.flatnonzero(dark[top:bottom].any(axis=0))
            x0, x1 = float(cols[0]), float(cols[-1] + 1)
            quads.append(np.array([[x0, top], [x1, top], [x1, bottom], [x0, bottom]], dtype=np.float32))
        return quads

    def classify(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        return [(0, 1.0) for _ in crops]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        read = []
        for crop in crops:
            dark = crop.mean(axis=2) < 200
            read.append((INKS[int(np.median(crop[dark]))], 0.99) if dark.any() else ("", 0.0))
        return read


def _page(*texts: str) -> PageImage:
    image = np.full((HEIGHT, WIDTH, 3), 255, dtype=np.uint8)
    for grey, text in INKS.items():
        if text in texts:
            top, bottom = ROWS[text]
            image[top:bottom, 60:60 + 20 * len(text)] = grey
    return PageImage(1, image, (), 0.0)


OPTIONS = PreprocessOptions(perspective=False, seal_suppression=False, black_layer_reread=False)


def test_a_name_the_page_wide_detection_missed_is_found_in_a_band() -> None:
    engine = BandBlindEngine()
    page = ocr_page(_page(TITLE, NAME, TOTAL), engine, OPTIONS)
    assert [line.text for line in page.lines] == [TITLE, NAME, TOTAL]
    name = page.lines[1]
    assert name.box == (60.0, 100.0, 260.0, 124.0)
    # The whole page once, then the first scale's bands; the name is read there, so no second scale.
    assert engine.detected == [HEIGHT] + [round(HEIGHT * 0.25)] * 5
    assert "redetect" in page.timings


def test_a_page_that_names_its_issuer_or_is_no_bill_is_detected_once() -> None:
    engine = BandBlindEngine()
    ocr_page(_page(TITLE, TOTAL), engine, OPTIONS.model_copy(update={"band_redetect": False}))
    assert engine.detected == [HEIGHT]
    engine = BandBlindEngine()
    ocr_page(_page(NAME, TOTAL), engine, OPTIONS)  # no title read: not a bill
    assert engine.detected == [HEIGHT]


def test_every_band_scale_is_tried_while_no_issuer_is_read() -> None:
    engine = BandBlindEngine()
    page = ocr_page(_page(TITLE, TOTAL), engine, OPTIONS)
    assert [line.text for line in page.lines] == [TITLE, TOTAL]  # nothing read twice
    assert engine.detected == [HEIGHT] + [round(HEIGHT * 0.25)] * 5 + [round(HEIGHT * 0.1)] * 13


def test_bands_cover_every_row_and_overlap() -> None:
    rows = bands.band_rows(1000, 0.25, 5)
    assert rows[0][0] == 0 and rows[-1][1] == 1000
    assert all(b[0] < a[1] for a, b in pairwise(rows))


def test_issuer_words_count_a_hospital_not_its_grade() -> None:
    issuer = re.compile(PreprocessOptions().issuer_pattern)
    titles = PreprocessOptions().reread_titles
    assert not bands.names_issuer(["三级甲等专科医院", "二级综合医院", "医疗机构类型：一级医院"], issuer)
    assert bands.names_issuer(["收款单位（章）：江南省北浦县城南医院"], issuer)
    assert bands.names_issuer(["北浦县湖滨镇卫生院"], issuer)
    assert bands.is_bill(["医疗门（急)诊收费 票据"], titles) and not bands.is_bill(["合计：12.00"], titles)


def test_one_of_two_overlapping_boxes_inside_the_other_is_the_same_print() -> None:
    def quad(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)

    assert bands.overlap(quad(0, 0, 100, 20), quad(10, 2, 60, 18))
    assert bands.overlap(quad(10, 2, 60, 18), quad(0, 0, 100, 20))
    assert not bands.overlap(quad(0, 0, 100, 20), quad(90, 0, 200, 20))
