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
