"""Verifiable random inspections (双随机、一公开): who is in a round's population, and the published procedure that
draws firms and inspectors from the hash of the round's draw block.

The procedure (version ``PROCEDURE``), which anyone can re-run from public data alone:
1. The population is every firm certificate that matches the round's filter (province, or 0 for all; grade, or
   0 for both) and is valid (ACTIVE, within its window at the announcement's block time) in the state the chain
   had at the end of the block before the announcement block.
2. seed = the hash of the draw block, a block that did not exist when the round was announced.
3. Each certificate's rank is keccak256(seed ‖ roundId ‖ certificateId) (32 + 32 + 32 bytes); the sample is the
   ``sampleSize`` certificates of lowest rank (all of them if the population is smaller), in rank order.
4. For each sampled certificate, each inspector id r of the announced roster gets the rank
   keccak256(seed ‖ roundId ‖ certificateId ‖ utf8(r)); the ``inspectorsPerFirm`` lowest are assigned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from eth_utils import keccak
from sqlalchemy import Connection, select

from ledger.certificates.projection import fold, row_of
from ledger.certificates.vocabulary import Kind, Status
from ledger.credit.projection import roster_of
from ledger.store.engine import chunked
from ledger.store.models import Certificate, CertificateEvent, InspectionRound

PROCEDURE = "planning-ledger/inspection-draw/v1"
PROCEDURE_TEXT = __doc__.split("The procedure", 1)[1].split("\n", 1)[1].strip()
CHUNK = 500


@dataclass(frozen=True)
class Selection:
    certificate_id: bytes
    rank: bytes
    inspectors: tuple[str, ...]


def rank(seed: bytes, round_id: bytes, certificate_id: bytes) -> bytes:
    return keccak(seed + round_id + certificate_id)


def draw(
    seed: bytes,
    round_id: bytes,
    population: Sequence[bytes],
    sample_size: int,
    roster: Sequence[str],
    inspectors_per_firm: int,
) -> list[Selection]:
    """The sample and its inspectors: a pure function of the seed, the round and the population (order-free)."""
    ranked = sorted((rank(seed, round_id, c), c) for c in set(population))
    selections = []
    for certificate_rank, certificate_id in ranked[:sample_size]:
        inspectors = sorted(set(roster), key=lambda r: keccak(seed + round_id + certificate_id + r.encode()))
        selections.append(Selection(certificate_id, certificate_rank, tuple(inspectors[:inspectors_per_firm])))
    return selections


def draw_round(round_: InspectionRound, members: Sequence[tuple[str, str]], seed: bytes) -> list[Selection]:
    """Steps 2-4 for an announced round, its ``population`` and the hash of its draw block."""
    return draw(
        seed,
        bytes.fromhex(round_.id[2:]),
        [bytes.fromhex(cid[2:]) for cid, _ in members],
        round_.sample_size,
        roster_of(round_.roster),
        round_.inspectors_per_firm,
    )


def population(connection: Connection, round_: InspectionRound) -> list[tuple[str, str]]:
    """(id, number) of the firm certificates in a round's population, ordered by id (see step 1)."""
    before_block, at = round_.block_number, round_.announced_at
    c, e = Certificate.__table__.c, CertificateEvent.__table__.c
    query = select(c.id).where(c.kind == int(Kind.FIRM), c.issued_at <= at)
    if round_.province:
        query = query.where(c.province == round_.province)
    if round_.grade:
        query = query.where(c.grade == round_.grade)
    candidates = sorted(connection.scalars(query))
    members = []
    for chunk in chunked(candidates, CHUNK):
        rows = connection.execute(
            select(CertificateEvent.__table__)
            .where(e.certificate_id.in_(chunk), e.block_number < before_block)
            .order_by(e.certificate_id, e.block_number, e.log_index)
        ).mappings()
        for certificate_id, history in groupby(rows, key=lambda r: r["certificate_id"]):
            state = fold(row_of(r) for r in history)
            if state and state["status"] == Status.ACTIVE and state["valid_from"] <= at < state["valid_until"]:
                members.append((certificate_id, state["number"]))
    return members
