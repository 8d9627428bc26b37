"""The embedded default's executor: a small thread pool in the service's own process, whose
threads hand the reading itself to a child process (``read_process``) so the API keeps its GIL.

Jobs are ids and every state lives in the database, so a job lost with the process (a crash, a
restart) is not lost for good: the service submits unfinished documents again when it starts, and
its reconciler finds those whose reader died. The documents' leases decide who reads: two
processes on one database never read the same document at once. What a failed read leads to is
the reading policy's (``policy``), the same as for the Celery tasks; here it is carried out with
tenacity, waiting in the job's own thread.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

from tenacity import RetryCallState, Retrying

from claim_intake.ocr.engine import ConfiguredEngine
from claim_intake.workers.jobs import JobContext, assess_claim_job, give_up_reading, read_document
from claim_intake.workers.policy import INTERNAL_ERROR, UNAVAILABLE, Action, ReadPolicy
from claim_intake.workers.read_process import ChildProcessReader

log = logging.getLogger(__name__)


class InProcessExecutor:
    def __init__(self, ctx: JobContext, policy: ReadPolicy, workers: int = 1) -> None:
        # The configured engine reads in child processes (an engine passed in, a test's, cannot).
        self._reader = None
        if ctx.read_options.child_process and isinstance(ctx.engine_factory, ConfiguredEngine):
            self._reader = ChildProcessReader(workers)
            ctx = replace(ctx, read=self._reader)
        self.ctx = ctx
        self.policy = policy
        # One reading at a time per worker: OCR already uses every core it is given.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="claim-intake-job")
        self._lock = threading.Lock()
        self._pending = 0
        self._stopping = threading.Event()

    @property
    def pending(self) -> int:
        """Jobs submitted and not finished: the queue depth."""
        with self._lock:
            return self._pending

    def start(self) -> None:
        """Starts the reading processes, if any, before the first upload needs them."""
        if self._reader is not None:
            self._reader.start()

    def submit_document(self, document_id: str) -> Future[None]:
        return self._submit(self._process_document, document_id)

    def submit_assessment(self, claim_id: str) -> Future[None]:
        return self._submit(self._assess, claim_id)

    def shutdown(self) -> None:
        """Finishes the job in hand (a job waiting out an outage stops waiting); queued ones stay
        queued in the database for the next start."""
        self._stopping.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._reader is not None:
            self._reader.shutdown()

    def _submit(self, job: object, arg: str) -> Future[None]:
        with self._lock:
            self._pending += 1
        future = self._pool.submit(job, arg)  # type: ignore[arg-type]
        future.add_done_callback(self._done)
        return future

    def _done(self, _future: Future[None]) -> None:
        with self._lock:
            self._pending -= 1

    def _retrying(self) -> Retrying:
        """Tries again for as long as the reading policy says (or until shutdown)."""

        def retry(state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            return (exc is not None and not self._stopping.is_set()
                    and self.policy.decide(exc, state.attempt_number).action is Action.retry)

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.policy.decide(exc, state.attempt_number).wait_s if exc else 0.0

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning("%s; trying again in %.1f s", exc, state.upcoming_sleep)

        return Retrying(retry=retry, wait=wait, before_sleep=before_sleep, sleep=self._stopping.wait, reraise=True)

    def _process_document(self, document_id: str) -> None:
        # One holder for every try of this job: a retry takes back its own lease at once.
        holder = f"local-{uuid.uuid4().hex}"
        owed_release = False  # a read handed back through an outage, once the database answers
        claim_id = None
        try:
            for attempt in self._retrying():
                with attempt:
                    if owed_release:
                        self.ctx.store.requeue(document_id, holder, self.ctx.lease_s, counted=False)
                        owed_release = False
                    try:
                        claim_id = read_document(document_id, self.ctx, holder)
                    except UNAVAILABLE:
                        owed_release = True
                        raise
        except Exception as exc:
            decision = self.policy.decide(exc, self.policy.attempts)
            if decision.action is Action.retry or decision.error is None:
                return  # shut down mid-outage: the next start reads it
            if decision.error.code == INTERNAL_ERROR:
                log.exception("document %s: unexpected failure", document_id)
            else:
                log.warning("document %s could not be read: %s", document_id, exc)
            claim_id = give_up_reading(document_id, decision.error, self.ctx, holder)
        if claim_id:
            self._assess(claim_id)

    def _assess(self, claim_id: str) -> None:
        try:
            self._retrying()(assess_claim_job, claim_id, self.ctx)
        except Exception:
            # The claim stays 'processing' and is assessed again at the next start.
            log.exception("claim %s: assessment failed", claim_id)
