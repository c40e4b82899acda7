"""Chain-confirmed verdicts: what the registry itself holds of the fields a verdict rests on, compared with the
read model, so that a row changed in the database (by its administrator, by a bug, by a restore) is never served as
the truth.

A verdict (status, validity, a document's match) rests on seven stored fields: status, validity window, holder,
document hash, grade and employer. ``VerdictCache`` reads them from the contract at the indexed block, one JSON-RPC
batch for all the certificates an answer names, and keeps each reading until the chain says it may have changed:
before the cache answers for a later indexed block it reads that range's registry logs from the node (one
``eth_getLogs``) and drops every certificate any log names, in a topic or a data word. Every write to a certificate's
stored fields emits an event naming its id (a renewal names the superseded one as ``predecessor``), so a reading
that no log has named since is still the contract's state. The database is asked nothing here: a forged event row
or checkpoint cannot keep a reading alive. ``docs/design.md#chain-confirmed-verdicts`` has the argument in full.
"""

from __future__ import annotations

import logging
import operator
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.exceptions import Web3Exception

from ledger.certificates.vocabulary import Status
from ledger.chain.calls import REFUSED, Call, call_many
from ledger.errors import ChainUnavailable
from ledger.store.engine import chunked

log = logging.getLogger(__name__)

ZERO = "0x" + "00" * 32
MAX_SCAN = 2_000  # blocks of logs asked at once to keep readings; past it, readings are dropped and read again
CHUNK = 500  # eth_calls per JSON-RPC batch: a national tender's thousand certificates in two round trips


@dataclass(frozen=True)
class Reading:
    """A certificate's verdict fields as the contract holds them at ``block`` (in the read model's encoding:
    0x-hex hashes, checksummed holder, None for no employer)."""

    block: int
    status: int
    valid_from: int
    valid_until: int
    holder: str
    document_hash: str
    grade: int
    employer: str | None
    kind: int  # not a verdict field (it never changes), but an answer from the chain alone names it

    def fields(self) -> dict[str, Any]:
        """The verdict fields by read-model column name."""
        return {name: getattr(self, name) for name in VERDICT_FIELDS}

    def window(self, now: int) -> tuple[bool, bool]:
        """Which side of the validity window's start and end ``now`` is on: all a status and validity derive from,
        besides the fields, so an answer judged at one instant holds at another on the same sides."""
        return now >= self.valid_from, now >= self.valid_until


# The read-model columns a verdict rests on, each with the name the API and the log publish it under.
VERDICT_FIELDS = {
    "status": "status",
    "valid_from": "validFrom",
    "valid_until": "validUntil",
    "holder": "holder",
    "document_hash": "documentHash",
    "grade": "grade",
    "employer": "employer",
}


@dataclass(frozen=True)
class Disagreement:
    """One verdict field (by its published name; ``record``: the certificate itself, on one side only) on which
    the read model and the chain differ."""

    field: str
    index: Any
    chain: Any


_OF_STATE, _OF_READING = operator.itemgetter(*VERDICT_FIELDS), operator.attrgetter(*VERDICT_FIELDS)


def disagreements(state: Mapping[str, Any], reading: Reading) -> list[Disagreement]:
    """The verdict fields where ``state`` (a read-model row) differs from the chain's ``reading``; none if equal.
    Addresses and hashes compare without regard to case, as the chain does. All fields are compared at once
    first (a batch judges a thousand rows, nearly all equal as they are), one by one only if they differ."""
    try:
        if _OF_STATE(state) == _OF_READING(reading):
            return []
    except KeyError:  # a state without some verdict field: compared one by one, as None
        pass
    found = []
    for name, published in VERDICT_FIELDS.items():
        index, chain = state.get(name), getattr(reading, name)
        if index != chain and _comparable(index) != _comparable(chain):  # (equal as they are, nearly always)
            found.append(Disagreement(published, index, chain))
    return found


