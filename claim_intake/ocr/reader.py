"""The OCR stage's entry point: one upload's bytes -> a ReadResult."""

from __future__ import annotations

import time
from collections.abc import Callable

from claim_intake.ocr.decode import check_size
from claim_intake.ocr.engine import OcrEngine
from claim_intake.ocr.image_hash import page_hash
from claim_intake.ocr.kinds import FILE_KINDS
from claim_intake.ocr.models import Page, ReadResult
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.page_ocr import ocr_page
from claim_intake.ocr.sniff import sniff

EngineFactory = Callable[[], OcrEngine]


def read_bytes(data: bytes, options: ReadOptions, engine: EngineFactory) -> ReadResult:
    """Reads every page. The engine is only asked for when a page has no usable text layer."""
    started = time.perf_counter()
    kind = sniff(data)
    check_size(data, options.limits)
    decoded = FILE_KINDS[kind].pages(data, options)
    pages: list[Page] = []
    used = None
    for item in decoded:
        if isinstance(item, Page):
            pages.append(item)
        else:
            used = engine()
            page = ocr_page(item, used, options.preprocess)
            pages.append(page.model_copy(update={"image_hash": page_hash(item.image, [line.source_box for line in page.lines])}))
    return ReadResult(
        kind=kind,
        pages=tuple(pages),
        engine=used.info if used else None,
        seconds=time.perf_counter() - started,
    )
