"""What the indexer asks of a feature: the events it follows and how it writes and forgets them.

Adding a contract to the read model is one ``Registration``: its address and ABI, and the projection that owns
its events. The indexer reads every registered contract's logs in one eth_getLogs, so the acts of all of them
arrive in chain order, and hands each batch's events to their projections in registration order inside one
database transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from eth_typing import ABI
from sqlalchemy.orm import Session

from ledger.chain.events import ChainEvent


class Projection(Protocol):
    """A feature's part of the read model."""

    @property
    def events(self) -> tuple[str, ...]:
        """The names of the contract events this projection owns (read only: a class attribute will do)."""

    def write(self, session: Session, events: Sequence[ChainEvent]) -> None:
        """Project a batch of its events (in chain order) inside the indexer's transaction."""

    def rollback(self, session: Session, ancestor: int) -> None:
        """Forget what blocks above ``ancestor`` wrote (a reorg orphaned them)."""


@dataclass(frozen=True)
class Registration:
    """One contract of the deployment and the projection of its events."""

    address: str
    abi: ABI
    projection: Projection
