from __future__ import annotations

import io

import numpy as np
import pytest

from claim_intake.ocr.models import EngineInfo, Line, Page, PageSource, make_line

WIDTH, HEIGHT = 1600, 1000


def line(text: str, x0: float, y0: float, x1: float | None = None, y1: float | None = None, conf: float = 0.98) -> Line:
    """A line as OCR returns it; the default box is 30 px per character, 36 px high."""
    x1 = x1 if x1 is not None else x0 + 30 * len(text)
    y1 = y1 if y1 is not None else y0 + 36
    return make_line(text, conf, ((x0, y0), (x1, y0), (x1, y1), (x0, y1)), (WIDTH, HEIGHT))


def page(*lines: Line, number: int = 1) -> Page:
    return Page(
        number=number,
        width=WIDTH,
        height=HEIGHT,
        source_width=WIDTH,
        source_height=HEIGHT,
        source=PageSource.ocr,
        lines=lines,
    )


class CountingEngine:
    """Implements the engine protocol without models: one fixed line wherever it looks."""

    info = EngineInfo(name="counting", version="0")

    def __init__(self, text: str = "票据代码：45060121") -> None:
        self.calls: list[tuple[int, int]] = []
        self.images: list[np.ndarray] = []
        self._text = text

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        self.calls.append(image.shape[:2])
        self.images.append(image)
        return [np.array([[2, 2], [30, 2], [30, 6], [2, 6]], dtype=np.float32)]

    def classify(self, crops: list[np.ndarray]) -> list[tuple[int, float]]:
        return [(0, 1.0) for _ in crops]

    def recognise(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        return [(self._text, 0.99) for _ in crops]


@pytest.fixture
def counting_engine() -> CountingEngine:
    return CountingEngine()


def pdf_bytes(text_lines: list[str] | None, image: bool = False, password: str | None = None) -> bytes:
    """A one-page PDF from reportlab: real text with a CJK font, or only an image."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from claim_intake.samples.fonts import pdf_font_file

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, encrypt=password)
    if text_lines:
        path, index = pdf_font_file()
        pdfmetrics.registerFont(TTFont("TestCJK", str(path), subfontIndex=index))
        pdf.setFont("TestCJK", 14)
        for i, text in enumerate(text_lines):
            pdf.drawString(60, 780 - 24 * i, text)
    if image:
        from PIL import Image, ImageDraw

        img = Image.new("RGB", (600, 200), "white")
        ImageDraw.Draw(img).rectangle((50, 50, 550, 150), outline="black", width=4)
        pdf.drawImage(ImageReader(img), 60, 500, width=400, height=133)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
