"""A worker killed whole (SIGKILL to the parent and its pool, as a lost machine) at each instant of
a document's reading: the document is read again by another worker within 2 minutes.

The queue lease is left at its production default (30 min), so that a document held by it would
fail the test: the reader's lease (3 s here; 60 s by default) must be what frees it. The instants:
- received: the worker's consumer took the message, its pool process has not started it (the
  pool process is stopped with SIGSTOP so that the instant lasts);
- leased: the reader holds the lease and is fetching the upload (the S3 server stopped with
  SIGSTOP, so that the fetch hangs);
- reading: the OCR engine at work;
- saving: the result being written (the pages table locked from here, so that the save waits).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from conftest import Weed
from sqlalchemy import text

from .conftest import Cluster, children, sample, wait_for

pytestmark = pytest.mark.ocr  # real PP-OCR in the workers

RECOVERY_S = 120


def _received(cluster: Cluster, document_id: str) -> bool:
    """The worker's log says it received the read (Celery's own line), and the document is
    still queued: no reader has leased it."""
    log = (cluster.logs / "worker0.log").read_text(errors="replace")
    return "claim_intake.read_document[" in log and "] received" in log and _status(cluster, document_id, "queued")


def _marked(cluster: Cluster, document_id: str) -> bool:
    """The receipt recorded: the document's lease is a reader's (seconds), not the queue's 30 minutes."""
    row = cluster.document(document_id)
    lease = row.lease_until.replace(tzinfo=UTC) if row.lease_until else None
    return lease is not None and lease < datetime.now(UTC) + timedelta(minutes=5)


def _status(cluster: Cluster, document_id: str, status: str) -> bool:
    return cluster.document(document_id).status == status


@contextmanager
def _stopped(pid: int) -> Iterator[None]:
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


@contextmanager
def _pages_locked(cluster: Cluster) -> Iterator[None]:
    """Saving a read replaces the document's pages: it waits on this lock, after its lease check."""
    assert cluster.service is not None
    with cluster.service.sessions() as session:
        session.execute(text("LOCK TABLE pages IN SHARE MODE"))
        try:
            yield
        finally:
            session.rollback()


def _saving(cluster: Cluster) -> bool:
    assert cluster.service is not None
    with cluster.service.sessions() as session:
        return bool(session.execute(text(
            "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()"
            " and query ilike 'delete from pages%'"
        )).scalar_one())


def _kill(worker) -> float:  # type: ignore[no-untyped-def]
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    return time.monotonic()


@pytest.mark.parametrize("instant", ["received", "leased", "reading", "saving"])
def test_a_document_taken_by_a_killed_worker_is_read_within_two_minutes(
        instant: str, broker_url, make_cluster, weed: Weed) -> None:
    cluster: Cluster = make_cluster(broker_url, queue_lease_s="1800")
    worker = cluster.start_worker(concurrency=1)
    [child] = children(worker.pid)

    if instant in ("received", "leased"):
        with _stopped(child):
            claim = cluster.submit(sample("01_invoice.jpg")).json()
            document = claim["documents"][0]["id"]
            wait_for(lambda: _received(cluster, document), 30, "the worker to receive the document")
            # The consumer records the receipt right after its log line (milliseconds): killed
            # before that, the document would wait for the queue lease. Waited for, but not
            # required here, so that without the receipt the test fails on recovery below.
            deadline = time.monotonic() + 5
            while not _marked(cluster, document) and time.monotonic() < deadline:
                time.sleep(0.05)
            if instant == "received":
                killed = _kill(worker)
            else:
                assert weed.process is not None
                os.kill(weed.process.pid, signal.SIGSTOP)
        if instant == "leased":
            try:
                wait_for(lambda: _status(cluster, document, "reading"), 30, "the lease to be taken")
                killed = _kill(worker)
            finally:
                os.kill(weed.process.pid, signal.SIGCONT)
    else:
        claim = cluster.submit(sample("01_invoice.jpg")).json()
        document = claim["documents"][0]["id"]
        wait_for(lambda: _status(cluster, document, "reading"), 30, "reading to start")
        if instant == "reading":
            time.sleep(1.0)  # past fetching the upload, into recognition
            killed = _kill(worker)
        else:
            with _pages_locked(cluster):
                wait_for(lambda: _saving(cluster), 90, "the reader to be saving")
                killed = _kill(worker)

    # The reconciler (beat) from now on: before, its messages would take the worker's one slot.
    cluster.start_beat()
    cluster.start_worker(concurrency=1)
    assessed = cluster.wait_assessed(claim["id"], timeout=RECOVERY_S)
    recovered = time.monotonic() - killed
    assert recovered < RECOVERY_S
    assert assessed["documents"][0]["status"] == "read"
    assert not [f for f in assessed["findings"] if f["code"] == "unreadable_file"]
    row = cluster.document(document)
    # A worker killed before its pool process started the read never counted one.
    assert row.attempts == (1 if instant == "received" else 2)
