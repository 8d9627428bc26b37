"""The OCR stage with the real PP-OCR engine: every input kind, rotations, perspective, stamps.

A small test page keeps each read well under a second; the sample bundles are read in full by
tests/test_pipeline.py.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

from claim_intake.errors import EncryptedPdfError, TooManyPixelsError, UnsupportedFileTypeError
from claim_intake.ocr.engine import rapidocr_engine
from claim_intake.ocr.models import FileKind, PageSource, ReadResult
from claim_intake.ocr.options import PreprocessOptions, ReadOptions
from claim_intake.ocr.reader import read_bytes
from claim_intake.samples.fonts import font
from claim_intake.samples.stamps import hospital_stamp
from tests.conftest import pdf_bytes
from tests.materials import ofd_bytes
from tests.test_decode import _png_header_only

pytestmark = pytest.mark.ocr

LINES = ["医疗住院收费票据", "票据号码：0012345678", "交款人：王建国", "金额合计：1234.50", "收款单位：南宁市第一人民医院"]
NUMBER_LINE = 1


def _page(stamp: bool = False) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """The test page, and the box of each line in its pixels."""
    img = Image.new("RGB", (1100, 560), "white")
    draw = ImageDraw.Draw(img)
    boxes = []
    for i, text in enumerate(LINES):
        xy = (60, 40 + 100 * i)
        draw.text(xy, text, font=font("serif", 44), fill=(20, 20, 20))
        boxes.append(tuple(int(v) for v in draw.textbbox(xy, text, font=font("serif", 44))))
    if stamp:
        seal = hospital_stamp("南宁市第一人民医院", diameter=260)
        layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
        layer.paste(seal, (250, 260), seal)
        img = Image.alpha_composite(img.convert("RGBA"), layer).convert("RGB")
    return img, boxes


def _encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kwargs)
    return buf.getvalue()


def _read(data: bytes, **preprocess) -> ReadResult:
    options = ReadOptions(preprocess=PreprocessOptions(**preprocess))
    engine = rapidocr_engine(options.rapidocr)
    return read_bytes(data, options, lambda: engine)


def _assert_reads_the_page(result: ReadResult, page: int = 0) -> None:
    text = result.pages[page].text.replace(" ", "")
    for expected in ("0012345678", "1234.50", "王建国"):
        assert expected in text, text


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def _line_box(result: ReadResult, needle: str):
    return next(line.source_box for line in result.pages[0].lines if needle in line.text)


@pytest.mark.parametrize(
    ("fmt", "kind", "kwargs"),
    [
        ("JPEG", FileKind.jpeg, {"quality": 90}),
        ("PNG", FileKind.png, {}),
        ("WEBP", FileKind.webp, {"quality": 90}),
        ("BMP", FileKind.bmp, {}),
        ("GIF", FileKind.gif, {}),
        ("HEIF", FileKind.heic, {"quality": 90}),
    ],
)
def test_image_kinds(fmt: str, kind: FileKind, kwargs: dict) -> None:
    img, _ = _page()
    result = _read(_encode(img, fmt, **kwargs))
    assert result.kind is kind
    assert result.engine is not None and result.engine.name == "rapidocr"
    _assert_reads_the_page(result)


def test_png_with_alpha() -> None:
    img, _ = _page()
    rgba = img.convert("RGBA")
    rgba.putalpha(Image.eval(img.convert("L"), lambda v: 255 - v))  # ink opaque, paper transparent
    _assert_reads_the_page(_read(_encode(rgba, "PNG")))


def test_multi_page_tiff() -> None:
    img, _ = _page()
    data = _encode(img, "TIFF", save_all=True, append_images=[img.rotate(180)])
    result = _read(data)
    assert [p.number for p in result.pages] == [1, 2]
    _assert_reads_the_page(result, 0)
    _assert_reads_the_page(result, 1)


def test_pdf_text_layer_image_only_and_mixed() -> None:
    text_pdf = pdf_bytes(LINES)
    result = _read(text_pdf)
    assert result.pages[0].source is PageSource.text_layer and result.engine is None
    _assert_reads_the_page(result)

    img, _ = _page()
    image_pdf = _encode(img, "PDF", resolution=150)
    result = _read(image_pdf)
    assert result.pages[0].source is PageSource.ocr
    _assert_reads_the_page(result)

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.append(io.BytesIO(text_pdf))
    writer.append(io.BytesIO(image_pdf))
    mixed = io.BytesIO()
    writer.write(mixed)
    result = _read(mixed.getvalue())
    assert [p.source for p in result.pages] == [PageSource.text_layer, PageSource.ocr]
    _assert_reads_the_page(result, 1)


def test_ofd_electronic_invoice() -> None:
    result = _read(ofd_bytes(LINES))
    assert result.kind is FileKind.ofd
    assert result.engine is None
    _assert_reads_the_page(result)
    page = result.pages[0]
    # 210 mm at 150 dpi
    assert page.width == round(210 / 25.4 * 150)
    assert page.lines[0].box[0] == pytest.approx(10 / 25.4 * 150, abs=1)


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_rotated_pages_read_as_upright(turns: int) -> None:
    img, boxes = _page()
    upright = _read(_encode(img, "PNG"))
    rotated_img = img.rotate(-90 * turns, expand=True)  # clockwise, as a phone held sideways
    result = _read(_encode(rotated_img, "PNG"))
    _assert_reads_the_page(result)
    assert [line.text for line in result.pages[0].lines] == [line.text for line in upright.pages[0].lines]
    assert "rotate" in [t.name for t in result.pages[0].transforms]
    # The box of a line is where that line is on the rotated upload.
    w, h = img.size
    x0, y0, x1, y1 = boxes[NUMBER_LINE]
    corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=float)
    for _ in range(turns):  # one clockwise quarter turn of a w x h image: (x, y) -> (h - y, x)
        corners = np.stack([h - corners[:, 1], corners[:, 0]], axis=1)
        w, h = h, w
    expected = (*corners.min(axis=0), *corners.max(axis=0))
    assert _iou(_line_box(result, "0012345678"), expected) > 0.5


def test_photo_with_perspective() -> None:
    img, boxes = _page()
    desk = np.full((1200, 1700, 3), (60, 90, 120), dtype=np.uint8)
    w, h = img.size
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = np.array([[240, 180], [1420, 260], [1380, 950], [200, 880]], dtype=np.float32)
    homography = cv2.getPerspectiveTransform(src, dst)
    sheet = cv2.warpPerspective(np.asarray(img)[:, :, ::-1], homography, (1700, 1200))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), homography, (1700, 1200)) > 0
    desk[mask] = sheet[mask]
    result = _read(_encode(Image.fromarray(desk[:, :, ::-1]), "JPEG", quality=92))
    assert "perspective" in [t.name for t in result.pages[0].transforms]
    _assert_reads_the_page(result)
    x0, y0, x1, y1 = boxes[NUMBER_LINE]
    corners = cv2.perspectiveTransform(np.array([[[x0, y0], [x1, y0], [x1, y1], [x0, y1]]], dtype=np.float32), homography)[0]
    expected = (*corners.min(axis=0), *corners.max(axis=0))
    assert _iou(_line_box(result, "0012345678"), expected) > 0.5


def test_stamp_over_an_amount() -> None:
    img, _ = _page(stamp=True)
    data = _encode(img, "PNG")
    suppressed = _read(data)
    assert "seal_suppression" in [t.name for t in suppressed.pages[0].transforms]
    _assert_reads_the_page(suppressed)
    kept = _read(data, seal_suppression=False)
    assert "seal_suppression" not in [t.name for t in kept.pages[0].transforms]


def test_red_number_beside_a_stamp_is_read_and_the_stamped_amount_too() -> None:
    """Red print is text, not seal: fading the stamp must not erase the invoice number."""
    img = Image.new("RGB", (1100, 560), (240, 214, 168))  # cream paper in warm light
    draw = ImageDraw.Draw(img)
    draw.text((60, 40), "医疗门诊收费票据", font=font("serif", 44), fill=(20, 20, 20))
    draw.text((560, 140), "NO.1350246781", font=font("serif", 44), fill=(232, 70, 75))
    draw.text((60, 300), "金额合计：1234.50", font=font("serif", 44), fill=(20, 20, 20))
    seal = hospital_stamp("南宁市第一人民医院", diameter=260)
    img.paste(seal, (200, 180), seal)
    result = _read(_encode(img, "PNG"))
    assert "seal_suppression" in [t.name for t in result.pages[0].transforms]
    text = result.pages[0].text.replace(" ", "")
    assert "1350246781" in text, text
    assert "1234.50" in text, text


def test_refusals_before_any_ocr() -> None:
    with pytest.raises(EncryptedPdfError):
        _read(pdf_bytes(LINES, password="secret"))
    with pytest.raises(TooManyPixelsError):
        _read(_png_header_only(60_000, 60_000))
    with pytest.raises(UnsupportedFileTypeError):
        _read(b"PK\x03\x04" + b"\x00" * 100)
