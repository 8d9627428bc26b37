"""SQLite writers of one process queue on a lock (``store.sqlite_writes``): each waits for the one
before it and goes once that one's transaction ends, however it ends; readers never wait."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from claim_intake.intake.store import sqlite_writes
from claim_intake.intake.store.db import open_database


@pytest.fixture()
def db(tmp_path: Path):
    engine = open_database(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield engine
    engine.dispose()


def _insert_later(db, value: str, done: list[float]) -> threading.Thread:
    def run() -> None:
        with db.begin() as connection:
            connection.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})
        done.append(time.monotonic())

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _values(db) -> list[str]:
    with db.connect() as connection:
        return list(connection.scalars(text("SELECT v FROM t ORDER BY id")))


def test_a_writer_waits_for_the_open_write_and_goes_once_it_commits(db) -> None:
    done: list[float] = []
    with db.begin() as first:
        first.execute(text("INSERT INTO t (v) VALUES ('first')"))
        second = _insert_later(db, "second", done)
        time.sleep(0.3)
        assert not done  # waiting, not failed
        assert _values(db) == []  # a reader does not wait: it sees what is committed
        committed = time.monotonic()
    second.join(10)
    assert done and done[0] >= committed
    assert _values(db) == ["first", "second"]


@pytest.mark.parametrize("end", ["rollback", "close", "autocommit"])
def test_every_end_of_a_write_lets_the_next_writer_go(db, end: str) -> None:
    done: list[float] = []
    connection = db.connect()
    connection.execute(text("INSERT INTO t (v) VALUES ('taken')"))
    connection.commit()
    if end == "autocommit":
        # Each statement its own transaction: the write ends with it, the connection stays open.
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        connection.execute(text("DELETE FROM t WHERE v = 'nothing'"))
    else:
        connection.execute(text("INSERT INTO t (v) VALUES ('undone')"))
    writer = _insert_later(db, "next", done)
    if end == "rollback":
        connection.rollback()
    elif end == "close":
        connection.close()
    writer.join(10)
    assert done
    assert _values(db) == ["taken", "next"]
    connection.close()


def test_a_writer_waits_at_most_the_busy_timeout_then_fails_as_sqlite_does(db, monkeypatch) -> None:
    monkeypatch.setattr(sqlite_writes, "BUSY_TIMEOUT_S", 0.2)
    failed: list[BaseException] = []

    def second() -> None:
        try:
            with db.begin() as connection:
                connection.execute(text("INSERT INTO t (v) VALUES ('second')"))
        except Exception as exc:  # noqa: BLE001 - the test looks at what it was
            failed.append(exc)

    with db.begin() as first:
        first.execute(text("INSERT INTO t (v) VALUES ('first')"))
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(10)
    assert len(failed) == 1
    assert isinstance(failed[0].__cause__ or failed[0], sqlite3.OperationalError)
    assert "database is locked" in str(failed[0])
    assert _values(db) == ["first"]
