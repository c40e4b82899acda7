"""The rate limits' counts in a file every worker on the host maps into memory (``mmap://var/ratelimits.mmap``, the
default), so that ``make up``'s workers count one client together without another server; Redis (``redis://…``,
limits' own storage) shares them between hosts.

A ``limits`` storage: its ``mmap`` scheme makes ``storage_from_string`` open it. Why not SQLite, as the read
model: a count there (an UPSERT and a read, each its own write-ahead-log transaction) measured 60 µs of a lookup's
370 µs under load and 14 % of the requests per second, and every thousandth request paid a checkpoint's fsync;
here a count is a lock, a hash and 32 bytes, a few microseconds.

The file is a fixed table of slots (a key's 128-bit BLAKE2b digest, its window's end in unix seconds, its count).
A key lives within PROBES slots of the slot its digest names; a key not found there takes a free slot, else one
whose window has ended, else the one whose window ends first (a flood of new clients can thus give an old one a
fresh window early, where limits' memory storage would grow without end). Every operation holds an exclusive
``flock`` on the file, which the kernel lets go if a worker dies, and never shrinks the file, so a mapping cannot
outlive its pages.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from limits.storage import Storage

MAGIC = b"LEDGERRL"
HEADER = struct.Struct("<8sIII")  # magic, layout version, slots, probes
HEADER_BYTES = 64
LAYOUT = 1
SLOT = struct.Struct("<16sdq")  # key digest, window end (unix seconds; 0: never used), count
SLOTS = 1 << 16  # 2 MiB of counts: some 65,000 clients a window before any is evicted
PROBES = 64


class SharedMemoryStorage(Storage):
    """Fixed-window counts in a memory-mapped file shared by the processes that open it."""

    STORAGE_SCHEME = ["mmap"]  # noqa: RUF012  the type limits' registry declares

    def __init__(
        self, uri: str, wrap_exceptions: bool = False, slots: int = SLOTS, probes: int = PROBES, **options: Any
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = Path(uri.removeprefix("mmap://"))
        self.slots, self.probes = slots, probes
        self._threads = threading.Lock()  # flock does not keep apart two threads of one process
        self._opened: tuple[int, int, mmap.mmap] | None = None  # pid, file descriptor, mapping
        with self._table():
            pass

    @property
    def base_exceptions(self) -> type[Exception]:
        return OSError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        digest, now = _digest(key), time.time()
        with self._table() as table:
            index, end, count = self._slot(table, digest, now)
            if end <= now:  # a new window
                end, count = now + expiry, 0
            count += amount
            SLOT.pack_into(table, self._offset(index), digest, end, count)
        return count

    def get(self, key: str) -> int:
        return self._live(key)[1]

    def get_expiry(self, key: str) -> float:
        return self._live(key)[0]

    def check(self) -> bool:
        try:
            with self._table():
                return True
        except OSError:
            return False

    def reset(self) -> int | None:
        now = time.time()
        with self._table() as table:
            start, stop = self._offset(0), self._offset(self.slots + self.probes)
            live = sum(1 for _, end, _ in SLOT.iter_unpack(table[start:stop]) if end > now)
            table[start:stop] = bytes(stop - start)
        return live

    def clear(self, key: str) -> None:
        digest = _digest(key)
        with self._table() as table:
            index, end, _ = self._slot(table, digest, time.time())
            if end:
                SLOT.pack_into(table, self._offset(index), bytes(16), 0.0, 0)

    def _live(self, key: str) -> tuple[float, int]:
        """The key's window end and count; (now, 0) if it has no window running."""
        digest, now = _digest(key), time.time()
        with self._table() as table:
            _, end, count = self._slot(table, digest, now)
        return (end, count) if end > now else (now, 0)

    def _slot(self, table: mmap.mmap, digest: bytes, now: float) -> tuple[int, float, int]:
        """Where ``digest`` lives, with its window end and count, or the slot it would take (end 0 or passed)."""
        first = int.from_bytes(digest[:8], "little") % self.slots
        window = table[self._offset(first) : self._offset(first + self.probes)]
        found = window.find(digest)
        while found != -1 and found % SLOT.size:  # the digest's bytes across two slots: not a key
            found = window.find(digest, found + 1)
        if found != -1:
            _, end, count = SLOT.unpack_from(window, found)
            return first + found // SLOT.size, end, count
        ends = [end for _, end, _ in SLOT.iter_unpack(window)]
        taken = next((n for n, end in enumerate(ends) if end <= now), None)
        if taken is None:
            taken = min(range(len(ends)), key=ends.__getitem__)
        return first + taken, 0.0, 0

    @staticmethod
    def _offset(index: int) -> int:
        return HEADER_BYTES + index * SLOT.size

    @contextmanager
    def _table(self) -> Iterator[mmap.mmap]:
        """The mapped table, this process's threads and every other process kept out while the block runs."""
        with self._threads:
            descriptor, table = self._mapping()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                yield table
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)

    def _mapping(self) -> tuple[int, mmap.mmap]:
        """The file, opened and mapped once per process (a forked child opens its own: a lock taken through a
        descriptor it inherited would be its parent's too). A new file is laid out under the lock; a file of
        another layout is replaced by a new one, never shrunk (a process still mapping it keeps valid pages)."""
        if self._opened is not None and self._opened[0] == os.getpid():
            return self._opened[1], self._opened[2]
        size = self._offset(self.slots + self.probes)
        header = HEADER.pack(MAGIC, LAYOUT, self.slots, self.probes)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            try:
                if os.stat(self.path).st_ino == os.fstat(descriptor).st_ino:  # not replaced since it was opened
                    if os.fstat(descriptor).st_size == 0:
                        os.ftruncate(descriptor, size)
                        os.pwrite(descriptor, header, 0)
                    if os.fstat(descriptor).st_size == size and os.pread(descriptor, HEADER.size, 0) == header:
                        break
                    empty = self.path.with_name(f".{self.path.name}.{os.getpid()}")
                    empty.write_bytes(b"")
                    os.replace(empty, self.path)
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
            os.close(descriptor)
        self._opened = (os.getpid(), descriptor, mmap.mmap(descriptor, size))
        return descriptor, self._opened[2]


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=16).digest()
