"""The OCR stage's entry point: one upload's bytes -> a ReadResult."""

from __future__ import annotations

import time
from collections.abc import Callable

from claim_intake.ocr.decode import PageImage, check_size, decode_image, decode_pdf
from claim_intake.ocr.engine import OcrEngine
from claim_intake.ocr.models import FileKind, Page, PageSource, ReadResult, make_line
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.sniff import sniff

EngineFactory = Callable[[], OcrEngine]


def _ocr_page(page: PageImage, engine: OcrEngine) -> Page:
    height, width = page.image.shape[:2]
    started = time.perf_counter()
    raw = engine.recognise(page.image)
    ocr_seconds = time.perf_counter() - started
    lines = sorted(
        (make_line(text, conf, poly, width, height) for text, conf, poly in raw if text.strip()),
        key=lambda line: (line.box[1] + line.box[3], line.box[0]),
    )
    return Page(
        number=page.number,
        width=width,
        height=height,
        source=PageSource.ocr,
        transforms=page.transforms,
        lines=tuple(lines),
        timings={"decode": page.decode_seconds, "ocr": ocr_seconds},
    )


def read_bytes(data: bytes, options: ReadOptions, engine: EngineFactory) -> ReadResult:
    """Reads every page. The engine is only asked for when a page has no usable text layer."""
    started = time.perf_counter()
    kind = sniff(data)
    check_size(data, options.limits)
    decoded = (
        decode_pdf(data, options) if kind is FileKind.pdf else decode_image(data, kind, options.limits)
    )
    pages: list[Page] = []
    used = None
    for item in decoded:
        if isinstance(item, Page):
            pages.append(item)
        else:
            used = engine()
            pages.append(_ocr_page(item, used))
    return ReadResult(
        kind=kind,
        pages=tuple(pages),
        engine=used.info if used else None,
        seconds=time.perf_counter() - started,
    )
