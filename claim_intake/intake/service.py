"""The service's parts, wired once from settings: database, object store, executor, webhooks."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

import anyio
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from claim_intake.intake.distributed import dispatcher
from claim_intake.intake.erasure import housekeeping
from claim_intake.intake.lifecycle import UNREAD
from claim_intake.intake.member.notify import Notifier, notifier_from
from claim_intake.intake.metrics import Metrics
from claim_intake.intake.settings import Settings
from claim_intake.intake.store import migrate
from claim_intake.intake.store.db import ClaimRow, DocumentRow, make_sessions, open_service_database
from claim_intake.intake.store.jobs import SqlJobStore
from claim_intake.intake.store.objects import ObjectStore, open_store
from claim_intake.intake.webhooks import WebhookDispatcher
from claim_intake.ocr.reader import EngineFactory
from claim_intake.workers.dispatch import CeleryDispatcher
from claim_intake.workers.executor import InProcessExecutor
from claim_intake.workers.jobs import JobContext, StatusChanged
from claim_intake.workers.reconcile import Periodic, reconcile

log = logging.getLogger(__name__)
T = TypeVar("T")

ASSESSMENT_WAIT_S = 5.0


@dataclass
class Service:
    settings: Settings
    db: Engine
    """The database (``engine`` is the OCR engine everywhere else)."""
    sessions: sessionmaker[Session]
    store: ObjectStore
    metrics: Metrics
    executor: InProcessExecutor | CeleryDispatcher
    """In-process reading (no broker configured), or enqueueing for ``claim-intake worker``."""
    webhooks: WebhookDispatcher
    zone: ZoneInfo
    jobs: SqlJobStore
    beat: list[Periodic] = field(default_factory=list)
    """The embedded mode's own reconciler and housekeeping (retention, orphan sweep); with a
    broker, ``claim-intake beat`` schedules them on the workers."""
    notifier: Notifier | None = None
    """Messages to members (``intake/member``)."""
    status_listeners: list[Callable[[StatusChanged], None]] = field(default_factory=list)
    """Called with every committed status change, after the webhooks (the member notices)."""

    @functools.cached_property
    def upload_threads(self) -> anyio.CapacityLimiter:
        """The threads that store uploads and record them (``settings.upload_threads``)."""
        return anyio.CapacityLimiter(self.settings.upload_threads)

    async def in_upload_thread(self, work: Callable[[], T]) -> T:
        """The blocking part of an upload request (screening, storing, recording), in one of the
        upload threads. Twenty uploads stored at once in twenty threads fought each other and the
        event loop for the GIL: a burst was acknowledged sooner with three."""
        return await anyio.to_thread.run_sync(work, limiter=self.upload_threads)

    def start(self) -> None:
        if self.settings.migrate_on_start:
            migrate.upgrade(self.db)
        if isinstance(self.executor, InProcessExecutor):
            self.executor.start()
        self.recover()
        for periodic in self.beat:
            periodic.start()

    def stop(self) -> None:
        for periodic in self.beat:
            periodic.stop()
        self.executor.shutdown()
        self.webhooks.shutdown()
        self.db.dispose()

    def recover(self) -> None:
        """Nothing accepted is lost: documents a previous process left unread are read again,
        and claims it left unassessed are assessed."""
        with self.sessions() as session:
            documents = list(session.scalars(
                select(DocumentRow.id).join(ClaimRow).where(DocumentRow.status.in_(UNREAD))
                .order_by(ClaimRow.created_at, DocumentRow.position)
            ))
        claims = self.jobs.unassessed_claims()
        if documents or claims:
            log.info("recovering %d unread document(s), %d unassessed claim(s)", len(documents), len(claims))
        for document_id in documents:
            self.executor.submit_document(document_id)
        for claim_id in claims:
            self.executor.submit_assessment(claim_id)

    def publish(self, change: StatusChanged | None) -> None:
        """A committed status change, to the organisation's webhooks."""
        if change is not None:
            self.webhooks.status_changed(change)
            for listener in self.status_listeners:
                listener(change)

    def reassess(self, claim_id: str, change: StatusChanged | None) -> None:
        """Has a reviewed claim (a correction, a waiver) assessed by whoever assesses claims (the
        embedded executor, or a worker through the broker). The embedded executor answers with a
        Future: it is waited for a moment, as an assessment only weighs stored fields, so that the
        page after the action shows its outcome; otherwise the claim page refreshes itself while
        the claim is processing."""
        self.publish(change)
        done = self.executor.submit_assessment(claim_id)
        if isinstance(done, Future):
            try:
                done.result(timeout=ASSESSMENT_WAIT_S)
            except TimeoutError:
                pass  # the executor is busy reading: the claim page polls

def build_service(settings: Settings, engine_factory: EngineFactory | None = None) -> Service:
    """``engine_factory`` replaces the configured OCR engine (tests pass a fake one)."""
    settings.benefit()  # a broken benefit rule file stops the service here, not each assessment
    db = open_service_database(settings)
    sessions = make_sessions(db)
    store = open_store(settings)
    metrics = Metrics()
    webhooks = WebhookDispatcher(sessions, settings, metrics)
    job_store = SqlJobStore(sessions, metrics)
    listeners: list[Callable[[StatusChanged], None]] = []

    def status_changed(change: StatusChanged) -> None:
        webhooks.status_changed(change)
        for listener in listeners:
            listener(change)

    ctx = JobContext(
        store=job_store,
        blobs=store,
        read_options=settings.read,
        engine_factory=engine_factory or settings.engine_factory(),
        rule_set=settings.rule_set,
        benefit_rules=settings.benefit,
        on_status_change=status_changed,
        lease_s=settings.queue.lease_s,
        max_reads=settings.queue.max_reads,
    )
    if settings.broker_url:
        executor: InProcessExecutor | CeleryDispatcher = dispatcher(settings, job_store)
        beat = []
    else:
        executor = InProcessExecutor(ctx, settings.read_policy(), workers=settings.read_workers)
        # Picks up documents whose reader died in another process on the same database.
        beat = [
            Periodic("reconciler", lambda: reconcile(job_store, executor.submit_document, executor.submit_assessment,
                                                     settings.queue.queue_lease_s), settings.queue.reconcile_every_s),
            Periodic("housekeeping", functools.partial(housekeeping, sessions, store, settings),
                     settings.queue.housekeeping_every_s),
        ]
    metrics.watch_queue(lambda: executor.pending)
    notifier = notifier_from(settings.notifier, settings.notifier_webhook_url, settings.webhook_timeout_s)
    return Service(settings, db, sessions, store, metrics, executor, webhooks, ZoneInfo(settings.timezone),
                   job_store, beat, notifier, listeners)
