"""Writing a laid-out page as a PDF with a real text layer (like a hospital's e-document)."""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from claim_intake.samples.fonts import pdf_font_file
from claim_intake.samples.page import DPI, Page, Rule, Stamp, Text

_FONT = "WenQuanYiZenHei"
_PT_PER_PX = 72 / DPI


@lru_cache(maxsize=1)
def _register_font() -> str:
    path, index = pdf_font_file()
    pdfmetrics.registerFont(TTFont(_FONT, str(path), subfontIndex=index))
    return _FONT


def _rgb(color: tuple[int, int, int]) -> tuple[float, float, float]:
    return color[0] / 255, color[1] / 255, color[2] / 255


def _canvas(out: BytesIO, encrypt: str | None) -> Canvas:
    # invariant: no creation date or random document id, so a seed gives identical bytes.
    return Canvas(out, invariant=1, pageCompression=1, encrypt=encrypt)


def _draw_page(pdf: Canvas, page: Page) -> None:
    font_name = _register_font()
    k = _PT_PER_PX
    height = page.height * k
    pdf.setPageSize((page.width * k, height))
    for op in page.ops:
        if isinstance(op, Text):
            size = op.size * k
            total = sum(pdfmetrics.stringWidth(s, font_name, size) for s, _ in op.runs)
            x = op.x * k - {"l": 0.0, "m": total / 2, "r": total}[op.anchor]
            for s, color in op.runs:
                pdf.setFont(font_name, size)
                pdf.setFillColorRGB(*_rgb(color))
                pdf.drawString(x, height - op.y * k, s)
                x += pdfmetrics.stringWidth(s, font_name, size)
        elif isinstance(op, Rule):
            pdf.setStrokeColorRGB(*_rgb(op.color))
            pdf.setLineWidth(op.width * k)
            pdf.line(op.x0 * k, height - op.y0 * k, op.x1 * k, height - op.y1 * k)
        elif isinstance(op, Stamp):
            w, h = op.image.width * k, op.image.height * k
            pdf.drawImage(ImageReader(op.image), op.cx * k - w / 2, height - op.cy * k - h / 2,
                          w, h, mask="auto")
    pdf.showPage()


def pages_pdf_bytes(pages: list[Page], encrypt: str | None = None) -> bytes:
    """A text-layer PDF of ``pages`` in order; ``encrypt`` sets a user password to open it."""
    out = BytesIO()
    pdf = _canvas(out, encrypt)
    for page in pages:
        _draw_page(pdf, page)
    pdf.save()
    return out.getvalue()


def page_pdf_bytes(page: Page) -> bytes:
    """One page, drawn from the same operations that ``page.rasterise`` draws."""
    return pages_pdf_bytes([page])


def image_pdf_bytes(jpegs: list[tuple[bytes, tuple[int, int]]]) -> bytes:
    """An image-only PDF (a scanner's or a phone app's): one JPEG per page, no text layer.

    The JPEG bytes are embedded as they are (DCTDecode), at ``DPI`` for the given pixel size.
    """
    out = BytesIO()
    pdf = _canvas(out, None)
    for data, (w, h) in jpegs:
        size = (w * _PT_PER_PX, h * _PT_PER_PX)
        pdf.setPageSize(size)
        pdf.drawImage(ImageReader(BytesIO(data)), 0, 0, *size)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def write_pdf(page: Page, path: Path) -> None:
    path.write_bytes(page_pdf_bytes(page))
