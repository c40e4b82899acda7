"""The indexer: follows the registry's events into the read model.

It reads logs in adaptive block ranges up to a configurable number of blocks behind the head, writes every batch
of rows together with its checkpoint in one database transaction (a crash loses nothing and duplicates nothing:
the next run starts from the checkpoint), remembers the hash of every block it read, and on a reorg rolls back
what the orphaned blocks wrote and reads the new branch.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.orm import Session
from web3 import Web3

from ledger.certificates.projection import State, apply, employment_periods, fold, history_rows
from ledger.certificates.vocabulary import Kind
from ledger.chain.events import CERTIFICATE_EVENTS, ChainEvent, EventDecoder
from ledger.credit.projection import (
    CREDIT_EVENTS,
    RESTORATION_COLUMNS,
    credit_record_row,
    inspection_result_row,
    inspection_round_row,
    restoration_fields,
)
from ledger.errors import IndexMismatch, LedgerError
from ledger.store.engine import chunked
from ledger.store.models import (
    PROJECTION,
    Block,
    Certificate,
    CertificateEvent,
    Checkpoint,
    CreditRecord,
    EmploymentPeriod,
    Firm,
    InspectionResult,
    InspectionRound,
    Planner,
)
from wallet.devkeys import is_local_chain

log = logging.getLogger(__name__)
CHUNK = 500  # ids per IN (...) clause: well under every database's parameter limit


def default_confirmations(chain_id: int) -> int:
    """How far behind the head to stay: nothing on a local chain (it mines on demand), 12 blocks elsewhere."""
    return 0 if is_local_chain(chain_id) else 12


@dataclass(frozen=True)
class SyncReport:
    events: int
    from_block: int
    to_block: int
    rolled_back_to: int | None = None


class Indexer:
    """Projects one registry deployment into the read model. Safe to run again at any time.

    With ``credit_address`` (and the credit registry's ABI in ``credit_abi``) it follows the credit registry's
    events too: one eth_getLogs over both addresses, so both contracts' acts arrive in chain order."""

    def __init__(
        self,
        w3: Web3,
        engine: Engine,
        *,
        address: str,
        abi: list[dict[str, Any]],
        deployment_block: int,
        credit_address: str | None = None,
        credit_abi: list[dict[str, Any]] | None = None,
        confirmations: int | None = None,
        target_logs: int = 5_000,
        max_range: int = 50_000,
    ) -> None:
        self.w3 = w3
        self.engine = engine
        self.address = Web3.to_checksum_address(address)
        self.addresses = [self.address]
        if credit_address is not None:
            self.addresses.append(Web3.to_checksum_address(credit_address))
            self.decoder = EventDecoder(abi + (credit_abi or []), CERTIFICATE_EVENTS + CREDIT_EVENTS)
        else:
            self.decoder = EventDecoder(abi)
        self.deployment_block = deployment_block
        self.chain_id = w3.eth.chain_id
        self.confirmations = default_confirmations(self.chain_id) if confirmations is None else confirmations
        self.target_logs = target_logs
        self.max_range = max_range
        self._range = 2_000

    # ---- public ----

    def sync(self) -> SyncReport:
        """Index everything up to the safe head; returns how many events were read."""
        rolled_back_to = self._handle_reorg()
        with Session(self.engine) as session:
            checkpoint = self._checkpoint(session)
        start = checkpoint.block_number + 1 if checkpoint else self.deployment_block
        head = self._head()
        safe_head = head - self.confirmations
        events, position = 0, start
        while position <= safe_head:
            end = min(position + self._range - 1, safe_head)
            logs, end = self._logs(position, end)
            self._write_batch(logs, end, head)
            events += len(logs)
            self._adapt(len(logs))
            position = end + 1
        return SyncReport(events, start, max(start - 1, safe_head), rolled_back_to)

    def run_forever(self, interval: float = 1.0) -> None:
        """Follow the chain until interrupted; a node that goes away is waited for, not fatal."""
        while True:
            try:
                report = self.sync()
                if report.events or report.rolled_back_to is not None:
                    log.info("indexed %d events up to block %d", report.events, report.to_block)
            except (ConnectionError, OSError) as exc:
                log.warning("chain unavailable, retrying: %s", exc)
            time.sleep(interval)

    def issued_ids(self) -> set[bytes]:
        """Ids of every certificate issued so far, read from the chain's events (not the read model)."""
        ids: set[bytes] = set()
        position, head = self.deployment_block, self._head()
        while position <= head:
            raw, end = self._raw_logs(
                position, min(position + self._range - 1, head), [self.decoder.topic("CertificateIssued")]
            )
            ids.update(bytes.fromhex(entry["topics"][1][2:]) for entry in raw if not entry.get("removed"))
            self._adapt(len(raw))
            position = end + 1
        return ids

    def reset(self) -> None:
        """Drop the whole projection (the vault stays): the next sync rebuilds it from the deployment block."""
        with Session(self.engine) as session, session.begin():
            for table in PROJECTION:
                session.execute(delete(table))

    # ---- reading the chain ----

    def _rpc(self, method: str, *params: Any) -> Any:
        response = self.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
        if "error" in response:
            raise _RangeTooLarge(response["error"]) if method == "eth_getLogs" else LedgerError(response["error"])
        return response["result"]

    def _logs(self, start: int, end: int) -> tuple[list[ChainEvent], int]:
        """Events of [start, end'] with end' ≤ end: the range shrinks while the node refuses it as too large."""
        while True:
            try:
                raw = self._rpc(
                    "eth_getLogs",
                    {
                        "address": self.addresses,
                        "fromBlock": hex(start),
                        "toBlock": hex(end),
                        "topics": [self.decoder.topics],
                    },
                )
                break
            except _RangeTooLarge:
                if end == start:
                    raise
                end = start + (end - start) // 2
                self._range = end - start + 1
        times = self._block_times(raw)
        events = (self.decoder.decode(entry, times[entry["blockNumber"]]) for entry in raw if not entry.get("removed"))
        return [e for e in events if e is not None], end

    def _raw_logs(self, start: int, end: int, topics: list[str]) -> tuple[list[dict[str, Any]], int]:
        """Raw logs of [start, end'] with end' ≤ end: the range shrinks while the node refuses it as too large."""
        while True:
            query = {"address": self.address, "fromBlock": hex(start), "toBlock": hex(end), "topics": [topics]}
            try:
                return self._rpc("eth_getLogs", query), end
            except _RangeTooLarge:
                if end == start:
                    raise
                end = start + (end - start) // 2
                self._range = end - start + 1

    def _block_times(self, raw: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Block timestamps: from the logs where the node includes them, else from the blocks (one batch)."""
        times = {e["blockNumber"]: int(e["blockTimestamp"], 16) for e in raw if e.get("blockTimestamp")}
        missing = sorted({e["blockNumber"] for e in raw} - set(times))
        if missing:
            with self.w3.batch_requests() as batch:
                for number in missing:
                    batch.add(self.w3.eth.get_block(int(number, 16)))
                for number, block in zip(missing, batch.execute(), strict=True):
                    times[number] = block["timestamp"]
        return times

    def _adapt(self, count: int) -> None:
        """Aim each request at about ``target_logs`` logs: few logs widen the range, many narrow it."""
        scaled = self._range * self.target_logs // max(count, 1)
        self._range = max(1, min(self.max_range, scaled, self._range * 4))

    def _head(self) -> int:
        return int(self._rpc("eth_blockNumber"), 16)

    def _header(self, number: int) -> tuple[str, int]:
        """Hash and timestamp of a block, which must exist."""
        block = self._rpc("eth_getBlockByNumber", hex(number), False)
        if block is None:
            raise LedgerError(f"block {number} is not on the chain")
        return block["hash"], int(block["timestamp"], 16)

    def _block_hash(self, number: int) -> str | None:
        """The chain's hash at ``number``, or None once the chain is shorter than that (a reorg can shorten it)."""
        block = self._rpc("eth_getBlockByNumber", hex(number), False)
        return None if block is None else block["hash"]

    # ---- writing the read model ----

    def _checkpoint(self, session: Session) -> Checkpoint | None:
        checkpoints = session.scalars(select(Checkpoint)).all()
        if not checkpoints:
            return None
        checkpoint = checkpoints[0]
        if len(checkpoints) > 1 or checkpoint.contract != self.address or checkpoint.chain_id != self.chain_id:
            raise IndexMismatch(
                f"the database indexes registry {checkpoint.contract} on chain {checkpoint.chain_id}, not "
                f"{self.address} on chain {self.chain_id}: run `ledger reindex` to rebuild it for this one"
            )
        return checkpoint

    def _write_batch(self, events: list[ChainEvent], end: int, head: int) -> None:
        """One transaction: the history rows, the states and periods they change, the blocks, the checkpoint."""
        end_hash, end_time = self._header(end)
        with Session(self.engine) as session, session.begin():
            states = _load_states(session, _referenced_ids(events))
            rows = []
            for event in events:
                if event.name in CREDIT_EVENTS:
                    continue
                for row in history_rows(event, states.get):
                    states[row["certificate_id"]] = apply(states.get(row["certificate_id"]), row)
                    rows.append(row)
            touched = {row["certificate_id"]: states[row["certificate_id"]] for row in rows}
            _insert(session, CertificateEvent, rows)
            _store_states(session, touched.keys(), touched.values())
            _write_credit(session, [e for e in events if e.name in CREDIT_EVENTS], states)
            blocks = {(e.block_number, e.block_hash, e.block_time) for e in events} | {(end, end_hash, end_time)}
            _insert(session, Block, [{"number": n, "hash": h, "timestamp": t} for n, h, t in sorted(blocks)])
            session.merge(
                Checkpoint(
                    contract=self.address,
                    chain_id=self.chain_id,
                    block_number=end,
                    block_hash=end_hash,
                    head_seen=head,
                    updated_at=int(time.time()),
                )
            )

    # ---- reorgs ----

    def _handle_reorg(self) -> int | None:
        """If the block the checkpoint names is no longer on the chain, roll back to the newest block the index
        and the chain still agree on. Returns that block number, or None when there was no reorg."""
        with Session(self.engine) as session:
            checkpoint = self._checkpoint(session)
            if checkpoint is None or self._block_hash(checkpoint.block_number) == checkpoint.block_hash:
                return None
            known = session.execute(
                select(Block.number, Block.hash)
                .where(Block.number < checkpoint.block_number)
                .order_by(Block.number.desc())
            ).all()
        ancestor = next((n for n, h in known if self._block_hash(n) == h), self.deployment_block - 1)
        log.warning("reorg: block %d changed; rolling back to block %d", checkpoint.block_number, ancestor)
        self._rollback(ancestor)
        return ancestor

    def _rollback(self, ancestor: int) -> None:
        """Forget everything above ``ancestor`` and recompute the certificates it touched from what remains."""
        with Session(self.engine) as session, session.begin():
            orphaned = session.scalars(
                select(CertificateEvent.certificate_id).where(CertificateEvent.block_number > ancestor).distinct()
            ).all()
            session.execute(delete(CertificateEvent).where(CertificateEvent.block_number > ancestor))
            session.execute(delete(Block).where(Block.number > ancestor))
            _rollback_credit(session, ancestor)
            states = [s for _, rows in _history_of(session, orphaned) if (s := fold(rows)) is not None]
            _store_states(session, orphaned, states)
            checkpoint = session.scalars(select(Checkpoint)).one()
            if ancestor < self.deployment_block:
                session.delete(checkpoint)
            else:
                checkpoint.block_number = ancestor
                checkpoint.block_hash = self._block_hash(ancestor) or ""


class _RangeTooLarge(LedgerError):
    """The node refused an eth_getLogs range (too many results or too wide)."""


# ---- storing states (shared by the forward path and the rollback) ----


def _referenced_ids(events: Iterable[ChainEvent]) -> set[str]:
    ids = set()
    for event in events:
        if event.name == "CreditRecorded":
            ids.add(event.args["certificate"])
        elif event.name not in CREDIT_EVENTS:
            ids.add(event.args["id"])
        if event.name == "CertificateIssued":
            ids.add(event.args["predecessor"])
    return ids


# ---- credit records and inspections (their rows depend on nothing but the certificate a record names) ----


def _write_credit(session: Session, events: list[ChainEvent], states: dict[str, State]) -> None:
    """Insert the batch's credit rows in bulk, records before restorations: on chain a restoration always comes
    after the record it restores, so it finds that row whether it arrived in this batch or an earlier one."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in CREDIT_EVENTS}
    for event in events:
        if event.name == "CreditRecorded":
            rows[event.name].append(credit_record_row(event, states[event.args["certificate"]]["kind"]))
        elif event.name == "InspectionAnnounced":
            rows[event.name].append(inspection_round_row(event))
        elif event.name == "InspectionResultRecorded":
            rows[event.name].append(inspection_result_row(event))
    _insert(session, CreditRecord, rows["CreditRecorded"])
    _insert(session, InspectionRound, rows["InspectionAnnounced"])
    _insert(session, InspectionResult, rows["InspectionResultRecorded"])
    for event in events:
        if event.name == "CreditRestored":
            session.execute(
                update(CreditRecord).where(CreditRecord.id == event.args["record"]).values(restoration_fields(event))
            )


def _rollback_credit(session: Session, ancestor: int) -> None:
    """Forget the credit acts above ``ancestor``: records, restorations, rounds and results."""
    session.execute(delete(CreditRecord).where(CreditRecord.block_number > ancestor))
    session.execute(
        update(CreditRecord).where(CreditRecord.restored_block > ancestor).values(dict.fromkeys(RESTORATION_COLUMNS))
    )
    session.execute(delete(InspectionRound).where(InspectionRound.block_number > ancestor))
    session.execute(delete(InspectionResult).where(InspectionResult.block_number > ancestor))


def _load_states(session: Session, ids: Iterable[str]) -> dict[str, State]:
    table = Certificate.__table__
    states: dict[str, State] = {}
    for chunk in chunked(list(ids), CHUNK):
        for row in session.execute(select(table).where(table.c.id.in_(chunk))).mappings():
            states[row["id"]] = dict(row)
    return states


def _store_states(session: Session, ids: Iterable[str], states: Iterable[State]) -> None:
    """Replace the certificates ``ids`` by ``states`` (an id without a state is deleted), then refresh what
    depends on them: employment periods of planner certificates, and their firms and planners."""
    ids = list(ids)
    states = list(states)
    old_subjects = set()
    for chunk in chunked(list(ids), CHUNK):
        old_subjects.update(session.scalars(select(Certificate.subject).where(Certificate.id.in_(chunk))))
        session.execute(delete(Certificate).where(Certificate.id.in_(chunk)))
        session.execute(delete(EmploymentPeriod).where(EmploymentPeriod.certificate_id.in_(chunk)))
    _insert(session, Certificate, states)
    planners = {s["id"]: s for s in states if s["kind"] == Kind.PLANNER}
    periods = [p for cid, rows in _history_of(session, planners) for p in employment_periods(planners[cid], rows)]
    _insert(session, EmploymentPeriod, periods)
    _refresh_subjects(session, old_subjects | {s["subject"] for s in states})


def _history_of(session: Session, ids: Iterable[str]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Each certificate's history rows in chain order."""
    table = CertificateEvent.__table__
    for chunk in chunked(list(ids), CHUNK):
        query = (
            select(table)
            .where(table.c.certificate_id.in_(chunk))
            .order_by(table.c.certificate_id, table.c.block_number, table.c.log_index)
        )
        for cid, rows in groupby(session.execute(query).mappings(), key=lambda r: r["certificate_id"]):
            yield cid, [dict(r) for r in rows]


def _refresh_subjects(session: Session, subjects: set[str]) -> None:
    """Firms and planners as the latest act on any of their certificates describes them."""
    firms, planners = [], []
    for chunk in chunked(list(subjects), CHUNK):
        session.execute(delete(Firm).where(Firm.subject.in_(chunk)))
        session.execute(delete(Planner).where(Planner.subject.in_(chunk)))
        query = (
            select(
                Certificate.subject, Certificate.kind, Certificate.name, Certificate.credit_code, Certificate.province
            )
            .where(Certificate.subject.in_(chunk))
            .order_by(Certificate.subject, Certificate.last_block.desc(), Certificate.last_log_index.desc())
        )
        for subject, group in groupby(session.execute(query), key=lambda r: r.subject):
            latest = next(group)
            if latest.kind == Kind.FIRM:
                firms.append(
                    {
                        "subject": subject,
                        "credit_code": latest.credit_code,
                        "name": latest.name,
                        "province": latest.province,
                    }
                )
            else:
                planners.append({"subject": subject, "name": latest.name})
    _insert(session, Firm, firms)
    _insert(session, Planner, planners)


def _insert(session: Session, model: type, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(model.__table__), rows)  # type: ignore[attr-defined]
