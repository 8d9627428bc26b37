"""Uploads -> pages: decoded images for OCR, or pages read from a PDF's text layer."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pdfplumber
import pillow_heif
import pypdfium2 as pdfium
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from claim_intake.errors import (
    CorruptFileError,
    EncryptedPdfError,
    FileTooLargeError,
    TooManyPagesError,
    TooManyPixelsError,
)
from claim_intake.ocr.models import FileKind, Page, Transform, text_layer_page
from claim_intake.ocr.options import Limits, ReadOptions

_EXIF_ORIENTATION = 0x0112

# Teaches Pillow to open HEIC/HEIF, the default photo format of iPhones.
pillow_heif.register_heif_opener()


@dataclass(frozen=True)
class PageImage:
    """A page that still needs OCR: BGR pixels, as OpenCV and the PP-OCR models expect."""

    number: int
    image: np.ndarray
    transforms: tuple[Transform, ...]
    decode_seconds: float


def check_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_file_bytes:
        raise FileTooLargeError(
            f"the file is {len(data) / 1e6:.1f} MB; the limit is {limits.max_file_bytes / 1e6:.1f} MB"
        )


def _check_pixels(width: int, height: int, limits: Limits, page: int) -> None:
    if width * height > limits.max_pixels:
        raise TooManyPixelsError(
            f"page {page} is {width}x{height} pixels; the limit is {limits.max_pixels} pixels"
        )


def _to_bgr(img: Image.Image) -> np.ndarray:
    # Transparent regions of screenshots and PNG exports are white paper, not black.
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    rgb = np.asarray(img.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def decode_image(data: bytes, kind: FileKind, limits: Limits) -> Iterator[PageImage]:
    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise TooManyPixelsError(f"the image is too large to decode safely: {exc}") from exc
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise CorruptFileError(f"the image cannot be decoded: {exc}") from exc
    # A TIFF scan may hold several pages; an animated GIF or a HEIF burst shows its first frame.
    frames = ImageSequence.Iterator(img) if kind is FileKind.tiff else [img]
    for number, frame in enumerate(frames, start=1):
        if number > limits.max_pages:
            raise TooManyPagesError(f"the file has more than {limits.max_pages} pages")
        started = time.perf_counter()
        # The header gives the size without decoding pixels: refuse bombs before they expand.
        _check_pixels(*frame.size, limits, number)
        transforms: list[Transform] = []
        try:
            orientation = frame.getexif().get(_EXIF_ORIENTATION, 1)
            if orientation != 1:
                frame = ImageOps.exif_transpose(frame)
                transforms.append(Transform(name="exif_orientation", params={"orientation": orientation}))
            bgr = _to_bgr(frame)
        except (OSError, ValueError, SyntaxError) as exc:
            raise CorruptFileError(f"page {number} of the image cannot be decoded: {exc}") from exc
        yield PageImage(number, bgr, tuple(transforms), time.perf_counter() - started)


def _readable_chars(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def decode_pdf(data: bytes, options: ReadOptions) -> Iterator[Page | PageImage]:
    limits = options.limits
    scale = options.pdf_render_dpi / 72
    try:
        rendered = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedPdfError(
                "the PDF is protected by a password; upload it without the password"
            ) from exc
        raise CorruptFileError(f"the PDF cannot be opened: {exc}") from exc
    try:
        if len(rendered) == 0:
            raise CorruptFileError("the PDF has no pages")
        if len(rendered) > limits.max_pages:
            raise TooManyPagesError(
                f"the PDF has {len(rendered)} pages; the limit is {limits.max_pages}"
            )
        with pdfplumber.open(io.BytesIO(data)) as text_doc:
            for index, text_page in enumerate(text_doc.pages):
                number = index + 1
                started = time.perf_counter()
                width = round(float(text_page.width) * scale)
                height = round(float(text_page.height) * scale)
                _check_pixels(width, height, limits, number)
                text_lines = text_page.extract_text_lines(return_chars=False)
                if _readable_chars("".join(t["text"] for t in text_lines)) >= options.text_layer_min_chars:
                    yield text_layer_page(
                        number,
                        (width, height),
                        (
                            (t["text"], t["x0"] * scale, t["top"] * scale, t["x1"] * scale, t["bottom"] * scale)
                            for t in text_lines
                        ),
                        time.perf_counter() - started,
                    )
                    continue
                bitmap = rendered[index].render(scale=scale).to_pil()
                transform = Transform(name="pdf_render", params={"dpi": options.pdf_render_dpi})
                yield PageImage(
                    number, _to_bgr(bitmap), (transform,), time.perf_counter() - started
                )
    except (pdfium.PdfiumError, ValueError, KeyError, TypeError) as exc:
        raise CorruptFileError(f"the PDF cannot be read: {exc}") from exc
    finally:
        rendered.close()
