"""Stored documents back into the pipeline's types: what an assessment, the API and the console
read, with the fields staff corrected in place of what was extracted."""

from __future__ import annotations

from claim_intake.extract.models import Document, Field
from claim_intake.intake.corrections import apply_corrections
from claim_intake.intake.store.db import DocumentRow, PageRow
from claim_intake.ocr.models import Page
from claim_intake.ocr.quality import ImageQuality
from claim_intake.pipeline import FileError, FileReport


def file_report(row: DocumentRow) -> FileReport:
    """A stored document as the pipeline's FileReport (pages' text is not needed; their quality
    is, for poor_image)."""
    if row.error is not None:
        return FileReport(file=row.filename, error=FileError.model_validate(row.error), seconds=0.0)
    fields: list[dict[str, Field]] = [{} for _ in row.parts]
    for f in row.fields:
        fields[f.part][f.name] = Field(
            value=f.value, raw=f.raw, confidence=f.confidence, page=f.page,
            box=tuple(f.box) if f.box else None,
        )
    apply_corrections(fields, row.corrections)
    documents = tuple(
        Document(doc_type=part["doc_type"], confidence=part["confidence"], pages=tuple(part["pages"]), fields=fields[n])
        for n, part in enumerate(row.parts)
    )
    return FileReport(file=row.filename, documents=documents, pages=tuple(_page(p) for p in row.pages),
                      seconds=row.read_seconds or 0.0)


def _page(row: PageRow) -> Page:
    return Page(number=row.number, width=row.width, height=row.height, source_width=row.source_width or row.width,
                source_height=row.source_height or row.height, source=row.source,
                quality=ImageQuality.model_validate(row.quality) if row.quality else None)
