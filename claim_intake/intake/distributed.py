"""Wires the Celery app (``claim_intake.workers``) to this package's database, object storage
and webhooks, for ``claim-intake worker``, ``claim-intake beat`` and the API's enqueueing."""

from __future__ import annotations

import functools
import os

from celery import Celery

from claim_intake.errors import ConfigurationError
from claim_intake.intake.erasure import housekeeping
from claim_intake.intake.member.claims import MemberNotices
from claim_intake.intake.member.links import StatusUrl
from claim_intake.intake.member.notify import notifier_from
from claim_intake.intake.metrics import Metrics
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.db import make_sessions, open_service_database
from claim_intake.intake.store.jobs import SqlJobStore
from claim_intake.intake.store.objects import open_store
from claim_intake.intake.webhooks import WebhookDispatcher
from claim_intake.workers.celery_app import create_celery
from claim_intake.workers.dispatch import CeleryDispatcher
from claim_intake.workers.jobs import JobContext
from claim_intake.workers.reconcile import Reconciled, reconcile
from claim_intake.workers.tasks import WorkerParts, register_tasks, watch_receipts


def broker_url(settings: Settings) -> str:
    if not settings.broker_url:
        raise ConfigurationError("CLAIM_INTAKE_BROKER_URL is not set: workers need a broker (redis://...)")
    return settings.broker_url


def per_process_threads(settings: Settings, processes: int) -> Settings:
    """ONNX Runtime threads per process when not set: the cores shared out, so that
    processes x threads <= cores (more only makes them fight over the same cores)."""
    rapidocr = settings.read.rapidocr
    if rapidocr.threads:
        return settings
    threads = max(1, (os.cpu_count() or 1) // processes)
    read = settings.read.model_copy(update={"rapidocr": rapidocr.model_copy(update={"threads": threads})})
    return settings.model_copy(update={"read": read})


def worker_parts(settings: Settings) -> WorkerParts:
    """Called in each worker process on its first task: its database connections and OCR engine are its own."""
    settings.benefit()  # a broken benefit rule file is named here, not on each assessment
    sessions = make_sessions(open_service_database(settings))
    metrics = Metrics()
    store = SqlJobStore(sessions, metrics)
    webhooks = WebhookDispatcher(sessions, settings, metrics)
    blobs = open_store(settings)
    ctx = JobContext(
        store=store,
        blobs=blobs,
        read_options=settings.read,
        engine_factory=settings.engine_factory(),
        rule_set=settings.rule_set,
        benefit_rules=settings.benefit,
        lease_s=settings.queue.lease_s,
        max_reads=settings.queue.max_reads,
    )
    # The API's notifier and status links, from the same settings: the same outbox, links the
    # member pages open (the console secret must be the API's: CLAIM_INTAKE_CONSOLE_SECRET).
    notices = MemberNotices(sessions, notifier_from(settings.notifier, settings.notifier_webhook_url,
                                                    settings.webhook_timeout_s), StatusUrl.of(settings))
    return WorkerParts(jobs=ctx, lost_work=store, hand_out=store.hand_out, deliver_webhooks=webhooks.deliver,
                       notify_members=notices.status_changed,
                       housekeeping=functools.partial(housekeeping, sessions, blobs, settings))


def celery_app(settings: Settings) -> Celery:
    app = create_celery(broker_url(settings), settings.queue)
    register_tasks(app, lambda: worker_parts(settings), settings.queue, settings.read_policy())
    # The worker's parent marks receipts: no pooled connection there, its children fork later.
    receipts = SqlJobStore(make_sessions(open_service_database(settings, pooled=False)), Metrics())
    watch_receipts(app, receipts.mark_received, settings.queue)
    return app


def dispatcher(settings: Settings, store: SqlJobStore) -> CeleryDispatcher:
    """What the API enqueues through: sends task names and ids, registers no task."""
    return CeleryDispatcher(create_celery(broker_url(settings), settings.queue), store.hand_out, settings.queue)


def reconcile_once(settings: Settings) -> Reconciled:
    """One pass of the reconciler from this process (what beat schedules on the workers)."""
    db = open_service_database(settings)
    try:
        store = SqlJobStore(make_sessions(db), Metrics())
        sender = dispatcher(settings, store)
        try:
            return reconcile(store, sender.submit_document, sender.submit_assessment, settings.queue.queue_lease_s)
        finally:
            sender.shutdown()
    finally:
        db.dispose()
