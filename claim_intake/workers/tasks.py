"""The Celery tasks: thin shells over the plain job functions of ``jobs``.

Each task is safe to run twice: the document's lease and status decide whether a read happens, a
claim is assessed only while it is processing, and a retry keeps its task id (and so its lease).
The database, storage and OCR engine are built lazily, once per worker process and after the
fork: prefork children must not share connections or ONNX sessions with their parent.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded

from claim_intake.errors import ClaimIntakeError, StorageUnavailableError
from claim_intake.workers import jobs
from claim_intake.workers.celery_app import (
    ASSESS_CLAIM,
    DELIVER_WEBHOOKS,
    QUEUE,
    READ_DOCUMENT,
    RECONCILE,
)
from claim_intake.workers.dispatch import CeleryDispatcher, HandOut
from claim_intake.workers.options import QueueOptions
from claim_intake.workers.reconcile import LostWork, reconcile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerParts:
    """What a worker process needs, built by the intake package from its settings."""

    jobs: jobs.JobContext
    lost_work: LostWork
    hand_out: HandOut
    deliver_webhooks: Callable[[jobs.StatusChanged], None]
    """Delivers synchronously, with its own retries."""


class _PerProcess:
    """Builds the parts on first use in each process (the parent of a prefork pool never does)."""

    def __init__(self, build: Callable[[], WorkerParts]) -> None:
        self._build = build
        self._parts: WorkerParts | None = None
        self._lock = threading.Lock()

    def __call__(self) -> WorkerParts:
        with self._lock:
            if self._parts is None:
                self._parts = self._build()
            return self._parts


def _retries_left(exc: ClaimIntakeError, retries: int, attempts: int) -> bool:
    # Storage unavailable is the store's fault, not the document's: retried until it is back,
    # rather than recording a good upload as unreadable. Other retryable errors get ``attempts``.
    return exc.retryable and (isinstance(exc, StorageUnavailableError) or retries + 1 < attempts)


def register_tasks(app: Celery, build_parts: Callable[[], WorkerParts], options: QueueOptions,
                   read_attempts: int) -> None:
    parts = _PerProcess(build_parts)

    def dispatcher() -> CeleryDispatcher:
        return CeleryDispatcher(app, parts().hand_out, options)

    def send_webhooks(change: jobs.StatusChanged) -> None:
        app.send_task(DELIVER_WEBHOOKS, args=[change.claim_id, change.previous, change.status], queue=QUEUE)

    def job_context() -> jobs.JobContext:
        return dataclasses.replace(parts().jobs, on_status_change=send_webhooks)

    @app.task(name=READ_DOCUMENT, bind=True, max_retries=None)
    def read_document(self: Task, document_id: str) -> None:
        ctx = job_context()
        holder = self.request.id
        try:
            claim_id = jobs.read_document(document_id, ctx, holder)
        except ClaimIntakeError as exc:
            if _retries_left(exc, self.request.retries, read_attempts):
                wait = options.backoff_s(self.request.retries)
                log.warning("document %s: %s; retrying in %.0f s", document_id, exc.message, wait)
                ctx.store.requeue(document_id, holder, wait + options.lease_s)
                raise self.retry(exc=exc, countdown=wait) from exc
            log.warning("document %s could not be read: %s", document_id, exc.message)
            claim_id = jobs.give_up_reading(document_id, exc, ctx, holder)
        except SoftTimeLimitExceeded:
            error = ClaimIntakeError(f"reading took longer than {options.soft_time_limit_s:.0f} s")
            claim_id = jobs.give_up_reading(document_id, error, ctx, holder)
        except Exception as exc:  # a bug must not leave the claim waiting forever
            log.exception("document %s: unexpected failure", document_id)
            claim_id = jobs.give_up_reading(document_id, ClaimIntakeError(f"internal error: {exc}"), ctx, holder)
        if claim_id:
            # Assessed here rather than queued behind every document still waiting to be read:
            # a claim is complete as soon as its last document is (it takes milliseconds).
            try:
                jobs.assess_claim_job(claim_id, ctx)
            except ClaimIntakeError as exc:
                if not exc.retryable:
                    raise
                dispatcher().submit_assessment(claim_id)

    @app.task(name=ASSESS_CLAIM, bind=True, max_retries=read_attempts - 1)
    def assess_claim(self: Task, claim_id: str) -> None:
        try:
            jobs.assess_claim_job(claim_id, job_context())
        except ClaimIntakeError as exc:
            if not exc.retryable:
                raise
            raise self.retry(exc=exc, countdown=options.backoff_s(self.request.retries)) from exc

    @app.task(name=DELIVER_WEBHOOKS)
    def deliver_webhooks(claim_id: str, previous: str, status: str) -> None:
        parts().deliver_webhooks(jobs.StatusChanged(claim_id, previous, status))

    @app.task(name=RECONCILE)
    def reconcile_lost_work() -> None:
        sender = dispatcher()
        reconcile(parts().lost_work, sender.submit_document, sender.submit_assessment, options.queue_lease_s)
