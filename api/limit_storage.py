"""The rate limits' counts in a SQLite file shared by every worker on the host (``sqlite:///var/ratelimits.db``, the
default), so that ``make up``'s workers count one client together without another server; Redis
(``redis://…``, limits' own storage) shares them between hosts.

A ``limits`` storage: registering the ``sqlite`` scheme makes ``storage_from_string`` open it. One row per key
and fixed window; an UPSERT counts and starts a window that has passed in one statement, so two workers never
read-modify-write the same count. The file is a separate database from the read model: the indexer's long write
transactions would otherwise hold every request's count behind them.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from limits.storage import Storage

T = TypeVar("T")
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS counts (key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_end REAL NOT NULL) "
    "WITHOUT ROWID"
)
# ?1 key, ?2 amount, ?3 the end of a window starting now, ?4 now
COUNT = (
    "INSERT INTO counts (key, count, window_end) VALUES (?1, ?2, ?3) ON CONFLICT (key) DO UPDATE SET "
    "count = CASE WHEN window_end <= ?4 THEN ?2 ELSE count + ?2 END, "
    "window_end = CASE WHEN window_end <= ?4 THEN ?3 ELSE window_end END RETURNING count"
)
LOCK_RETRY_SECONDS = 20e-6
LOCK_TIMEOUT_SECONDS = 5.0
SWEEP_SECONDS = 60.0  # how often a worker deletes the rows of windows that have passed


class SQLiteStorage(Storage):
    """Fixed-window counts in one SQLite file (WAL: a count never waits for a reader).

    A write holds the file's lock for some 15 µs. SQLite's own busy handler sleeps 1 ms at the first conflict, then
    longer: with two workers that conflict on a few per cent of requests, that was a millisecond added to each of
    them. Here a locked file is retried every 20 µs instead (``_retrying``), up to LOCK_TIMEOUT_SECONDS."""

    STORAGE_SCHEME = ["sqlite"]  # noqa: RUF012  the type limits' registry declares

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(uri.removeprefix("sqlite:///"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._swept = 0.0
        self._retrying(lambda: self._connection().execute(SCHEMA))

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        if now - self._swept >= SWEEP_SECONDS:
            self._swept = now
            self._retrying(lambda: self._connection().execute("DELETE FROM counts WHERE window_end <= ?", (now,)))
        row = self._retrying(lambda: self._connection().execute(COUNT, (key, amount, now + expiry, now)).fetchone())
        return int(row[0])

    def get(self, key: str) -> int:
        row = self._read("SELECT count FROM counts WHERE key = ? AND window_end > ?", key)
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._read("SELECT window_end FROM counts WHERE key = ? AND window_end > ?", key)
        return float(row[0]) if row else time.time()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return int(self._retrying(lambda: self._connection().execute("DELETE FROM counts").rowcount))

    def clear(self, key: str) -> None:
        self._retrying(lambda: self._connection().execute("DELETE FROM counts WHERE key = ?", (key,)))

    def _read(self, query: str, key: str) -> Any:
        return self._retrying(lambda: self._connection().execute(query, (key, time.time())).fetchone())

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened again in a forked child (a SQLite connection must not cross a fork)."""
        opened: tuple[int, sqlite3.Connection] | None = getattr(self._local, "opened", None)
        if opened is not None and opened[0] == os.getpid():
            return opened[1]
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        self._retrying(lambda: connection.execute("PRAGMA journal_mode=WAL"))
        # WAL with NORMAL never corrupts the file on a crash and syncs only at checkpoints; a count lost to a
        # power cut is a client let through once more
        connection.execute("PRAGMA synchronous=NORMAL")
        self._local.opened = (os.getpid(), connection)
        return connection

    @staticmethod
    def _retrying(statement: Callable[[], T]) -> T:
        deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
        while True:
            try:
                return statement()
            except sqlite3.OperationalError as fault:
                if "locked" not in str(fault) or time.monotonic() > deadline:
                    raise
            time.sleep(LOCK_RETRY_SECONDS)
