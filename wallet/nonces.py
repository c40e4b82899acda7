"""Single-use nonces: a verifier issues one per sign-in or challenge, and a signature spends it exactly once.

``NonceStore`` is what verifiers need; ``MemoryNonces`` serves one process (the CLI, tests, benchmarks); the
ledger's database store serves several API workers at once.
"""

from __future__ import annotations

import secrets
import string
import threading
from dataclasses import dataclass
from typing import Protocol

from .errors import Expired, Replayed, WrongChallenge, WrongNonce
from .instants import timestamp

_ALPHANUMERIC = string.ascii_letters + string.digits


def new_nonce(length: int = 17) -> str:
    """A random alphanumeric nonce (EIP-4361 wants at least 8 characters; 17 carry about 100 bits)."""
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


@dataclass(frozen=True)
class Binding:
    """What a nonce was issued for, kept beside it and compared when it is spent: a presentation challenge's
    certificate (0x-hex id), audience and window. The client sends them back, so they prove nothing unless the
    verifier compares them with what it issued."""

    certificate_id: str
    audience: str
    issued_at: int
    expires_at: int


class NonceStore(Protocol):
    def issue(self, purpose: str, nonce: str, now: int, expires_at: int, binding: Binding | None = None) -> None:
        """Remembers ``nonce`` as issued for ``purpose`` until ``expires_at`` (unix seconds), with what it was
        issued for; may forget nonces that lapsed before ``now``."""

    def consume(self, purpose: str, nonce: str, now: int, binding: Binding | None = None) -> None:
        """Spends ``nonce``: ``WrongNonce`` if never issued here, ``Expired`` if it lapsed, ``Replayed`` if
        already spent, ``WrongChallenge`` if ``binding`` is not what it was issued with (then it is not spent)."""

    def spend(self, purpose: str, nonce: str, now: int, expires_at: int) -> None:
        """Records as spent a nonce that was never stored (a verifier vouches for it with a MAC), remembered
        until ``expires_at``: ``Replayed`` if it was spent before."""


def mismatch(nonce: str) -> WrongChallenge:
    return WrongChallenge(
        f"the nonce {nonce!r} was issued for another certificate, audience or validity window than this answer names"
    )


class MemoryNonces:
    """A ``NonceStore`` in this process's memory."""

    def __init__(self) -> None:
        self._issued: dict[tuple[str, str], tuple[int, bool, Binding | None]] = {}
        self._lock = threading.Lock()
        self._sweep_at = 1024

    def issue(self, purpose: str, nonce: str, now: int, expires_at: int, binding: Binding | None = None) -> None:
        with self._lock:
            if len(self._issued) >= self._sweep_at:  # amortised: memory stays bounded by the live nonces
                self._issued = {key: entry for key, entry in self._issued.items() if entry[0] > now}
                self._sweep_at = max(1024, 2 * len(self._issued))
            self._issued[(purpose, nonce)] = (expires_at, False, binding)

    def consume(self, purpose: str, nonce: str, now: int, binding: Binding | None = None) -> None:
        with self._lock:
            entry = self._issued.get((purpose, nonce))
            if entry is None:
                raise WrongNonce(f"the nonce {nonce!r} was not issued by this verifier")
            expires_at, used, issued_for = entry
            if used:
                raise Replayed(f"the nonce {nonce!r} was already used: a signature is good once")
            if now >= expires_at:
                raise Expired(f"the nonce {nonce!r} expired at {timestamp(expires_at)}")
            if binding != issued_for:
                raise mismatch(nonce)
            self._issued[(purpose, nonce)] = (expires_at, True, issued_for)

    def spend(self, purpose: str, nonce: str, now: int, expires_at: int) -> None:
        with self._lock:
            if (purpose, nonce) in self._issued:
                raise Replayed(f"the nonce {nonce!r} was already used: a signature is good once")
        self.issue(purpose, nonce, now, expires_at)
        with self._lock:
            self._issued[(purpose, nonce)] = (expires_at, True, None)
