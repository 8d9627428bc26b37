"""The Celery app: configuration only. Tasks are in ``tasks``; wiring to the database and
storage is the intake package's (``claim_intake.intake.distributed``).

Messages are JSON and carry ids (documents, claims), never bytes or pickles: a worker fetches the
upload from object storage by the key the database gives it.
"""

from __future__ import annotations

from celery import Celery

from claim_intake.workers.options import QueueOptions

QUEUE = "claim_intake"
WEBHOOK_QUEUE = "claim_intake.webhooks"
"""Deliveries wait on receivers (timeouts, retries): on their own queue and workers
(``claim-intake webhook-worker``), a dead receiver takes no reading slot. The members' notices
go there too (their channel may be the organisation's SMS gateway)."""
READ_DOCUMENT = "claim_intake.read_document"
ASSESS_CLAIM = "claim_intake.assess_claim"
DELIVER_WEBHOOKS = "claim_intake.deliver_webhooks"
NOTIFY_MEMBERS = "claim_intake.notify_members"
RECONCILE = "claim_intake.reconcile"
HOUSEKEEPING = "claim_intake.housekeeping"


def create_celery(broker_url: str, options: QueueOptions) -> Celery:
    app = Celery("claim_intake", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,  # state lives in the database; nothing reads results
        task_default_queue=QUEUE,
        # A task is acknowledged when it ends, not when it starts, and one that died with its
        # process goes back to the queue: a killed reader's document is not lost.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # Reads take seconds: a worker holds one message per free process, not a batch that
        # another idle worker could have taken.
        worker_prefetch_multiplier=1,
        task_soft_time_limit=options.soft_time_limit_s,
        task_time_limit=options.time_limit_s,
        worker_max_memory_per_child=options.max_memory_per_child_mb * 1024,  # KiB
        # Redis redelivers an unacknowledged message after this: longer than any task plus its
        # longest retry wait, so that a running task is never delivered twice.
        broker_transport_options={
            "visibility_timeout": int(max(3600, 2 * (options.time_limit_s + options.retry_backoff_max_s))),
        },
        broker_connection_retry_on_startup=True,
        # An API request must hear "broker down" in about a second; the reconciler hands the
        # document out later.
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.3},
        beat_schedule={
            "reconcile": {"task": RECONCILE, "schedule": options.reconcile_every_s},
            "housekeeping": {"task": HOUSEKEEPING, "schedule": options.housekeeping_every_s},
        },
        worker_hijack_root_logger=False,
    )
    return app
