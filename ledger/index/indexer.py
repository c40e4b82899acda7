"""The indexer: follows the registered contracts' events into the read model.

It reads logs in adaptive block ranges up to a configurable number of blocks behind the head, writes every batch
of rows together with its checkpoint in one database transaction (a crash loses nothing and duplicates nothing:
the next run starts from the checkpoint), remembers the hash of every block it read, and on a reorg rolls back
what the orphaned blocks wrote and reads the new branch. What the rows are is the registered projections'
business (``ledger.index.projections``): the indexer dispatches each event by its name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict, cast

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session
from web3 import Web3
from web3.types import BlockData, RPCEndpoint

from ledger.chain.events import ChainEvent, EventDecoder, RawLog
from ledger.errors import IndexMismatch, LedgerError
from ledger.index.projections import Projection, Registration
from ledger.settings import configured_confirmations
from ledger.store.engine import insert_rows
from ledger.store.models import PROJECTION, Block, Checkpoint
from wallet.devkeys import NETWORK_CHAIN_ID, is_local_chain

log = logging.getLogger(__name__)


def default_confirmations(chain_id: int) -> int:
    """How far behind the head to stay unless LEDGER_CONFIRMATIONS says: nothing on anvil (it mines on demand, one
    node, no branches), two blocks on the development network of Clique sealers (three sealers: a branch a cut-off
    sealer builds alone is one block long, ``ledger.chain.network``), 12 blocks elsewhere."""
    configured = configured_confirmations()
    if configured is not None:
        return configured
    if chain_id == NETWORK_CHAIN_ID:
        return 2
    return 0 if is_local_chain(chain_id) else 12


class RawHeader(TypedDict):
    """What the indexer reads of an eth_getBlockByNumber result (quantities are 0x-hex)."""

    hash: str
    timestamp: str


class LogQuery(TypedDict, total=False):
    """An eth_getLogs filter (block numbers are 0x-hex)."""

    address: str | Sequence[str]
    topics: list[list[str]]
    fromBlock: str
    toBlock: str


@dataclass(frozen=True)
class SyncReport:
    events: int
    from_block: int
    to_block: int
    rolled_back_to: int | None = None


ANALYZE_EVERY = 1_000


class Indexer:
    """Projects one deployment's registered contracts into the read model. Safe to run again at any time.

    The first registration is the deployment's anchor (the checkpoint names its address); every registered
    contract's logs come in one eth_getLogs, so their acts arrive in chain order."""

    def __init__(
        self,
        w3: Web3,
        engine: Engine,
        registrations: Sequence[Registration],
        *,
        deployment_block: int,
        confirmations: int | None = None,
        target_logs: int = 5_000,
        max_range: int = 50_000,
    ) -> None:
        self.w3 = w3
        self.engine = engine
        self.addresses = [Web3.to_checksum_address(r.address) for r in registrations]
        self.address = self.addresses[0]
        self.projections: list[Projection] = [r.projection for r in registrations]
        self._projection_of = {name: r.projection for r in registrations for name in r.projection.events}
        self._address_of = {
            name: address
            for r, address in zip(registrations, self.addresses, strict=True)
            for name in r.projection.events
        }
        self.decoder = EventDecoder([e for r in registrations for e in r.abi], tuple(self._projection_of))
        self.deployment_block = deployment_block
        self.chain_id = w3.eth.chain_id
        self.confirmations = default_confirmations(self.chain_id) if confirmations is None else confirmations
        self.target_logs = target_logs
        self.max_range = max_range
        self._range = 2_000
        self._unanalysed = 0  # events written since the last ANALYZE

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
        if position == start:  # nothing to write: the checkpoint still says the node answered
            self._saw(head)
        self._refresh_statistics(events)
        return SyncReport(events, start, max(start - 1, safe_head), rolled_back_to)

    def run_forever(self, interval: float = 1.0, after_sync: Callable[[], object] | None = None) -> None:
        """Follow the chain until interrupted; a node that goes away is waited for, not fatal. ``after_sync`` runs
        after every poll that reached the node (the continuous audit's next slice)."""
        while True:
            try:
                report = self.sync()
                if report.events or report.rolled_back_to is not None:
                    log.info("indexed %d events up to block %d", report.events, report.to_block)
                if after_sync is not None:
                    try:
                        after_sync()
                    except (ConnectionError, OSError):
                        raise
                    except Exception:  # the audit is a second job: its fault is logged, indexing goes on
                        log.exception("the job after the poll failed; indexing continues")
            except (ConnectionError, OSError) as exc:
                log.warning("chain unavailable, retrying: %s", exc)
            time.sleep(interval)

    def _refresh_statistics(self, events: int) -> None:
        """ANALYZE once every ANALYZE_EVERY events written: without statistics SQLite picks the first index of a
        query's leading column (every planner of the register by ``kind``) over the selective one (a firm's
        planners by ``employer``): 8 ms against 0.15 ms over the synthetic register. PostgreSQL's autovacuum does the
        same by itself; ANALYZE there is merely early."""
        self._unanalysed += events
        if self._unanalysed >= ANALYZE_EVERY:
            with self.engine.begin() as connection:
                connection.exec_driver_sql("ANALYZE")
            self._unanalysed = 0

    def logged_ids(self, event: str, start: int | None = None, end: int | None = None) -> set[bytes]:
        """The first indexed topic (an id) of every ``event`` in blocks [start, end] (by default: since the
        deployment, up to the head), read from the chain (not the read model): e.g. the certificates issued, for an
        import that resumes or an audit that looks for rows the read model lacks."""
        ids: set[bytes] = set()
        position = self.deployment_block if start is None else start
        head = self._head() if end is None else end
        query: LogQuery = {"address": self._address_of[event], "topics": [[self.decoder.topic(event)]]}
        while position <= head:
            raw, end = self._ranged_logs(query, position, min(position + self._range - 1, head))
            ids.update(bytes.fromhex(entry["topics"][1][2:]) for entry in raw if not entry.get("removed"))
            self._adapt(len(raw))
            position = end + 1
        return ids

    def indexes_another_deployment(self) -> bool:
        """Whether the read model holds the index of another deployment (one replaced since, or another chain's)."""
        with Session(self.engine) as session:
            try:
                self._checkpoint(session)
            except IndexMismatch:
                return True
        return False

    def reset(self) -> None:
        """Drop the whole projection (the vault stays): the next sync rebuilds it from the deployment block."""
        with Session(self.engine) as session, session.begin():
            for table in PROJECTION:
                session.execute(delete(table))

    # ---- reading the chain ----

    def _rpc(self, method: str, *params: object) -> Any:
        """The raw JSON result of one call, unformatted by web3 (the callers say what shape it has)."""
        response = self.w3.provider.make_request(RPCEndpoint(method), list(params))
        if "error" in response:
            raise _RangeTooLarge(response["error"]) if method == "eth_getLogs" else LedgerError(response["error"])
        return response["result"]

    def _logs(self, start: int, end: int) -> tuple[list[ChainEvent], int]:
        """Decoded events of [start, end'] with end' ≤ end, from every registered contract."""
        raw, end = self._ranged_logs({"address": self.addresses, "topics": [self.decoder.topics]}, start, end)
        times = self._block_times(raw)
        events = (self.decoder.decode(entry, times[entry["blockNumber"]]) for entry in raw if not entry.get("removed"))
        return [e for e in events if e is not None], end

    def _ranged_logs(self, query: LogQuery, start: int, end: int) -> tuple[list[RawLog], int]:
        """Raw logs of [start, end'] with end' ≤ end: the range halves while the node refuses it as too large."""
        while True:
            try:
                ranged: LogQuery = {**query, "fromBlock": hex(start), "toBlock": hex(end)}
                logs: list[RawLog] = self._rpc("eth_getLogs", ranged)
                return logs, end
            except _RangeTooLarge:
                if end == start:
                    raise
                end = start + (end - start) // 2
                self._range = end - start + 1

    def _block_times(self, raw: Sequence[RawLog]) -> dict[str, int]:
        """Block timestamps: from the logs where the node includes them, else from the blocks (one batch)."""
        times = {e["blockNumber"]: int(e["blockTimestamp"], 16) for e in raw if e.get("blockTimestamp")}
        missing = sorted({e["blockNumber"] for e in raw} - set(times))
        if missing:
            with self.w3.batch_requests() as batch:
                for number in missing:
                    batch.add(self.w3.eth.get_block(int(number, 16)))
                # typed as raw RPCResponses, the batch's results come formatted: get_block's are BlockData
                blocks = cast(list[BlockData], batch.execute())
                for number, block in zip(missing, blocks, strict=True):
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
        block: RawHeader | None = self._rpc("eth_getBlockByNumber", hex(number), False)
        if block is None:
            raise LedgerError(f"block {number} is not on the chain")
        return block["hash"], int(block["timestamp"], 16)

    def _block_hash(self, number: int) -> str | None:
        """The chain's hash at ``number``, or None once the chain is shorter than that (a reorg can shorten it)."""
        block: RawHeader | None = self._rpc("eth_getBlockByNumber", hex(number), False)
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
        """One transaction: each projection's share of the events, the blocks read, the checkpoint."""
        end_hash, end_time = self._header(end)
        with Session(self.engine) as session, session.begin():
            for projection in self.projections:
                mine = [e for e in events if self._projection_of[e.name] is projection]
                if mine:
                    projection.write(session, mine)
            blocks = {(e.block_number, e.block_hash, e.block_time) for e in events} | {(end, end_hash, end_time)}
            insert_rows(session, Block, [{"number": n, "hash": h, "timestamp": t} for n, h, t in sorted(blocks)])
            session.merge(
                Checkpoint(
                    contract=self.address,
                    chain_id=self.chain_id,
                    block_number=end,
                    block_hash=end_hash,
                    head_seen=head,
                    updated_at=int(time.time()),
                    seen_at=int(time.time()),
                )
            )

    def _saw(self, head: int) -> None:
        """Record that the node answered (and its head) when there was nothing to write: readers tell an idle
        chain from a lost node by ``seen_at``."""
        with self.engine.begin() as connection:
            connection.execute(
                update(Checkpoint)
                .where(Checkpoint.contract == self.address)
                .values(head_seen=head, seen_at=int(time.time()))
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
        """Forget everything above ``ancestor``: each projection its own rows, then the blocks and checkpoint."""
        with Session(self.engine) as session, session.begin():
            for projection in self.projections:
                projection.rollback(session, ancestor)
            session.execute(delete(Block).where(Block.number > ancestor))
            checkpoint = session.scalars(select(Checkpoint)).one()
            if ancestor < self.deployment_block:
                session.delete(checkpoint)
            else:
                checkpoint.block_number = ancestor
                checkpoint.block_hash = self._block_hash(ancestor) or ""


class _RangeTooLarge(LedgerError):
    """The node refused an eth_getLogs range (too many results or too wide)."""
