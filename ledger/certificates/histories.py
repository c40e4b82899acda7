"""Certificates' histories as the registry logged them, to confirm an answer for a past instant (issue 15).

An answer at an instant (a bid deadline) is the fold of the certificate's history rows; the read model's rows are
its copy of the registry's logs, so a forged, deleted or back-dated row would change the verdict. Here the same
logs are read from the node: every registry event naming the certificates (in one JSON-RPC batch: one eth_getLogs
per topic position an id takes, for all of them at once, and the blocks' times where the node leaves them out),
turned into rows by the indexer's own projection (``projection.history_rows``) and compared with the stored rows.

One field is not compared: a renewal's ``heldSince``, which the projection carries over from the predecessor's
state (the chain's own field is confirmed with the certificate's reading; a past instant's verdict does not
rest on it).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from web3 import Web3
from web3.types import RPCEndpoint

from ledger.certificates.projection import Row, history_rows
from ledger.certificates.verdicts import Disagreement
from ledger.chain.calls import batch_results
from ledger.chain.events import ChainEvent, EventDecoder, RawLog
from ledger.errors import ChainUnavailable

HISTORY = "history"  # the disputed field of a history that is not the registry's logs
DERIVED = ("heldSince",)  # row data the projection derives from another certificate's state


def logged_histories(
    w3: Web3, registry: str, decoder: EventDecoder, ids: Sequence[str], since: int, block: int
) -> dict[str, list[Row]]:
    """Each id's history rows from the registry's logs in blocks [since, block], in chain order. Raises
    ChainUnavailable if the node does not answer or refuses the query."""
    if not ids:
        return {}
    span = {"address": registry, "fromBlock": hex(since), "toBlock": hex(block)}
    naming = [
        [decoder.topics, list(ids)],  # every event names its certificate first...
        [decoder.topic("CertificateIssued"), None, None, list(ids)],  # ...a renewal its predecessor third...
        [decoder.topic("FirmMoved"), None, list(ids)],  # ...and a firm's move its latest certificate second
    ]
    asked = [(RPCEndpoint("eth_getLogs"), [{**span, "topics": topics}]) for topics in naming]
    answers = batch_results(w3, asked, "a history query")
    logs = {(log["blockHash"], log["logIndex"]): log for found in answers for log in found if not log.get("removed")}
    times = _block_times(w3, logs.values())
    events = [e for e in (decoder.decode(log, times[log["blockNumber"]]) for log in logs.values()) if e is not None]
    events.sort(key=lambda e: (e.block_number, e.log_index))
    return _rows_of(events, set(ids))


def history_disagreement(stored: Iterable[Row], logged: Iterable[Row], block: int) -> Disagreement | None:
    """Where the read model's history rows (up to ``block``, the indexed block) are not the registry's logs: the
    ``history`` disagreement, with how many rows each side holds and the first position where they part."""
    mine = [_compared(row) for row in stored if row["block_number"] <= block]
    theirs = [_compared(row) for row in logged if row["block_number"] <= block]
    if mine == theirs:
        return None
    pairs = zip(mine, theirs, strict=False)
    parted = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(mine), len(theirs)))
    return Disagreement(HISTORY, _described(mine, parted), _described(theirs, parted))


def _rows_of(events: Sequence[ChainEvent], ids: set[str]) -> dict[str, list[Row]]:
    imported = {(e.tx_hash, e.args["id"]) for e in events if e.name == "CertificateImported"}
    rows: dict[str, list[Row]] = defaultdict(list)
    for event in events:
        for row in history_rows(event, lambda _: None, imported):
            if row["certificate_id"] in ids:
                rows[row["certificate_id"]].append(row)
    return {i: rows.get(i, []) for i in ids}


def _compared(row: Row) -> tuple[Any, ...]:
    data = {k: v for k, v in json.loads(row["data"]).items() if k not in DERIVED}
    return (
        row["block_number"], row["log_index"], row["block_hash"].lower(), row["block_time"], row["tx_hash"].lower(),
        row["act"], (row["actor"] or "").lower(), json.dumps(data, sort_keys=True),
    )  # fmt: skip


def _described(rows: list[tuple[Any, ...]], parted: int) -> dict[str, Any]:
    """One side of a history disagreement, as the answer shows it."""
    row = rows[parted] if parted < len(rows) else None
    where = None if row is None else {"block": row[0], "logIndex": row[1], "act": row[5], "blockTime": row[3]}
    return {"rows": len(rows), "firstDifference": where}


def _block_times(w3: Web3, logs: Iterable[RawLog]) -> dict[str, int]:
    """Block timestamps: from the logs where the node includes them, else from the blocks (one batch)."""
    logs = list(logs)
    times = {log["blockNumber"]: int(log["blockTimestamp"], 16) for log in logs if log.get("blockTimestamp")}
    missing = sorted({log["blockNumber"] for log in logs} - set(times))
    asked = [(RPCEndpoint("eth_getBlockByNumber"), [number, False]) for number in missing]
    headers = batch_results(w3, asked, "the blocks of a history")
    for number, header in zip(missing, headers, strict=True):
        if header is None:
            raise ChainUnavailable(f"the node has no block {int(number, 16)}")
        times[number] = int(header["timestamp"], 16)
    return times
