"""Single-use nonces in the database: shared by API workers, spent exactly once even when two race."""

from __future__ import annotations

import dataclasses
import threading

import pytest
from sqlalchemy import Engine

from ledger.store.nonces import DatabaseNonces
from wallet import errors
from wallet.nonces import Binding, MemoryNonces

NOW = 1_790_000_000


@pytest.fixture(params=["database", "memory"])
def nonces(request: pytest.FixtureRequest, engine: Engine) -> DatabaseNonces | MemoryNonces:
    return DatabaseNonces(engine) if request.param == "database" else MemoryNonces()


def test_spent_once_then_replayed(nonces) -> None:
    nonces.issue("siwe", "abcdefgh1", NOW, NOW + 300)
    nonces.consume("siwe", "abcdefgh1", NOW + 1)
    with pytest.raises(errors.Replayed):
        nonces.consume("siwe", "abcdefgh1", NOW + 2)


def test_never_issued_other_purpose_and_lapsed(nonces) -> None:
    nonces.issue("siwe", "abcdefgh1", NOW, NOW + 300)
    with pytest.raises(errors.WrongNonce):
        nonces.consume("siwe", "zzzzzzzz9", NOW)
    with pytest.raises(errors.WrongNonce):
        nonces.consume("presentation", "abcdefgh1", NOW)
    with pytest.raises(errors.Expired):
        nonces.consume("siwe", "abcdefgh1", NOW + 300)


def test_two_workers_racing_for_one_nonce_one_wins(engine: Engine) -> None:
    store = DatabaseNonces(engine)
    store.issue("presentation", "ff" * 32, NOW, NOW + 300)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def spend() -> None:
        barrier.wait()
        try:
            DatabaseNonces(engine).consume("presentation", "ff" * 32, NOW + 1)
            outcomes.append("spent")
        except errors.Replayed:
            outcomes.append("replayed")

    workers = [threading.Thread(target=spend) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["replayed"] * 7 + ["spent"]


def test_a_bound_nonce_is_spent_only_by_what_it_was_issued_for(nonces) -> None:
    """Issue 14, finding 8: a challenge's certificate, audience and window are compared, and a mismatch spends
    nothing (the right answer still gets through)."""
    issued = Binding("0x" + "ab" * 32, "tender.example.cn", NOW, NOW + 300)
    nonces.issue("presentation", "n1", NOW, NOW + 300, issued)
    for other in (
        dataclasses.replace(issued, certificate_id="0x" + "cd" * 32),
        dataclasses.replace(issued, audience="other.example"),
        dataclasses.replace(issued, issued_at=NOW - 1),
        dataclasses.replace(issued, expires_at=NOW + 86_400),
        None,
    ):
        with pytest.raises(errors.WrongChallenge):
            nonces.consume("presentation", "n1", NOW + 1, other)
    nonces.consume("presentation", "n1", NOW + 1, issued)
    with pytest.raises(errors.Replayed):
        nonces.consume("presentation", "n1", NOW + 2, issued)
