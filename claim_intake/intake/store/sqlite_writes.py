"""One writer at a time per SQLite database in this process, queued on a lock rather than in
SQLite's busy handler.

SQLite lets one connection write at a time. A connection that finds the database being written
waits in the busy handler, which sleeps and tries again with growing naps (1, 2, 5, 10 ... 100
ms) and is not woken when the writer before it commits. Twenty uploads committing at once spent
most of their acknowledgement asleep there: the last one waited up to a second for commits that
took about a tenth of that in all (each a WAL fsync). Here a writer waits on a lock and is woken
as soon as the one before it commits or rolls back; SQLite's own lock then finds the database
free. Other processes on the same file still meet SQLite's wait, as before.

The lock is taken where the sqlite3 driver opens a write transaction (before an INSERT, UPDATE,
DELETE or REPLACE) and let go when the connection commits, rolls back or closes: the span in
which SQLite itself holds the write lock. A writer waits at most SQLite's busy timeout, then
fails as SQLite does (``database is locked``).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any

BUSY_TIMEOUT_S = 30.0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
# A forked child (a Celery worker) starts with fresh locks: one held by another thread at the
# fork would stay held in the child for ever.
os.register_at_fork(after_in_child=_locks.clear)


def _lock_for(database: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(os.path.realpath(database), threading.Lock())


class _WriterCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        writes = self._before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            if writes:
                self.connection.settle()  # type: ignore[attr-defined]

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> sqlite3.Cursor:
        writes = self._before(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            if writes:
                self.connection.settle()  # type: ignore[attr-defined]

    def _before(self, sql: str) -> bool:
        writes = sql.lstrip()[:7].upper().startswith(_WRITES)
        if writes:
            self.connection.take_write_lock()  # type: ignore[attr-defined]
        return writes


class WriterConnection(sqlite3.Connection):
    """A sqlite3 connection (``sqlite3.connect(..., factory=WriterConnection)``) that queues
    on its database's write lock before writing, and lets go of it when its transaction ends."""

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        memory = database == ":memory:" or str(database).startswith("file::memory:")
        self._write_lock = None if memory else _lock_for(str(database))
        self._writing = False

    def cursor(self, factory: Any = _WriterCursor) -> sqlite3.Cursor:  # type: ignore[override]
        return super().cursor(factory)

    def take_write_lock(self) -> None:
        if self._writing or self._write_lock is None:
            return
        if not self._write_lock.acquire(timeout=BUSY_TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked")
        self._writing = True

    def settle(self) -> None:
        """After a write: the lock stays with an open transaction only (not after a failed
        statement that opened none, nor in autocommit mode)."""
        if not self.in_transaction:
            self._let_go()

    def _let_go(self) -> None:
        if self._writing:
            self._writing = False
            assert self._write_lock is not None
            self._write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()
