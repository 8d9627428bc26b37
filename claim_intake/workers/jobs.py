"""The service's pipeline jobs: plain functions of ids, whoever runs them.

The in-process executor calls them in the embedded default; a Celery task would call the very
same functions. They reach storage and the database only through the two protocols below, which
the intake package implements, so nothing here imports upwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from claim_intake.benefit.models import Claimant, Roster
from claim_intake.benefit.rules import BenefitRules
from claim_intake.ocr.options import ReadOptions
from claim_intake.ocr.reader import EngineFactory
from claim_intake.pipeline import (
    ClaimReport,
    FileError,
    FileReport,
    assess_claim,
    read_upload,
)
from claim_intake.validators.models import InvoiceRegistry
from claim_intake.validators.ruleset import RuleSet
from claim_intake.workers.leases import renewing


@dataclass(frozen=True)
class Upload:
    document_id: str
    claim_id: str
    filename: str
    storage_key: str
    attempts: int
    """Reads started on this document, this one included."""
    released_reads: int = 0
    """Of those, reads handed back through an outage: they did not die on the file."""


@dataclass(frozen=True)
class StoredFile:
    document_id: str
    report: FileReport


@dataclass(frozen=True)
class ClaimToAssess:
    claim_id: str
    claim_type: str
    claimant_name: str | None
    submitted_on: date
    files: tuple[StoredFile, ...]
    """Every document of the claim, in upload order."""
    registry: InvoiceRegistry
    roster: Roster | None = None
    claimant: Claimant = field(default_factory=Claimant)


@dataclass(frozen=True)
class StatusChanged:
    claim_id: str
    previous: str
    status: str


class JobStore(Protocol):
    def start_reading(self, document_id: str, holder: str, lease_s: float) -> Upload | None:
        """Leases the document to ``holder`` and counts the read; None when there is nothing to
        read (gone, done) or another holder's lease is still running. A holder may take back its
        own lease: a task delivered again after its process died has the same id."""
        ...

    def renew_lease(self, document_id: str, holder: str, lease_s: float) -> bool:
        """False when ``holder`` no longer holds the document."""
        ...

    def save_read(self, document_id: str, report: FileReport, holder: str) -> bool:
        """Stores what was read, if ``holder`` still holds the document; False otherwise (its
        lease ran out and the document was handed to another reader, whose result counts)."""
        ...

    def requeue(self, document_id: str, holder: str, lease_s: float, counted: bool = True) -> None:
        """Back to queued for a retry by the same holder, spoken for during ``lease_s``.
        ``counted`` False: the read was handed back through an outage, not lost on the file."""
        ...

    def fail_reading(self, document_id: str, error: FileError, holder: str) -> str | None:
        """Marks the document as failed unless another holder has it; returns its claim's id
        (None when it is gone or not this holder's)."""
        ...

    def claim_to_assess(self, claim_id: str) -> ClaimToAssess | None:
        """None while some of the claim's documents are still unread."""
        ...

    def save_assessment(self, claim: ClaimToAssess, report: ClaimReport) -> StatusChanged | None:
        """Stores findings and status; returns the change, if the status changed. Does nothing
        when documents arrived since ``claim`` was loaded: their reading assesses again."""
        ...


class Blobs(Protocol):
    def get(self, key: str) -> bytes: ...


@dataclass(frozen=True)
class JobContext:
    store: JobStore
    blobs: Blobs
    read_options: ReadOptions
    engine_factory: EngineFactory
    rule_set: Callable[[str], RuleSet]
    on_status_change: Callable[[StatusChanged], None] = field(default=lambda change: None)
    lease_s: float = 60.0
    """How long a reader's lease runs between renewals (``QueueOptions.lease_s``)."""
    max_reads: int = 5
    """``QueueOptions.max_reads``."""
    read: Callable[[str, bytes, ReadOptions, EngineFactory], FileReport] = read_upload
    """How one upload is read: in this thread, or handed to a child process (the embedded executor)."""
    benefit_rules: Callable[[], BenefitRules] | None = None
    """The programme's benefit rules: claims are matched to the roster and get an estimate."""


def read_document(document_id: str, ctx: JobContext, holder: str) -> str | None:
    """Reads one stored upload and saves what was found, holding the document's lease as
    ``holder`` (a task id) meanwhile. Returns its claim's id, or None when there was nothing to
    do. Errors propagate for the runner to decide on with the reading policy (``policy``);
    ``give_up_reading`` records the outcome once the runner stops trying."""
    upload = ctx.store.start_reading(document_id, holder, ctx.lease_s)
    if upload is None:
        return None
    # Reads started before this one that neither finished nor were handed back through an outage.
    died = upload.attempts - upload.released_reads - 1
    if died >= ctx.max_reads:
        abandoned = FileError(
            code="unreadable_file",
            reason="read_abandoned",
            message=f"reading this file failed {died} times (the reader was stopped each time)",
        )
        return ctx.store.fail_reading(document_id, abandoned, holder)
    with renewing(lambda: ctx.store.renew_lease(document_id, holder, ctx.lease_s), every_s=ctx.lease_s / 3):
        data = ctx.blobs.get(upload.storage_key)
        report = ctx.read(upload.filename, data, ctx.read_options, ctx.engine_factory)
    return upload.claim_id if ctx.store.save_read(document_id, report, holder) else None


def give_up_reading(document_id: str, error: FileError, ctx: JobContext, holder: str) -> str | None:
    """Records a document that could not be read even after retries (``error``: the reading
    policy's verdict), so that its claim is assessed instead of waiting forever. Returns the
    claim id."""
    return ctx.store.fail_reading(document_id, error, holder)


def assess_claim_job(claim_id: str, ctx: JobContext) -> StatusChanged | None:
    """Assesses the claim over all its documents once every one of them has been read."""
    claim = ctx.store.claim_to_assess(claim_id)
    if claim is None:
        return None
    report = assess_claim(
        tuple(f.report for f in claim.files),
        ctx.rule_set(claim.claim_type),
        claimant_name=claim.claimant_name,
        submitted_on=claim.submitted_on,
        registry=claim.registry,
        roster=claim.roster,
        claimant=claim.claimant,
        benefit_rules=ctx.benefit_rules() if ctx.benefit_rules else None,
    )
    change = ctx.store.save_assessment(claim, report)
    if change is not None:
        ctx.on_status_change(change)
    return change

