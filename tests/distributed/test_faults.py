"""Faults a production cluster meets, against real parts: a worker killed mid-read, a broker that
restarts empty, object storage that goes away. Nothing accepted may be lost or read twice."""

from __future__ import annotations

import os
import signal
import time

import pytest
from conftest import Weed

from claim_intake.intake.distributed import reconcile_once

from .conftest import Cluster, PrivateRedis, children, sample, wait_for

pytestmark = pytest.mark.ocr  # real PP-OCR in the workers: seconds per page

INVOICE = "01_invoice.jpg"
SETTLEMENT = "04_settlement.jpg"


def _reading(cluster: Cluster, document_id: str) -> bool:
    return cluster.document(document_id).status == "reading"


def test_a_killed_reader_child_is_replaced_and_its_document_read_once_more(broker_url, make_cluster) -> None:
    cluster: Cluster = make_cluster(broker_url)
    worker = cluster.start_worker(concurrency=1)
    claim = cluster.submit(sample(INVOICE), sample(SETTLEMENT)).json()
    first = claim["documents"][0]["id"]

    wait_for(lambda: _reading(cluster, first), 30, "the first document to be read")
    [child] = children(worker.pid)
    os.kill(child, signal.SIGKILL)

    # The pool replaces the child; the message goes back to the queue (acks_late +
    # reject_on_worker_lost) and the same task takes back its own lease.
    assessed = cluster.wait_assessed(claim["id"])
    assert [d["status"] for d in assessed["documents"]] == ["read", "read"]
    assert [d.attempts for d in cluster.documents(claim["id"])] == [2, 1]
    assert worker.poll() is None


def test_a_worker_killed_whole_loses_nothing_once_the_lease_runs_out(broker_url, make_cluster) -> None:
    cluster: Cluster = make_cluster(broker_url)
    worker = cluster.start_worker(concurrency=1)
    claim = cluster.submit(sample(INVOICE)).json()
    document = claim["documents"][0]["id"]

    wait_for(lambda: _reading(cluster, document), 30, "the document to be read")
    os.killpg(worker.pid, signal.SIGKILL)  # the machine is gone: parent and child, unacknowledged
    worker.wait()
    cluster.start_worker(concurrency=1)

    # Its message sits unacknowledged in Redis for an hour; the lease (3 s) says sooner.
    settings = cluster.settings()
    wait_for(lambda: reconcile_once(settings).documents == 1, 20, "the reconciler to hand the document out")
    assessed = cluster.wait_assessed(claim["id"])
    assert assessed["documents"][0]["status"] == "read"
    assert cluster.document(document).attempts == 2


def test_claims_queued_when_the_broker_restarts_empty_are_all_read(private_redis: PrivateRedis, make_cluster) -> None:
    cluster: Cluster = make_cluster(private_redis.url)
    cluster.start_worker(concurrency=1)
    cluster.start_beat()
    claims = [cluster.submit(sample(INVOICE), sample(SETTLEMENT)).json() for _ in range(3)]

    wait_for(lambda: _reading(cluster, claims[0]["documents"][0]["id"]), 30, "reading to start")
    private_redis.stop()  # keeps nothing on disk: the five queued messages are gone
    private_redis.start()

    for claim in claims:
        assessed = cluster.wait_assessed(claim["id"], timeout=120)
        assert [d["status"] for d in assessed["documents"]] == ["read", "read"]
        # Handed out again, but read once: the lease decides.
        assert [d.attempts for d in cluster.documents(claim["id"])] == [1, 1]


def test_storage_outage_refuses_uploads_and_queued_reads_wait_for_it(broker_url, make_cluster, weed: Weed) -> None:
    cluster: Cluster = make_cluster(broker_url)
    cluster.start_worker(concurrency=1)
    claim = cluster.submit(sample(INVOICE), sample(SETTLEMENT)).json()
    first, second = (d["id"] for d in claim["documents"])

    wait_for(lambda: _reading(cluster, first), 30, "the first document to be read")
    weed.stop()
    try:
        refused = cluster.submit(sample(INVOICE))
        assert refused.status_code == 503
        assert refused.json()["error"]["code"] == "storage_unavailable"
        # More tries than read_attempts (3), and still waiting rather than failed.
        wait_for(lambda: cluster.document(second).attempts >= 4, 60, "the second document to be retried")
        assert cluster.document(second).status in ("queued", "reading")
    finally:
        weed.start()

    assessed = cluster.wait_assessed(claim["id"])
    assert [d["status"] for d in assessed["documents"]] == ["read", "read"]


def test_a_two_minute_storage_outage_during_a_claim_costs_time_not_documents(broker_url, make_cluster, weed: Weed) -> None:
    """Object storage away for two minutes while a claim is being read: every try in between
    fails on the outage, none is counted against a document, and the claim completes with no
    ``unreadable_file`` once the store is back (the reading policy, workers/policy.py)."""
    cluster: Cluster = make_cluster(broker_url)
    cluster.start_worker(concurrency=1)
    cluster.start_beat()
    claim = cluster.submit(sample(INVOICE), sample(SETTLEMENT), sample("02_discharge_summary.png")).json()
    first = claim["documents"][0]["id"]

    wait_for(lambda: _reading(cluster, first), 30, "the first document to be read")
    weed.stop()
    try:
        time.sleep(120)
        documents = cluster.documents(claim["id"])
        assert any(d.status in ("queued", "reading") for d in documents)
        assert not any(d.status == "failed" for d in documents)
    finally:
        weed.start()

    assessed = cluster.wait_assessed(claim["id"], timeout=120)
    assert [d["status"] for d in assessed["documents"]] == ["read", "read", "read"]
    assert not [f for f in assessed["findings"] if f["code"] == "unreadable_file"]
    # Tried many times through the outage, and those tries were handed back, not counted.
    rows = cluster.documents(claim["id"])
    assert max(d.attempts for d in rows) > 5
    assert all(d.attempts - d.released_reads <= 2 for d in rows)
