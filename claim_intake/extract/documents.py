"""The extraction stage's entry point: a file's pages -> typed documents."""

from __future__ import annotations

from collections.abc import Sequence

from claim_intake.extract.classify import group_pages
from claim_intake.extract.fields import extract_fields
from claim_intake.extract.models import Document
from claim_intake.extract.templates import builtin_templates
from claim_intake.ocr.models import Page


def extract_documents(pages: Sequence[Page]) -> list[Document]:
    templates = builtin_templates()
    documents = []
    for group in group_pages(pages):
        template = templates.get(group.doc_type)
        fields = extract_fields(template, group.pages) if template else {}
        documents.append(
            Document(
                doc_type=group.doc_type,
                confidence=group.confidence,
                pages=tuple(page.number for page in group.pages),
                fields=fields,
            )
        )
    return documents
