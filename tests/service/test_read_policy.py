"""The reading policy in the embedded executor, against the real database and storage: an outage
is waited out and never counted as a failed read; a bug is an internal error for staff, never an
``unreadable_file`` the claimant is asked to re-photograph. (The Celery workers' side, with a
real S3 outage, is tests/distributed/test_faults.py.)"""

from __future__ import annotations

import dataclasses
import socket

import numpy as np
import pytest
from materials import invoice_pdf
from sqlalchemy import select

from claim_intake.errors import DatabaseUnavailableError, StorageUnavailableError
from claim_intake.intake.metrics import Metrics
from claim_intake.intake.store.db import DocumentRow, make_sessions, open_database
from claim_intake.intake.store.jobs import SqlJobStore
from claim_intake.workers.options import QueueOptions

from .conftest import Api, Backend, png_bytes, start_api


class OutageThenBack:
    """The service's own store, unavailable for its first ``failures`` reads."""

    def __init__(self, store, failures: int) -> None:  # type: ignore[no-untyped-def]
        self._store, self.failures = store, failures

    def get(self, key: str) -> bytes:
        if self.failures:
            self.failures -= 1
            raise StorageUnavailableError("object storage unavailable: connection refused")
        return self._store.get(key)


class BuggyEngine:
    """An engine with a bug in it: what an unexpected exception in the reader looks like."""

    def detect(self, image: np.ndarray) -> list[np.ndarray]:
        raise KeyError("det_db_box_thresh")


def _document_row(api: Api, document_id: str) -> DocumentRow:
    with api.service.sessions() as session:
        return session.scalars(select(DocumentRow).where(DocumentRow.id == document_id)).one()


def test_a_storage_outage_is_waited_out_and_never_counted_as_a_failed_read(backend: Backend) -> None:
    # max_reads=1: had the outage counted, the second read would already be given up.
    settings = backend.make_settings(queue=QueueOptions(max_reads=1, retry_backoff_s=0.05))
    client, api = start_api(settings)
    try:
        executor = api.service.executor
        executor.ctx = dataclasses.replace(executor.ctx, blobs=OutageThenBack(api.service.store, failures=3))
        key = api.new_key()
        claim = api.wait_assessed(key, api.submit(key, [("invoice.pdf", invoice_pdf())]).json()["id"])
        (document,) = claim["documents"]
        assert document["status"] == "read" and document["doc_type"] == "invoice_inpatient"
        row = _document_row(api, document["id"])
        assert (row.attempts, row.released_reads) == (4, 3)
    finally:
        client.__exit__(None, None, None)


def test_a_bug_in_the_reader_is_an_internal_error_for_staff_not_a_bad_photo(backend: Backend) -> None:
    settings = backend.make_settings()
    client, api = start_api(settings)
    try:
        executor = api.service.executor
        executor.ctx = dataclasses.replace(executor.ctx, engine_factory=BuggyEngine)
        key = api.new_key()
        response = api.submit(key, [("invoice.pdf", invoice_pdf()), ("photo.png", png_bytes())])
        claim = api.wait_assessed(key, response.json()["id"])
        invoice, photo = claim["documents"]
        assert invoice["status"] == "read"
        assert photo["status"] == "failed"
        assert photo["error"]["code"] == "internal_error" and "KeyError" in photo["error"]["message"]
        assert "unreadable_file" not in [f["code"] for f in claim["findings"]]
        # Not complete while one of its files went unread: staff have to look.
        assert claim["status"] == "needs_follow_up"
    finally:
        client.__exit__(None, None, None)


def test_a_database_out_of_reach_is_the_retryable_database_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = open_database(f"postgresql+psycopg://postgres@127.0.0.1:{port}/claims?connect_timeout=2")
    store = SqlJobStore(make_sessions(db), Metrics())
    with pytest.raises(DatabaseUnavailableError) as raised:
        store.start_reading("doc_1", "holder", 60)
    assert raised.value.retryable
    db.dispose()
