"""The rate limiter's per-worker storage: counts as limits' MemoryStorage counts them, windows that expire, idle
keys forgotten, and no sweeper thread started per request."""

from __future__ import annotations

import threading
import time

from limits import parse
from limits.strategies import FixedWindowRateLimiter

from api.limits import SweptMemoryStorage


def test_counts_expire_and_idle_keys_are_swept_without_a_thread() -> None:
    storage = SweptMemoryStorage()
    limiter = FixedWindowRateLimiter(storage)
    per_second = parse("3/second")
    threads = threading.active_count()
    assert [limiter.hit(per_second, "client") for _ in range(4)] == [True, True, True, False]
    assert threading.active_count() == threads
    time.sleep(1.05)
    assert limiter.hit(per_second, "client")  # a new window
    storage.SWEEP_SECONDS = 0.0
    storage.incr("idle", expiry=0.01)
    time.sleep(0.02)
    storage.incr("other", expiry=60)  # the next count sweeps the expired key
    assert "idle" not in storage.storage and storage.get("other") == 1
