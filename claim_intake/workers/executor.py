"""The embedded default's executor: a small thread pool in the service's own process, whose
threads hand the reading itself to a child process (``read_process``) so the API keeps its GIL.

Jobs are ids and every state lives in the database, so a job lost with the process (a crash, a
restart) is not lost for good: the service submits unfinished documents again when it starts, and
its reconciler finds those whose reader died. The documents' leases decide who reads: two
processes on one database never read the same document at once.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from claim_intake.errors import ClaimIntakeError
from claim_intake.ocr.engine import ConfiguredEngine
from claim_intake.workers.jobs import JobContext, assess_claim_job, give_up_reading, read_document
from claim_intake.workers.read_process import ChildProcessReader

log = logging.getLogger(__name__)


def _retryable(exc: BaseException) -> bool:
    return isinstance(exc, ClaimIntakeError) and exc.retryable


class InProcessExecutor:
    def __init__(self, ctx: JobContext, workers: int = 1, attempts: int = 3, backoff_s: float = 0.5) -> None:
        # The configured engine reads in child processes (an engine passed in, a test's, cannot).
        self._reader = None
        if ctx.read_options.child_process and isinstance(ctx.engine_factory, ConfiguredEngine):
            self._reader = ChildProcessReader(workers)
            ctx = replace(ctx, read=self._reader)
        self.ctx = ctx
        # One reading at a time per worker: OCR already uses every core it is given.
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="claim-intake-job")
        self._retry = Retrying(
            stop=stop_after_attempt(attempts),
            wait=wait_exponential(multiplier=backoff_s, max=30),
            retry=retry_if_exception(_retryable),
            reraise=True,
        )
        self._lock = threading.Lock()
        self._pending = 0

    @property
    def pending(self) -> int:
        """Jobs submitted and not finished: the queue depth."""
        with self._lock:
            return self._pending

    def submit_document(self, document_id: str) -> Future[None]:
        return self._submit(self._process_document, document_id)

    def submit_assessment(self, claim_id: str) -> Future[None]:
        return self._submit(self._assess, claim_id)

    def shutdown(self) -> None:
        """Finishes the job in hand; queued ones stay queued in the database for the next start."""
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

    def _process_document(self, document_id: str) -> None:
        # One holder for every try of this job: a retry takes back its own lease at once.
        holder = f"local-{uuid.uuid4().hex}"
        try:
            claim_id = self._retry(read_document, document_id, self.ctx, holder)
        except ClaimIntakeError as exc:
            log.warning("document %s could not be read: %s", document_id, exc.message)
            claim_id = give_up_reading(document_id, exc, self.ctx, holder)
        except Exception as exc:  # a bug must not leave the claim waiting forever
            log.exception("document %s: unexpected failure", document_id)
            claim_id = give_up_reading(document_id, ClaimIntakeError(f"internal error: {exc}"), self.ctx, holder)
        if claim_id:
            self._assess(claim_id)

    def _assess(self, claim_id: str) -> None:
        try:
            self._retry(assess_claim_job, claim_id, self.ctx)
        except Exception:
            # The claim stays 'processing' and is assessed again at the next start.
            log.exception("claim %s: assessment failed", claim_id)
