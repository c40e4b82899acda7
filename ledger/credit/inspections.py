"""Verifiable random inspections (双随机、一公开): who is in a round's population, the commitment to it, and the
published procedure that draws firms and inspectors from a seed no single party chooses.

The procedure (version ``PROCEDURE``), which anyone can re-run from public data alone:
1. The population is every firm certificate that matches the round's filter (province, or 0 for all; grade, or
   0 for both) and is valid (ACTIVE, within its window at the announcement's block time) in the state the chain
   had at the end of the block before the announcement block, sorted by certificate id; position p (from 0) is
   the p-th. The announcement commits to it: populationSize, and populationRoot, the Merkle root of the leaves
   keccak256(keccak256(abi.encode(uint256 p, bytes32 certificateId))) paired level by level with OpenZeppelin's
   commutative keccak256 (the smaller hash first), an odd last node carried up unchanged. Recompute the root
   from the population: a round whose root differs did not commit to the population.
2. The announcement also commits to a secret: seedCommitment = keccak256(abi.encode(bytes32 secret)). After the
   draw block (a block that did not exist when the round was announced) the secret is revealed on chain, within
   256 blocks, and seed = keccak256(abi.encode(roundId, secret, drawBlockHash)). The announcer chose its secret
   before the draw block's hash existed; the draw block's producer does not know the secret. A round not
   revealed in time is void, in public.
3. The sample: for j = 0 .. min(sampleSize, populationSize) - 1, swap positions j and
   j + uint256(keccak256(abi.encode(seed, uint256 j))) mod (populationSize - j) of the list 0 .. populationSize-1;
   the position that lands at j is drawn (a partial Fisher-Yates shuffle). The contract recomputes it and accepts
   results only for drawn positions, each with the Merkle proof of its leaf, and only from the round's
   authority (the ministry for nationwide rounds and rounds over both grades, else the province).
4. For each drawn certificate, each inspector id r of the announced roster gets the rank
   keccak256(seed ‖ roundId ‖ certificateId ‖ utf8(r)); the ``inspectorsPerFirm`` lowest are assigned.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby

from eth_abi import encode as abi_encode
from eth_utils import keccak
from sqlalchemy import Connection, select

from ledger.certificates.projection import fold, row_of
from ledger.certificates.vocabulary import Kind, Status
from ledger.credit.projection import roster_of
from ledger.store.engine import chunked
from ledger.store.models import Certificate, CertificateEvent, InspectionRound

PROCEDURE = "planning-ledger/inspection-draw/v2"
PROCEDURE_TEXT = __doc__.split("The procedure", 1)[1].split("\n", 1)[1].strip()
CHUNK = 500


@dataclass(frozen=True)
class Selection:
    certificate_id: bytes
    position: int  # in the population sorted by id: the leaf the contract checks
    proof: tuple[bytes, ...]  # the leaf's Merkle proof under the population root
    inspectors: tuple[str, ...]


def seed_commitment(secret: bytes) -> bytes:
    """What an announcement commits to (step 2): keccak256(abi.encode(secret))."""
    return keccak(abi_encode(["bytes32"], [secret]))


def seed_of(round_id: bytes, secret: bytes, draw_block_hash: bytes) -> bytes:
    """The seed once the secret is revealed (step 2), as the contract computes it."""
    return keccak(abi_encode(["bytes32", "bytes32", "bytes32"], [round_id, secret, draw_block_hash]))


def leaf(position: int, certificate_id: bytes) -> bytes:
    return keccak(keccak(abi_encode(["uint256", "bytes32"], [position, certificate_id])))


def _pair(a: bytes, b: bytes) -> bytes:
    return keccak(min(a, b) + max(a, b))


def _levels(population: Sequence[bytes]) -> list[list[bytes]]:
    level = [leaf(p, c) for p, c in enumerate(sorted(set(population)))]
    levels = [level]
    while len(level) > 1:
        level = [_pair(*level[i : i + 2]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        levels.append(level)
    return levels


def population_root(population: Sequence[bytes]) -> bytes:
    """The Merkle root of step 1 (order-free: the population is sorted first); 32 zero bytes for none."""
    return _levels(population)[-1][0] if population else bytes(32)


def merkle_proof(population: Sequence[bytes], position: int) -> tuple[bytes, ...]:
    """The proof of the leaf at ``position`` of the sorted population, for OpenZeppelin's MerkleProof."""
    proof = []
    for level in _levels(population)[:-1]:
        sibling = position ^ 1
        if sibling < len(level):
            proof.append(level[sibling])
        position //= 2
    return tuple(proof)


def sample(seed: bytes, population_size: int, sample_size: int) -> list[int]:
    """The drawn positions, in draw order (step 3): the contract's ``sampleOf``."""
    moved: dict[int, int] = {}
    drawn = []
    for j in range(min(sample_size, population_size)):
        i = j + int.from_bytes(keccak(abi_encode(["bytes32", "uint256"], [seed, j]))) % (population_size - j)
        drawn.append(moved.get(i, i))
        moved[i] = moved.get(j, j)
    return drawn


def draw(
    seed: bytes,
    round_id: bytes,
    population: Sequence[bytes],
    sample_size: int,
    roster: Sequence[str],
    inspectors_per_firm: int,
) -> list[Selection]:
    """The sample and its inspectors: a pure function of the seed, the round and the population (order-free)."""
    members = sorted(set(population))
    selections = []
    for position in sample(seed, len(members), sample_size):
        certificate_id = members[position]
        inspectors = sorted(set(roster), key=lambda r: keccak(seed + round_id + certificate_id + r.encode()))
        selections.append(
            Selection(
                certificate_id,
                position,
                merkle_proof(members, position),
                tuple(inspectors[:inspectors_per_firm]),
            )
        )
    return selections


def draw_round(round_: InspectionRound, members: Sequence[tuple[str, str]], seed: bytes) -> list[Selection]:
    """Steps 3-4 for an announced round, its ``population`` and its revealed seed."""
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
    return members(connection, round_.province, round_.grade, round_.block_number, round_.announced_at)


def members(connection: Connection, province: int, grade: int, before_block: int, at: int) -> list[tuple[str, str]]:
    """(id, number) of the firm certificates of this filter (0: any) valid at time ``at`` in the state at the end
    of block ``before_block - 1``, ordered by id: what an announcement in block ``before_block`` commits to."""
    c, e = Certificate.__table__.c, CertificateEvent.__table__.c
    query = select(c.id).where(c.kind == int(Kind.FIRM), c.issued_at <= at)
    if province:
        query = query.where(c.province == province)
    if grade:
        query = query.where(c.grade == grade)
    candidates = sorted(connection.scalars(query))
    found = []
    for chunk in chunked(candidates, CHUNK):
        rows = connection.execute(
            select(CertificateEvent.__table__)
            .where(e.certificate_id.in_(chunk), e.block_number < before_block)
            .order_by(e.certificate_id, e.block_number, e.log_index)
        ).mappings()
        for certificate_id, history in groupby(rows, key=lambda r: r["certificate_id"]):
            state = fold(row_of(r) for r in history)
            if state and state["status"] == Status.ACTIVE and state["valid_from"] <= at < state["valid_until"]:
                found.append((certificate_id, state["number"]))
    return found
