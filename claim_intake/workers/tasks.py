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
from datetime import UTC, datetime
from typing import Any

from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_received

from claim_intake.errors import ClaimIntakeError, ReadTimeoutError
from claim_intake.workers import jobs
from claim_intake.workers.celery_app import (
    ASSESS_CLAIM,
    DELIVER_WEBHOOKS,
    HOUSEKEEPING,
    NOTIFY_MEMBERS,
    READ_DOCUMENT,
    RECONCILE,
    WEBHOOK_QUEUE,
)
from claim_intake.workers.dispatch import CeleryDispatcher, HandOut
from claim_intake.workers.options import QueueOptions
from claim_intake.workers.policy import INTERNAL_ERROR, UNAVAILABLE, Action, ReadPolicy
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
    notify_members: Callable[[jobs.StatusChanged], None]
    """Tells the claim's member, when the change concerns them (``intake.member.claims.MemberNotices``)."""
    housekeeping: Callable[[], None]
    """Retention and the orphan sweep (``intake.erasure``)."""


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


MarkReceived = Callable[[str, str, float], object]
"""(document_id, task_id, lease_s): a worker took the document's message (``SqlJobStore.mark_received``)."""


def _seconds_until(eta: Any) -> float:
    """The wait before a message's ETA (a retry's countdown), as Celery gives it (datetime or ISO text)."""
    if not eta:
        return 0.0
    at = eta if isinstance(eta, datetime) else datetime.fromisoformat(str(eta))
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return max(0.0, (at - datetime.now(UTC)).total_seconds())


def watch_receipts(app: Celery, mark_received: MarkReceived, options: QueueOptions) -> None:
    """Marks each read message as taken the moment this worker's consumer receives it (before a
    pool process starts it). Between that instant and the reader's own lease the document is
    otherwise held by the hand-out's queue lease (30 min): a worker killed there would leave it
    waiting that long. Runs in the worker's parent process; a failure only loses the shortcut."""

    def received(sender: Any = None, request: Any = None, **_: Any) -> None:
        if request is None or request.name != READ_DOCUMENT or getattr(sender, "app", app) is not app:
            return
        try:
            mark_received(request.args[0], request.id, options.lease_s + _seconds_until(request.eta))
        except Exception:  # the database away: the queue lease still bounds the wait
            log.warning("could not mark document %s as received", request.args[:1], exc_info=True)

    task_received.connect(received, weak=False)


def register_tasks(app: Celery, build_parts: Callable[[], WorkerParts], options: QueueOptions,
                   policy: ReadPolicy) -> None:
    parts = _PerProcess(build_parts)

    def dispatcher() -> CeleryDispatcher:
        return CeleryDispatcher(app, parts().hand_out, options)

    def announce(change: jobs.StatusChanged) -> None:
        """A committed change, to the organisation's webhooks and the claim's member: both wait
        on receivers, so both go to the webhook queue, not the reader's way."""
        for task in (DELIVER_WEBHOOKS, NOTIFY_MEMBERS):
            app.send_task(task, args=[change.claim_id, change.previous, change.status], queue=WEBHOOK_QUEUE)

    def job_context() -> jobs.JobContext:
        return dataclasses.replace(parts().jobs, on_status_change=announce)

    @app.task(name=READ_DOCUMENT, bind=True, max_retries=None)
    def read_document(self: Task, document_id: str, owed_release: bool = False) -> None:
        """``owed_release``: an earlier try was handed back through an outage that also kept the
        database from recording it; recorded now, so that it is not counted as a failed read."""
        ctx = job_context()
        holder = self.request.id  # a retry keeps its task id, and so its lease
        try:
            if owed_release:
                ctx.store.requeue(document_id, holder, options.lease_s, counted=False)
            claim_id = jobs.read_document(document_id, ctx, holder)
        except Exception as exc:
            if isinstance(exc, SoftTimeLimitExceeded):
                exc = ReadTimeoutError(f"reading took longer than {options.soft_time_limit_s:.0f} s")
            decision = policy.decide(exc, self.request.retries + 1)
            if decision.action is Action.retry:
                log.warning("document %s: %s; retrying in %.0f s", document_id, exc, decision.wait_s)
                owed = False
                try:
                    ctx.store.requeue(document_id, holder, decision.wait_s + options.lease_s, decision.counted)
                except UNAVAILABLE:
                    owed = not decision.counted
                raise self.retry(exc=exc, countdown=decision.wait_s,
                                 args=[document_id], kwargs={"owed_release": owed}) from exc
            assert decision.error is not None
            if decision.error.code == INTERNAL_ERROR:
                log.exception("document %s: unexpected failure", document_id)
            else:
                log.warning("document %s could not be read: %s", document_id, exc)
            claim_id = jobs.give_up_reading(document_id, decision.error, ctx, holder)
        if claim_id:
            # Assessed here rather than queued behind every document still waiting to be read:
            # a claim is complete as soon as its last document is (it takes milliseconds).
            try:
                jobs.assess_claim_job(claim_id, ctx)
            except ClaimIntakeError as exc:
                if not exc.retryable:
                    raise
                dispatcher().submit_assessment(claim_id)

    @app.task(name=ASSESS_CLAIM, bind=True, max_retries=None)
    def assess_claim(self: Task, claim_id: str) -> None:
        try:
            jobs.assess_claim_job(claim_id, job_context())
        except Exception as exc:
            decision = policy.decide(exc, self.request.retries + 1)
            if decision.action is not Action.retry:
                raise  # the claim stays processing; the reconciler sends it again
            raise self.retry(exc=exc, countdown=decision.wait_s) from exc

    @app.task(name=DELIVER_WEBHOOKS)
    def deliver_webhooks(claim_id: str, previous: str, status: str) -> None:
        parts().deliver_webhooks(jobs.StatusChanged(claim_id, previous, status))

    @app.task(name=NOTIFY_MEMBERS)
    def notify_members(claim_id: str, previous: str, status: str) -> None:
        parts().notify_members(jobs.StatusChanged(claim_id, previous, status))

    @app.task(name=HOUSEKEEPING)
    def housekeeping() -> None:
        parts().housekeeping()

    @app.task(name=RECONCILE)
    def reconcile_lost_work() -> None:
        sender = dispatcher()
        reconcile(parts().lost_work, sender.submit_document, sender.submit_assessment, options.queue_lease_s)
