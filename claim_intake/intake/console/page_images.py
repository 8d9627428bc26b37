"""A page of an upload as an image for the browser, in the frame of the stored boxes.

Boxes are in the upload's pixels as image viewers show it: photos with their EXIF orientation
applied, PDF pages rendered at the service's render resolution. The browser scales the image, and
the boxes are drawn in fractions of the page size, so the image may be sent smaller than that.
"""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image

from claim_intake.errors import NotFoundError
from claim_intake.ocr.decode import decode_image
from claim_intake.ocr.kinds import FILE_KINDS, Container
from claim_intake.ocr.models import FileKind
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.sniff import sniff

MAX_SIDE = 2000
"""Enough to read a bill on a large screen; a 12-megapixel photo would be slow to send."""


def _pdf_page(data: bytes, number: int, dpi: int) -> Image.Image:
    pdf = pdfium.PdfDocument(data)
    try:
        if not 1 <= number <= len(pdf):
            raise NotFoundError(f"no page {number}")
        page = pdf[number - 1]
        # Rendered no larger than it is sent: a page declared metres wide is not a gigapixel bitmap.
        width, height = page.get_size()
        scale = min(dpi / 72, MAX_SIDE / max(width, height, 1))
        return page.render(scale=scale).to_pil()
    finally:
        pdf.close()


def _image_page(data: bytes, kind: FileKind, number: int, options: ReadOptions) -> Image.Image:
    # The decoder the reader used: same EXIF handling, transparency on white paper.
    for page in decode_image(data, kind, options.limits):
        if page.number == number:
            return Image.fromarray(page.image[:, :, ::-1])
    raise NotFoundError(f"no page {number}")


def render_page(data: bytes, number: int, options: ReadOptions) -> bytes:
    """Page ``number`` (1-based) of an upload as a JPEG."""
    kind = sniff(data)
    container = FILE_KINDS[kind].container
    if container is Container.pdf:
        image = _pdf_page(data, number, options.pdf_render_dpi)
    elif container is Container.ofd:
        raise NotFoundError("OFD pages are read as text; there is no image to show")
    else:
        image = _image_page(data, kind, number, options)
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    return buf.getvalue()
