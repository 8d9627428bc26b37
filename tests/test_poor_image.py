"""poor_image: a photo too blurred, dark, glared or cut off is flagged, with its reason in words.

Synthetic renders from the samples generator, degraded as members' photos are
(``samples.defects``); the real development set is measured by ``benchmarks/poor_image.py``.
"""

from __future__ import annotations

import functools
import random

import cv2
import numpy as np
import pytest

from claim_intake.extract.models import DocType, Document
from claim_intake.ocr.engine import rapidocr_engine
from claim_intake.ocr.models import Page, PageSource
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.quality import Defect, ImageQuality
from claim_intake.ocr.reader import read_bytes
from claim_intake.pipeline import FileReport, assess_claim
from claim_intake.samples.capture import phone_photo
from claim_intake.samples.data import make_inpatient_case
from claim_intake.samples.defects import DEFECTS, jpeg
from claim_intake.samples.page import rasterise
from claim_intake.samples.render import invoice_inpatient_page
from claim_intake.validators.models import FindingCode
from claim_intake.validators.ruleset import load_rule_set


@functools.cache
def _photo() -> np.ndarray:
    rng = random.Random(7)
    page, _ = invoice_inpatient_page(make_inpatient_case(rng))
    rgb = np.asarray(phone_photo(rasterise(page), rng).convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _engine():  # type: ignore[no-untyped-def]
    return rapidocr_engine(ReadOptions().rapidocr)


def _quality(image: np.ndarray) -> ImageQuality:
    (page,) = read_bytes(jpeg(image), ReadOptions(), _engine).pages
    assert page.quality is not None
    return page.quality


@pytest.mark.ocr
def test_a_sharp_phone_photo_is_not_flagged() -> None:
    quality = _quality(_photo())
    assert quality.defects == ()
    assert quality.sharpness is not None and quality.brightness is not None


@pytest.mark.ocr
@pytest.mark.parametrize("defect", list(DEFECTS))
def test_a_degraded_photo_is_flagged_for_its_reason(defect: str) -> None:
    quality = _quality(DEFECTS[defect](_photo()))
    assert Defect(defect) in quality.defects


def test_a_text_layer_page_has_no_quality_to_judge() -> None:
    from tests.materials import invoice_pdf

    (page,) = read_bytes(invoice_pdf(), ReadOptions(), _engine).pages
    assert page.source is PageSource.text_layer and page.quality is None


def _report(file: str, defects: tuple[Defect, ...]) -> FileReport:
    page = Page(number=1, width=100, height=100, source_width=100, source_height=100, source=PageSource.ocr,
                quality=ImageQuality(sharpness=0.05, brightness=60.0, defects=defects))
    doc = Document(doc_type=DocType.invoice_inpatient, confidence=0.9, pages=(1,), fields={})
    return FileReport(file=file, documents=(doc,), pages=(page,), seconds=0.1)


def test_the_finding_names_the_document_and_says_what_is_wrong_in_words() -> None:
    report = assess_claim([_report("发票.jpg", (Defect.blurred, Defect.dark)), _report("good.jpg", ())],
                          load_rule_set("inpatient"))
    poor = [f for f in report.assessment.findings if f.code is FindingCode.poor_image]
    assert len(poor) == 1
    (finding,) = poor
    assert finding.severity.value == "follow_up"
    assert finding.documents == ("d1",) and finding.doc_type is DocType.invoice_inpatient
    assert "照片模糊" in finding.message_claimant and "光线太暗" in finding.message_claimant
    assert "住院收费票据" in finding.message_claimant and "重新拍照" in finding.message_claimant
    assert "blurred" in finding.message_staff


def test_quality_is_measured_on_text_lines_not_the_desk() -> None:
    """A sharp sheet on a smooth desk: the desk's blur says nothing about the print."""
    photo = _photo().copy()
    # Blur only outside the sheet's middle: the text the measure looks at stays sharp.
    smooth = cv2.GaussianBlur(photo, (0, 0), 8)
    height, width = photo.shape[:2]
    smooth[height // 8: -height // 8, width // 8: -width // 8] = photo[height // 8: -height // 8, width // 8: -width // 8]
    from claim_intake.ocr.quality import measure

    quads = [np.array([[x, y], [x + 400, y], [x + 400, y + 40], [x, y + 40]], np.float32)
             for x, y in ((width // 4, height // 3), (width // 4, height // 2), (width // 4, 2 * height // 3))]
    assert Defect.blurred not in measure(smooth, quads, None, (width, height)).defects


# --- cut off: a line that runs on past the border ---------------------------------------------------

def _lines_in_source(image: np.ndarray) -> tuple[list[np.ndarray], ImageQuality]:
    """The text lines the reader's own preparation and detection find, in the upload's pixels."""
    from claim_intake.ocr import geometry
    from claim_intake.ocr.decode import decode_image
    from claim_intake.ocr.models import FileKind
    from claim_intake.ocr.page_ocr import detect_page

    options = ReadOptions()
    (page,) = decode_image(jpeg(image), FileKind.jpeg, options.limits)
    detected = detect_page(page, _engine(), options.preprocess)
    matrices = [t.matrix for t in detected.transforms if t.matrix is not None]
    to_source = np.linalg.inv(geometry.compose(matrices)) if matrices else None
    lines = [geometry.apply(to_source, q.astype(np.float64)) if to_source is not None else q for q in detected.quads]
    return lines, detected.quality


def _wide(line: np.ndarray) -> bool:
    return bool(np.ptp(line[:, 0]) > np.ptp(line[:, 1]))


@pytest.mark.ocr
def test_lines_the_border_slices_count_though_their_boxes_stop_short_of_it() -> None:
    """The sheet cut through the last characters of a right-aligned column: the detector's boxes
    stop short of the half characters at the border, so "touching the border" misses them."""
    from claim_intake.ocr.quality import _cut_lines

    photo = _photo()
    lines, _ = _lines_in_source(photo)
    ends = sorted((float(line[:, 0].max()), float(np.ptp(line[:, 1]))) for line in lines if _wide(line))
    height = float(np.median([t for _, t in ends]))
    # A right-aligned column in the sheet's right half: the most line ends within a fifth of a
    # line's height of one another.
    start = max((e for e, _ in ends if e > photo.shape[1] / 2),
                key=lambda e: sum(1 for f, _ in ends if e <= f <= e + 0.2 * height))
    assert sum(1 for f, _ in ends if start <= f <= start + 0.2 * height) >= 3
    x = int(start - 0.2 * height)  # through the column's last characters: slivers of them are left
    cropped = np.ascontiguousarray(photo[:, :x])
    lines, quality = _lines_in_source(cropped)
    margin = max(2.0, 0.003 * max(cropped.shape[:2]))
    short = [line for line in lines
             if _wide(line) and margin < x - line[:, 0].max() <= 0.5 * np.ptp(line[:, 1])]
    assert len(short) >= 2, "the detector's boxes of sliced lines reach the border"
    assert _cut_lines(short, None, (x, cropped.shape[0])) == len(short)
    assert Defect.cut_off in quality.defects


def _line(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


def test_a_line_ending_within_half_its_height_of_the_border_runs_on_past_it() -> None:
    from claim_intake.ocr.quality import _cut_lines

    width, height = 2000, 1500
    # 40 px high lines: 12 px from the right border (a sliced character the box left out) is cut,
    # 60 px (a line and a half) is a margin; lying along the border counts only touching it.
    assert _cut_lines([_line(1200, 100 + 60 * i, width - 12, 140 + 60 * i) for i in range(3)], None, (width, height)) == 3
    assert _cut_lines([_line(1200, 100 + 60 * i, width - 60, 140 + 60 * i) for i in range(3)], None, (width, height)) == 0
    # A tall line (a page turned on its side) runs into the bottom border the same way.
    assert _cut_lines([_line(300, 900, 340, height - 15)], None, (width, height)) == 1
    assert _cut_lines([_line(200, height - 52, 900, height - 12)], None, (width, height)) == 0
    assert _cut_lines([_line(200, height - 42, 900, height - 2)], None, (width, height)) == 1
