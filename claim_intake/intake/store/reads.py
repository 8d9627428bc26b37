"""Stored documents back into the pipeline's types: what an assessment, the API and the console
read, with the fields staff corrected in place of what was extracted."""

from __future__ import annotations

from claim_intake.extract.models import Document, Field
from claim_intake.intake.corrections import apply_corrections
from claim_intake.intake.store.db import DocumentRow
from claim_intake.pipeline import FileError, FileReport


def file_report(row: DocumentRow) -> FileReport:
    """A stored document as the pipeline's FileReport (pages' text is not needed)."""
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
    return FileReport(file=row.filename, documents=documents, seconds=row.read_seconds or 0.0)
