"""Checks that the read model says what the chain says, and snapshots of it to compare two builds row by row."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ledger.certificates.client import RegistryClient
from ledger.store.models import PROJECTION, Certificate, Checkpoint


def assert_read_model_matches_chain(engine: Engine, client: RegistryClient) -> int:
    """Every certificate in the read model has the chain's stored state; returns how many were compared."""
    with Session(engine) as session:
        certificates = session.scalars(select(Certificate)).all()
    for c in certificates:
        chain = client.certificate(c.id)
        assert int(chain.status) == c.status, c.number  # both the stored status: EXPIRED is derived on read
        assert "0x" + chain.document_hash.hex() == c.document_hash, c.number
        assert chain.version == c.version and chain.holder == c.holder, c.number
        assert (chain.valid_from, chain.valid_until, chain.held_since) == (c.valid_from, c.valid_until, c.held_since)
        assert chain.issuer == c.issuer and int(chain.grade) == c.grade and chain.province == c.province
        assert _hex(chain.employer) == c.employer and _hex(chain.predecessor) == c.predecessor, c.number
        assert _hex(chain.successor) == c.successor, c.number
    return len(certificates)


def projection_snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every projection row, sorted, without the checkpoint's wall-clock fields."""
    snapshot = {}
    with Session(engine) as session:
        for model in PROJECTION:
            table = model.__table__
            columns = [
                c
                for c in table.columns
                if not (model is Checkpoint and c.name in ("updated_at", "head_seen", "seen_at"))
            ]
            snapshot[table.name] = sorted(tuple(r) for r in session.execute(select(*columns)))
    return snapshot


def _hex(value: bytes) -> str | None:
    return None if value == b"\0" * 32 else "0x" + value.hex()
