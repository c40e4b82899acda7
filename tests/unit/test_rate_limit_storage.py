"""The rate limits' default storage (``api.limit_storage``): a fixed window as limits' FixedWindowRateLimiter
counts it, windows that end, one count for every process on the file, and passed windows' rows deleted."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from api import limit_storage
from api.limit_storage import SQLiteStorage


def test_a_fixed_window_counts_refuses_past_its_amount_and_starts_again_when_it_ends(tmp_path: Path) -> None:
    storage = storage_from_string(f"sqlite:///{tmp_path / 'counts.db'}")
    assert isinstance(storage, SQLiteStorage) and storage.check()
    limiter = FixedWindowRateLimiter(storage)
    per_second = parse("3/second")
    started = time.time()
    assert [limiter.hit(per_second, "client") for _ in range(4)] == [True, True, True, False]
    assert not limiter.hit(per_second, "client")
    assert limiter.hit(per_second, "another client")
    reset, remaining = limiter.get_window_stats(per_second, "client")
    assert remaining == 0 and started + 1 <= reset <= time.time() + 1
    time.sleep(reset - time.time() + 0.01)
    assert limiter.hit(per_second, "client")  # a new window
    assert limiter.get_window_stats(per_second, "client").remaining == 2
    storage.clear(per_second.key_for("client"))
    assert storage.get(per_second.key_for("client")) == 0
    assert storage.reset() == 1  # "another client"'s row


def _count(path: str, times: int, counts: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    storage = SQLiteStorage(f"sqlite:///{path}")
    counts.put([storage.incr("client", 60) for _ in range(times)])


def test_processes_on_one_file_count_together_each_increment_its_own_number(tmp_path: Path) -> None:
    """What two gunicorn workers do: each increment returns a number no other returned, and none is lost."""
    path = str(tmp_path / "counts.db")
    counts: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    workers = [multiprocessing.Process(target=_count, args=(path, 500, counts)) for _ in range(3)]
    for worker in workers:
        worker.start()
    returned = [number for _ in workers for number in counts.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(returned) == list(range(1, 1501))
    assert SQLiteStorage(f"sqlite:///{path}").get("client") == 1500


def test_rows_of_windows_that_ended_are_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "counts.db"
    storage = SQLiteStorage(f"sqlite:///{path}")
    storage.incr("idle", expiry=0)
    monkeypatch.setattr(limit_storage, "SWEEP_SECONDS", 0.0)
    storage.incr("active", expiry=60)
    with sqlite3.connect(path) as reader:
        assert reader.execute("SELECT key FROM counts").fetchall() == [("active",)]
