"""Single-use nonces: a verifier issues one per sign-in or challenge, and a signature spends it exactly once.

``NonceStore`` is what verifiers need; ``MemoryNonces`` serves one process (the CLI, tests, benchmarks); the
ledger's database store serves several API workers at once.
"""

from __future__ import annotations

import secrets
import string
import threading
from typing import Protocol

from .errors import Expired, Replayed, WrongNonce

_ALPHANUMERIC = string.ascii_letters + string.digits


def new_nonce(length: int = 17) -> str:
    """A random alphanumeric nonce (EIP-4361 wants at least 8 characters; 17 carry about 100 bits)."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


class NonceStore(Protocol):
    def issue(self, purpose: str, nonce: str, now: int, expires_at: int) -> None:
        """Remembers ``nonce`` as issued for ``purpose`` until ``expires_at`` (unix seconds); may forget nonces
        that lapsed before ``now``."""

    def consume(self, purpose: str, nonce: str, now: int) -> None:
        """Spends ``nonce``: ``WrongNonce`` if never issued here, ``Expired`` if it lapsed,
        ``Replayed`` if already spent."""


class MemoryNonces:
    """A ``NonceStore`` in this process's memory."""

    def __init__(self) -> None:
        self._issued: dict[tuple[str, str], tuple[int, bool]] = {}
        self._lock = threading.Lock()
        self._sweep_at = 1024

    def issue(self, purpose: str, nonce: str, now: int, expires_at: int) -> None:
        with self._lock:
            if len(self._issued) >= self._sweep_at:  # amortised: memory stays bounded by the live nonces
                self._issued = {key: entry for key, entry in self._issued.items() if entry[0] > now}
                self._sweep_at = max(1024, 2 * len(self._issued))
            self._issued[(purpose, nonce)] = (expires_at, False)

    def consume(self, purpose: str, nonce: str, now: int) -> None:
        with self._lock:
            entry = self._issued.get((purpose, nonce))
            if entry is None:
                raise WrongNonce(f"the nonce {nonce!r} was not issued by this verifier")
            expires_at, used = entry
            if used:
                raise Replayed(f"the nonce {nonce!r} was already used: a signature is good once")
            if now >= expires_at:
                raise Expired(f"the nonce {nonce!r} expired at {expires_at}")
            self._issued[(purpose, nonce)] = (expires_at, True)
