"""Finding lost work and handing it out again: the safety net under every queue.

Work is lost when a reader dies before it acknowledges (its lease runs out), when the broker
forgets its queue (Redis without persistence restarting: the queued documents' leases run out),
or when the API process dies between its commit and its enqueue (a document never handed out).
Handing a document out twice is harmless: its lease lets one reader read it, and the other finds
nothing to do. Celery beat runs this periodically in the Celery mode, a thread in the embedded one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

log = logging.getLogger(__name__)


class LostWork(Protocol):
    def lost_documents(self, unclaimed_after_s: float) -> list[str]: ...

    def unassessed_claims(self) -> list[str]: ...


@dataclass(frozen=True)
class Reconciled:
    documents: int
    claims: int


def reconcile(
    store: LostWork,
    submit_document: Callable[[str], Any],
    submit_assessment: Callable[[str], Any],
    unclaimed_after_s: float,
) -> Reconciled:
    documents = store.lost_documents(unclaimed_after_s)
    claims = store.unassessed_claims()
    for document_id in documents:
        submit_document(document_id)
    for claim_id in claims:
        submit_assessment(claim_id)
    if documents or claims:
        log.info("reconciler: handed out %d lost document(s), %d unassessed claim(s)", len(documents), len(claims))
    return Reconciled(len(documents), len(claims))


class Periodic:
    """Runs ``run`` every ``every_s`` seconds in a daemon thread (the embedded mode's beat: the
    reconciler, and retention with the orphan sweep)."""

    def __init__(self, name: str, run: Callable[[], object], every_s: float) -> None:
        self.name = name
        self._run = run
        self._every_s = every_s
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        """Also after a ``stop``: an app's lifespan may run more than once (tests)."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(self._stop,), name=f"claim-intake-{self.name}",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _loop(self, stop: threading.Event) -> None:
        while not stop.wait(self._every_s):
            try:
                self._run()
            except Exception:  # the database may be briefly away: try again next time
                log.exception("%s pass failed", self.name)