UNRECOGNISED = frozenset({"number", "record"})  # a row that is not the registry's certificate of its number at all


def judged(state: Mapping[str, Any], reading: Reading | None) -> list[Disagreement]:
    """Everything that keeps a read-model row from being the registry's certificate as ``reading`` holds it: a row
    under another certificate's number (its id is not keccak256 of its number), one the registry never wrote, or
    the verdict fields that differ. Empty when the row is the chain's. The answers and the audit judge alike."""
    if id_of(state["number"]) != state["id"]:
        return [Disagreement("number", state["number"], None)]
    if reading is None:
        return [Disagreement("record", "present", None)]
    return disagreements(state, reading)


@lru_cache(maxsize=65_536)
def id_of(number: str) -> str:
    """A number's id on chain (keccak256, 0x-hex), remembered: every answer checks it, a register has some 17,000."""
    return "0x" + keccak(text=number).hex()


def _comparable(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


def _reading(block: int, view: Sequence[Any]) -> Reading:
    """A reading from the ``certificate(id)`` view's tuple (subject, documentHash, holder, validFrom, validUntil,
    status, kind, issuer, grade, province, version, heldSince, employer, predecessor, successor)."""
    employer = _hex(view[12])
    return Reading(
        block=block,
        status=int(view[5]),
        valid_from=int(view[3]),
        valid_until=int(view[4]),
        holder=Web3.to_checksum_address(view[2]),
        document_hash=_hex(view[1]),
        grade=int(view[8]),
        employer=None if employer == ZERO else employer,
        kind=int(view[6]),
    )


def read(w3: Web3, registry: Contract, ids: Sequence[str], block: int) -> dict[str, Reading | None]:
    """Each id's reading at ``block`` (None: the contract holds no such certificate); one batch per CHUNK ids. A
    node that does not answer raises ChainUnavailable."""
    found: dict[str, Reading | None] = {}
    for chunk in chunked(list(ids), CHUNK):
        calls = [Call(registry, "certificate", (bytes.fromhex(i[2:]),)) for i in chunk]
        for cid, view in zip(chunk, call_many(w3, calls, hex(block)), strict=True):
            found[cid] = None if view is REFUSED else _reading(block, view)
    return found


@dataclass(frozen=True)
class Dispute:
    """A certificate whose read-model row the chain contradicts, as last seen by this process."""

    certificate_id: str
    number: str
    fields: tuple[str, ...]
    at: int


class VerdictCache:
    """Readings of the registry at the indexed block, each kept until a registry log names its certificate.

    One per process (an API worker): ``confirm`` is safe from several threads. ``w3`` and ``registry`` are
    callables so that a worker that lost its node connects afresh on the next question."""

    def __init__(self, w3: Callable[[], Web3], registry: Callable[[], Contract], limit: int = 200_000) -> None:
        self._w3 = w3
        self._registry = registry
        self._limit = limit
        self._lock = threading.Lock()
        self._readings: dict[str, Reading | None] = {}
        self._scanned: int | None = None  # the last block whose registry logs have been applied
        self.reached_at: float | None = None  # when this process last had an answer from the node
        self.disputes: dict[str, Dispute] = {}
        self.disputes_seen = 0

    def confirm(self, ids: Iterable[str], block: int) -> dict[str, Reading | None]:
        """The chain's reading of each id at ``block`` (the indexed block), from the cache where no log has named
        the certificate since it was read, else from the node. Raises ChainUnavailable if the node is needed and
        does not answer."""
        wanted = list(dict.fromkeys(ids))
        with self._lock:
            self._advance(block)
            known = {i: self._readings[i] for i in wanted if i in self._readings}
        missing = [i for i in wanted if i not in known]
        if not missing:
            return known
        fresh = self._call(lambda: read(self._w3(), self._registry(), missing, block))
        with self._lock:
            if self._scanned == block:  # nothing moved while we read: keep what we read
                if len(self._readings) + len(fresh) > self._limit:
                    self._readings.clear()
                self._readings.update(fresh)
        return {**known, **fresh}

    def __len__(self) -> int:
        """How many readings are kept."""
        return len(self._readings)

    def preload(self, ids: Sequence[str], block: int) -> int:
        """Read ``ids`` at ``block`` into the cache, a batch at a time (a worker warming itself with the whole read
        model: the national register is some 17,000 readings, 3 MB); stops as soon as the cache has moved on to
        another block. Returns how many readings were kept."""
        kept = 0
        for chunk in chunked(list(ids), CHUNK):
            with self._lock:
                if self._scanned is None:
                    self._scanned = block
                if self._scanned != block or len(self._readings) + len(chunk) > self._limit:
                    return kept
                chunk = [i for i in chunk if i not in self._readings]
            fresh = self._call(lambda chunk=chunk: read(self._w3(), self._registry(), chunk, block))  # type: ignore[misc]
            with self._lock:
                if self._scanned != block:
                    return kept
                self._readings.update(fresh)
                kept += len(fresh)
        return kept

    def _advance(self, block: int) -> None:
        """Drop the readings that registry logs in (scanned, block] may have changed; on a step back (a reorg,
        a rebuilt index), drop every reading."""
        if self._scanned is None or block < self._scanned:
            self._readings.clear()
        elif block > self._scanned and self._readings:
            if block - self._scanned > MAX_SCAN:  # a long absence: reading afresh is cheaper than a wide log query
                self._readings.clear()
            else:
                registry = self._registry()
                query = {"address": registry.address, "fromBlock": hex(self._scanned + 1), "toBlock": hex(block)}
                try:
                    logs = self._call(lambda: self._w3().eth.get_logs(query))  # type: ignore[arg-type]
                except (ChainUnavailable, Web3Exception):  # whatever the node refused, no reading may outlive it
                    self._readings.clear()
                    self._scanned = block
                    raise ChainUnavailable("the node gave no registry logs to confirm kept readings") from None
                for word in _words(logs):
                    self._readings.pop(word, None)
        self._scanned = block

    def _call(self, ask: Callable[[], Any]) -> Any:
        try:
            answer = ask()
        except (ChainUnavailable, OSError) as exc:
            raise ChainUnavailable(f"the chain node does not answer: {exc}") from exc
        self.reached_at = time.time()
        return answer

    def record_dispute(self, certificate_id: str, number: str, found: Sequence[Disagreement]) -> None:
        """Log and count a disagreement between the read model and the chain (the operator must see it)."""
        fields = tuple(d.field for d in found)
        with self._lock:
            self.disputes_seen += 1
            self.disputes[certificate_id] = Dispute(certificate_id, number, fields, int(time.time()))
        log.error(
            "read model disagrees with the chain for certificate %s (%s): %s",
            number,
            certificate_id,
            "; ".join(f"{d.field} index={d.index!r} chain={d.chain!r}" for d in found),
        )

    def settle(self, certificate_id: str) -> None:
        """A certificate once disputed that now agrees with the chain (the read model was rebuilt)."""
        with self._lock:
            self.disputes.pop(certificate_id, None)


def _words(logs: Iterable[Any]) -> set[str]:
    """Every 32-byte word a batch of logs carries (topics after the signature, and the data), as 0x-hex: a
    superset of the certificate ids they name."""
    words: set[str] = set()
    for entry in logs:
        for topic in entry["topics"][1:]:
            words.add(_hex(bytes(topic)))
        data = bytes(entry["data"])
        words.update(_hex(data[i : i + 32]) for i in range(0, len(data) - 31, 32))
    return words


def status_name(value: Any) -> str:
    """A stored status's name, or the raw value when it is none of the contract's (a corrupted row)."""
    try:
        return Status(value).name
    except ValueError:
        return str(value)
