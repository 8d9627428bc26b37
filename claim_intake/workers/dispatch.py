"""Handing jobs to Celery: what the API (and the reconciler) call instead of the in-process
executor when a broker is configured."""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable

from celery import Celery
from kombu.exceptions import OperationalError

from claim_intake.workers.celery_app import ASSESS_CLAIM, QUEUE, READ_DOCUMENT
from claim_intake.workers.options import QueueOptions

log = logging.getLogger(__name__)

HandOut = Callable[[str, str, float], bool]
"""(document_id, task_id, lease_s) -> whether the document was free to hand out."""


class CeleryDispatcher:
    def __init__(self, app: Celery, hand_out: HandOut, options: QueueOptions) -> None:
        self._app = app
        self._hand_out = hand_out
        self._options = options

    def submit_document(self, document_id: str) -> None:
        # The lease is written before the message is sent: a worker that takes the message at
        # once finds the document handed to exactly this task.
        task_id = uuid.uuid4().hex
        if not self._hand_out(document_id, task_id, self._options.queue_lease_s):
            return  # read, or a live lease: someone has it
        self._send(READ_DOCUMENT, document_id, task_id)

    def submit_assessment(self, claim_id: str) -> None:
        self._send(ASSESS_CLAIM, claim_id, uuid.uuid4().hex)

    @property
    def pending(self) -> float:
        """Messages waiting in the broker's queue (NaN when it cannot be asked)."""
        try:
            with self._app.connection_for_read() as connection:
                return connection.default_channel.queue_declare(QUEUE, passive=True).message_count
        except Exception:  # noqa: BLE001 (a metric must not fail the scrape)
            return math.nan

    def shutdown(self) -> None:
        self._app.close()

    def _send(self, task: str, arg: str, task_id: str) -> None:
        try:
            self._app.send_task(task, args=[arg], task_id=task_id, queue=QUEUE)
        except OperationalError as exc:
            # Accepted work is in the database: the reconciler sends it once the broker is back.
            log.warning("broker unavailable, %s(%s) left to the reconciler: %s", task, arg, exc)
