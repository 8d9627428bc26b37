"""The pipeline as plain functions: uploads -> read -> documents -> assessment.

Nothing here knows how it is run: the CLI calls it in-process; a task runner calls the same
functions with ids it resolved to bytes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import date

from pydantic import BaseModel, ConfigDict

from claim_intake.benefit.eligibility import evaluate
from claim_intake.benefit.models import Claimant, Eligibility, Roster
from claim_intake.benefit.rules import BenefitRules
from claim_intake.errors import ClaimIntakeError
from claim_intake.extract.documents import extract_documents
from claim_intake.extract.models import Document
from claim_intake.ocr.models import Page
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import EngineFactory, read_bytes
from claim_intake.validators.assess import assess
from claim_intake.validators.models import (
    Assessment,
    ClaimDocument,
    ClaimStatus,
    InvoiceRegistry,
    PoorImage,
    Severity,
    UnreadableFile,
)
from claim_intake.validators.ruleset import RuleSet

INTERNAL_ERROR = ClaimIntakeError.code
"""The code of a file that a bug, not the file, stopped from being read."""


class FileError(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    reason: str | None = None
    message: str


class FileReport(BaseModel):
    """One upload, read: its documents, or why it could not be read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str
    error: FileError | None = None
    documents: tuple[Document, ...] = ()
    pages: tuple[Page, ...] = ()
    seconds: float


class ClaimReport(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    files: tuple[FileReport, ...]
    documents: tuple[ClaimDocument, ...]
    assessment: Assessment
    eligibility: Eligibility | None = None
    """The roster's member, and the benefit estimate; None when no benefit rules were given."""


def read_upload(name: str, data: bytes, options: ReadOptions, engine: EngineFactory) -> FileReport:
    """Reads one upload. A file that cannot be read is reported, never raised: the others go on."""
    started = time.perf_counter()
    try:
        result = read_bytes(data, options, engine)
        documents = extract_documents(result.pages)
    except ClaimIntakeError as exc:
        if exc.retryable:
            raise
        return FileReport(
            file=name,
            error=FileError.model_validate(exc.to_dict()),
            seconds=time.perf_counter() - started,
        )
    return FileReport(
        file=name,
        documents=tuple(documents),
        pages=result.pages,
        seconds=time.perf_counter() - started,
    )


def assess_claim(
    files: Sequence[FileReport],
    rules: RuleSet,
    claimant_name: str | None = None,
    submitted_on: date | None = None,
    registry: InvoiceRegistry | None = None,
    roster: Roster | None = None,
    claimant: Claimant | None = None,
    benefit_rules: BenefitRules | None = None,
) -> ClaimReport:
    """The validators' assessment of the claim's documents and, given a ``roster`` and
    ``benefit_rules``, the member it is for and the benefit estimate (``eligibility``)."""
    documents = tuple(
        ClaimDocument(id=f"d{n}", file=file.file, document=document)
        for n, (file, document) in enumerate(
            ((f, d) for f in files for d in f.documents), start=1
        )
    )
    # A file a bug stopped from being read is staff's to look at (its document says so), not
    # the claimant's: it is no unreadable_file finding asking for a better photo.
    unreadable = tuple(
        UnreadableFile(file=f.file, code=f.error.reason or f.error.code, message=f.error.message)
        for f in files
        if f.error is not None and f.error.code != INTERNAL_ERROR
    )
    poor = tuple(
        PoorImage(file=f.file, page=p.number, defects=tuple(d.value for d in p.quality.defects))
        for f in files
        for p in f.pages
        if p.quality is not None and p.quality.defects
    )
    assessment = assess(rules, documents, unreadable, claimant_name, submitted_on, registry, poor)
    eligibility = None
    if benefit_rules is not None and roster is not None:
        who = claimant or Claimant()
        if claimant_name:
            who = who.model_copy(update={"name": claimant_name})
        eligibility = evaluate(roster, benefit_rules, assessment.claim_type, who, documents)
        assessment = _with(assessment, eligibility)
    return ClaimReport(files=tuple(files), documents=documents, assessment=assessment, eligibility=eligibility)


def _with(assessment: Assessment, eligibility: Eligibility) -> Assessment:
    """The assessment with the roster's findings after the validators' ones."""
    findings = assessment.findings + eligibility.findings
    open_ = any(f.severity in (Severity.blocking, Severity.follow_up) for f in eligibility.findings)
    status = ClaimStatus.needs_follow_up if open_ else assessment.status
    return assessment.model_copy(update={"findings": findings, "status": status})
