"""The rate limits' default storage (``api.limit_storage``): a fixed window as limits' FixedWindowRateLimiter
counts it, windows that end, one count for every process mapping the file, a full neighbourhood giving up the
window that ends first, and a file of another layout replaced."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from api.limit_storage import SharedMemoryStorage


def test_a_fixed_window_counts_refuses_past_its_amount_and_starts_again_when_it_ends(tmp_path: Path) -> None:
    storage = storage_from_string(f"mmap://{tmp_path / 'counts.mmap'}")
    assert isinstance(storage, SharedMemoryStorage) and storage.check()
    limiter = FixedWindowRateLimiter(storage)
    per_second = parse("3/second")
    started = time.time()
    assert [limiter.hit(per_second, "client") for _ in range(4)] == [True, True, True, False]
    assert not limiter.hit(per_second, "client")
    assert limiter.hit(per_second, "another client")
    reset, remaining = limiter.get_window_stats(per_second, "client")
    assert remaining == 0 and started + 1 <= reset <= time.time() + 1
    time.sleep(reset - time.time() + 0.01)
    assert limiter.get_window_stats(per_second, "client").remaining == 3  # the window has ended
    assert limiter.hit(per_second, "client")  # a new one
    assert limiter.get_window_stats(per_second, "client").remaining == 2
    storage.clear(per_second.key_for("client"))
    assert storage.get(per_second.key_for("client")) == 0
    per_minute = parse("1/minute")
    assert limiter.hit(per_minute, "another client")
    assert storage.reset() == 1  # the one window running (another client's per-second one has ended)
    assert limiter.hit(per_minute, "another client")


def _count(path: str, times: int, counts: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    storage = SharedMemoryStorage(f"mmap://{path}")
    counts.put([storage.incr("client", 60) for _ in range(times)])


def test_processes_mapping_one_file_count_together_each_increment_its_own_number(tmp_path: Path) -> None:
    """What two gunicorn workers do: each increment returns a number no other returned, and none is lost."""
    path = str(tmp_path / "counts.mmap")
    counts: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    workers = [multiprocessing.Process(target=_count, args=(path, 2000, counts)) for _ in range(3)]
    for worker in workers:
        worker.start()
    returned = [number for _ in workers for number in counts.get(timeout=60)]
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(returned) == list(range(1, 6001))
    assert SharedMemoryStorage(f"mmap://{path}").get("client") == 6000


def test_a_full_neighbourhood_gives_up_the_window_that_ends_first_and_keeps_the_others(tmp_path: Path) -> None:
    storage = SharedMemoryStorage(f"mmap://{tmp_path / 'counts.mmap'}", slots=1, probes=4)  # every key, 4 slots
    for n, expiry in enumerate((60, 30, 90, 120)):
        assert storage.incr(f"client {n}", expiry, amount=n + 1) == n + 1
    assert storage.incr("client 4", 60) == 1  # takes the slot of client 1, whose window ends first
    assert [storage.get(f"client {n}") for n in range(5)] == [1, 0, 3, 4, 1]
    storage.incr("client 5", 0)  # takes client 0's (60 s, the first of the two 60 s windows), and ends at once …
    assert storage.get("client 5") == 0
    assert storage.incr("client 6", 60) == 1  # … so its slot is given up before any running window
    assert [storage.get(f"client {n}") for n in range(7)] == [0, 0, 3, 4, 1, 0, 1]


def test_a_file_of_another_layout_is_replaced_and_one_already_mapped_keeps_working(tmp_path: Path) -> None:
    path = tmp_path / "counts.mmap"
    old = SharedMemoryStorage(f"mmap://{path}", slots=8)
    old.incr("client", 60)
    new = SharedMemoryStorage(f"mmap://{path}")  # the default layout: a new file in its place
    assert new.get("client") == 0 and new.incr("client", 60) == 1
    assert old.incr("client", 60) == 2  # its own mapping, still valid
    assert path.stat().st_size == 64 + (65536 + 64) * 32
