"""Scale-out figures for the Celery mode, with the real OCR engine on the sample bundle.

Prints:
- pages per minute with 1 and with 2 worker processes (ONNX threads = cores / processes), and
  the ratio;
- end-to-end latency of a 4-document claim (inpatient_complete: submit to assessed), median and
  p95, on an idle cluster and with a queue of --queue claims submitted at once.

Needs what the tests need: PostgreSQL on 127.0.0.1:5432 (a throwaway database is made) and Redis
on 127.0.0.1:6379 (database 14, flushed). Uploads go to a local folder shared by API and workers.
The API runs in this process; workers are `claim-intake worker` subprocesses.

Usage: python benchmarks/distributed_bench.py [--claims 6] [--idle 5] [--queue 50]
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import psycopg
import redis
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from claim_intake.intake.api.app import create_app
from claim_intake.intake.auth import create_key
from claim_intake.intake.settings import Settings
from claim_intake.intake.store.db import ClaimRow, DocumentRow, PageRow

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "samples" / "bundles" / "inpatient_complete"
CLI = Path(sys.executable).parent / "claim-intake"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
BROKER = "redis://127.0.0.1:6379/14"


@contextmanager
def database() -> Iterator[str]:
    admin = psycopg.connect(PG_ADMIN, autocommit=True)
    name = f"bench_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class Bench:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        with mock.patch.dict(os.environ, env):
            self.app = create_app(Settings())
        self.client = TestClient(self.app)
        self.client.__enter__()
        self.sessions = self.app.state.service.sessions
        with self.sessions.begin() as session:
            self.headers = {"Authorization": f"Bearer {create_key(session, 'bench')}"}
        self.files = [("files", (p.name, p.read_bytes())) for p in sorted(BUNDLE.iterdir())]

    @contextmanager
    def workers(self, processes: int) -> Iterator[None]:
        log = (self.logs / f"worker-{processes}.log").open("ab")
        worker = subprocess.Popen([str(CLI), "worker", "--concurrency", str(processes), "--loglevel", "WARNING"],
                                  env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
        try:
            self.run([self.submit() for _ in range(processes)])  # every process loads its model
            yield
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait()
            log.close()

    def submit(self) -> str:
        response = self.client.post("/v1/claims", headers=self.headers, data={"claim_type": "inpatient"},
                                    files=self.files)
        response.raise_for_status()
        return response.json()["id"]

    def run(self, claim_ids: list[str], timeout: float = 900) -> list[float]:
        """Waits for the claims; returns each one's seconds from submission to assessment."""
        deadline = time.monotonic() + timeout
        while True:
            with self.sessions() as session:
                rows = session.execute(select(ClaimRow.status, ClaimRow.created_at, ClaimRow.updated_at)
                                       .where(ClaimRow.id.in_(claim_ids))).all()
            if all(status != "processing" for status, _, _ in rows):
                return [(done - created).total_seconds() for _, created, done in rows]
            if time.monotonic() > deadline:
                raise SystemExit(f"claims still processing after {timeout} s: see {self.logs}")
            time.sleep(0.2)

    def pages(self, claim_ids: list[str]) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count(PageRow.id)).join(DocumentRow)
                                  .where(DocumentRow.claim_id.in_(claim_ids))) or 0

    def throughput(self, processes: int, claims: int) -> float:
        with self.workers(processes):
            started = time.monotonic()
            ids = [self.submit() for _ in range(claims)]
            self.run(ids)
            elapsed = time.monotonic() - started
        pages = self.pages(ids)
        per_minute = pages / elapsed * 60
        print(f"{processes} worker process(es): {pages} pages in {elapsed:.1f} s = {per_minute:.1f} pages/min",
              flush=True)
        return per_minute

    def close(self) -> None:
        self.client.__exit__(None, None, None)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=6, help="claims per throughput run")
    parser.add_argument("--idle", type=int, default=5, help="claims measured one at a time")
    parser.add_argument("--queue", type=int, default=50, help="claims submitted at once")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; bundle {BUNDLE.name}: {len(list(BUNDLE.iterdir()))} files per claim", flush=True)

    broker = redis.Redis.from_url(BROKER)
    broker.flushdb()
    with database() as url, tempfile.TemporaryDirectory() as tmp:
        env = {
            "CLAIM_INTAKE_DATA_DIR": tmp,
            "CLAIM_INTAKE_DATABASE_URL": url,
            "CLAIM_INTAKE_STORAGE_URL": str(Path(tmp) / "objects"),
            "CLAIM_INTAKE_BROKER_URL": BROKER,
        }
        bench = Bench(env, Path(tmp))
        try:
            one = bench.throughput(1, args.claims)
            two = bench.throughput(2, args.claims)
            print(f"ratio 2/1 processes: {two / one:.2f}", flush=True)
            with bench.workers(2):
                idle = [bench.run([bench.submit()])[0] for _ in range(args.idle)]
                print(f"idle cluster, {len(idle)} claims one at a time: median {statistics.median(idle):.1f} s, "
                      f"p95 {p95(idle):.1f} s", flush=True)
                queued = bench.run([bench.submit() for _ in range(args.queue)])
                print(f"queue of {args.queue} claims at once: median {statistics.median(queued):.1f} s, "
                      f"p95 {p95(queued):.1f} s, last {max(queued):.1f} s", flush=True)
        finally:
            bench.close()
            broker.flushdb()


if __name__ == "__main__":
    main()
