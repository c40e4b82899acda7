"""From chain events to the read model: pure functions, shared by the live indexer, a full rebuild, the rollback
after a reorg and point-in-time queries, so that all four agree by construction.

An event becomes one *history row* per certificate it touches (a renewal or upgrade touches two: the new
certificate and the one it supersedes). A certificate's state is the fold of its rows (``apply``); its
employment periods (planners) are another fold of the same rows. Each row carries everything its fold needs,
so replaying a certificate never looks at another certificate.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from ledger.certificates.vocabulary import Kind, Status
from ledger.chain.events import ChainEvent

if TYPE_CHECKING:
    from sqlalchemy import RowMapping

ZERO_HASH = "0x" + "00" * 32
ISSUING_ACTS = ("ISSUE", "RENEW", "UPGRADE")  # IssueAct in contracts/Common.sol, by value
STATUS_ACTS = {"CertificateSuspended": "SUSPEND", "CertificateReinstated": "REINSTATE", "CertificateRevoked": "REVOKE"}
STATUS_AFTER = {"SUSPEND": Status.SUSPENDED, "REINSTATE": Status.ACTIVE, "REVOKE": Status.REVOKED}


class Row(TypedDict):
    """A history row: the columns of ``certificate_events`` (``ledger.store.models.CertificateEvent``)."""

    block_number: int
    log_index: int
    certificate_id: str
    block_hash: str
    block_time: int
    tx_hash: str
    act: str
    actor: str | None
    data: str  # canonical JSON of the act's fields


class State(TypedDict):
    """A certificate's state: the columns of ``certificates`` (``ledger.store.models.Certificate``); ``status`` is
    a stored ``Status`` (never EXPIRED), ``kind`` and ``grade`` a ``Kind`` and a ``Grade``, by value."""

    id: str
    number: str
    kind: int
    grade: int
    province: int
    subject: str
    holder: str
    employer: str | None
    status: int
    valid_from: int
    valid_until: int
    held_since: int
    issuer: str
    version: int
    document_hash: str
    predecessor: str | None
    successor: str | None
    name: str
    credit_code: str | None
    public_data: str
    issued_at: int
    imported: bool
    last_block: int
    last_log_index: int
    last_tx: str
    updated_at: int


class Period(TypedDict):
    """An employment period: the columns of ``employment_periods`` (``ledger.store.models.EmploymentPeriod``)."""

    certificate_id: str
    started_block: int
    started_log_index: int
    planner: str
    employer: str
    started_at: int
    ended_at: int | None
    end_reason: str | None


class PublicFields(TypedDict):
    """The columns of a state that come from the published ``publicData``."""

    public_data: str
    name: str
    credit_code: str | None


def state_of(row: RowMapping | Mapping[str, Any]) -> State:
    """A certificate's state from a row of ``certificates`` (columns of other tables in the row are ignored)."""
    return {
        "id": row["id"],
        "number": row["number"],
        "kind": row["kind"],
        "grade": row["grade"],
        "province": row["province"],
        "subject": row["subject"],
        "holder": row["holder"],
        "employer": row["employer"],
        "status": row["status"],
        "valid_from": row["valid_from"],
        "valid_until": row["valid_until"],
        "held_since": row["held_since"],
        "issuer": row["issuer"],
        "version": row["version"],
        "document_hash": row["document_hash"],
        "predecessor": row["predecessor"],
        "successor": row["successor"],
        "name": row["name"],
        "credit_code": row["credit_code"],
        "public_data": row["public_data"],
        "issued_at": row["issued_at"],
        "imported": bool(row["imported"]),
        "last_block": row["last_block"],
        "last_log_index": row["last_log_index"],
        "last_tx": row["last_tx"],
        "updated_at": row["updated_at"],
    }


def row_of(row: RowMapping | Mapping[str, Any]) -> Row:
    """A history row from a row of ``certificate_events`` (columns of other tables in the row are ignored)."""
    return {
        "block_number": row["block_number"],
        "log_index": row["log_index"],
        "certificate_id": row["certificate_id"],
        "block_hash": row["block_hash"],
        "block_time": row["block_time"],
        "tx_hash": row["tx_hash"],
        "act": row["act"],
        "actor": row["actor"],
        "data": row["data"],
    }


def history_rows(
    event: ChainEvent, state_of: Callable[[str], State | None], imported: Container[tuple[str, str]] = ()
) -> list[Row]:
    """The history rows of one event. ``state_of`` gives a certificate's state just before the event: a renewal
    needs its predecessor's to carry the holding period over, exactly as the contract does: held from the block's
    time, carried over by a renewal made and starting before the old window ended. ``imported`` holds the
    (transaction, certificate) pairs the registry marked CertificateImported: the mark is part of the issue's
    row (the same transaction, so the same indexer batch), not an act of its own."""
    args = event.args
    if event.name == "CertificateImported":
        return []
    if event.name == "CertificateIssued":
        request = args["request"]
        act = ISSUING_ACTS[args["act"]]
        predecessor = args["predecessor"]
        held_since = event.block_time
        if act == "RENEW":
            old = state_of(predecessor)
            if old is not None and max(event.block_time, request["validFrom"]) <= old["valid_until"]:
                held_since = old["held_since"]
        data = {**request, "issuer": args["issuer"], "predecessor": predecessor, "heldSince": held_since}
        if (event.tx_hash, args["id"]) in imported:
            data["imported"] = True
        rows = [_row(event, args["id"], act, args["issuer"], data)]
        if predecessor != ZERO_HASH:
            rows.append(_row(event, predecessor, "SUPERSEDED", args["issuer"], {"successor": args["id"]}))
        return rows
    if event.name == "CertificateAmended":
        data = {k: args[k] for k in ("version", "holder", "documentHash", "publicData")}
        return [_row(event, args["id"], "AMEND", args["actor"], data)]
    if event.name == "PlannerTransferred":
        data = {k: args[k] for k in ("fromEmployer", "toEmployer", "version", "documentHash", "publicData")}
        return [_row(event, args["id"], "TRANSFER", args["actor"], data)]
    if event.name == "HolderBound":
        data = {k: args[k] for k in ("previous", "holder", "reasonHash")}
        return [_row(event, args["id"], "BIND", args["actor"], data)]
    if event.name == "FirmMoved":  # the binding lives on the subject's latest certificate, as in the contract
        return [_row(event, args["id"], "MOVE", args["by"], {"from": args["from"], "province": args["to"]})]
    return [_row(event, args["id"], STATUS_ACTS[event.name], args["actor"], {"reason": args["reason"]})]


def _row(event: ChainEvent, certificate_id: str, act: str, actor: str, data: Mapping[str, Any]) -> Row:
    return {
        "block_number": event.block_number,
        "log_index": event.log_index,
        "certificate_id": certificate_id,
        "block_hash": event.block_hash,
        "block_time": event.block_time,
        "tx_hash": event.tx_hash,
        "act": act,
        "actor": actor,
        "data": json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
    }


def apply(state: State | None, row: Row) -> State:
    """A certificate's state after one of its history rows."""
    data = json.loads(row["data"])
    act = row["act"]
    if act in ISSUING_ACTS:
        state = {
            "id": row["certificate_id"],
            "number": data["number"],
            "kind": data["kind"],
            "grade": data["grade"],
            "province": data["province"],
            "subject": data["subject"],
            "holder": data["holder"],
            "employer": None if data["employer"] == ZERO_HASH else data["employer"],
            "status": int(Status.ACTIVE),
            "valid_from": data["validFrom"],
            "valid_until": data["validUntil"],
            "held_since": data["heldSince"],
            "issuer": data["issuer"],
            "version": 1,
            "document_hash": data["documentHash"],
            "predecessor": None if data["predecessor"] == ZERO_HASH else data["predecessor"],
            "successor": None,
            "issued_at": row["block_time"],
            "imported": data.get("imported", False),
            **_public_fields(data["kind"], data["publicData"], None),
            "last_block": row["block_number"],
            "last_log_index": row["log_index"],
            "last_tx": row["tx_hash"],
            "updated_at": row["block_time"],
        }
        return state
    if state is None:  # an act on a certificate the index never saw issued: only a corrupt log could do this
        raise ValueError(f"{act} before issue of {row['certificate_id']}")
    state = state.copy()
    if act == "SUPERSEDED":
        state["status"] = int(Status.SUPERSEDED)
        state["successor"] = data["successor"]
    elif act in ("AMEND", "TRANSFER"):
        state["version"] = data["version"]
        state["document_hash"] = data["documentHash"]
        state.update(_public_fields(state["kind"], data["publicData"], state))
        if act == "AMEND":
            state["holder"] = data["holder"]
        else:
            state["employer"] = data["toEmployer"]
    elif act == "MOVE":
        state["province"] = data["province"]
    elif act == "BIND":
        state["holder"] = data["holder"]
    else:
        state["status"] = int(STATUS_AFTER[act])
    state["last_block"] = row["block_number"]
    state["last_log_index"] = row["log_index"]
    state["last_tx"] = row["tx_hash"]
    state["updated_at"] = row["block_time"]
    return state


def fold(rows: Iterable[Row]) -> State | None:
    state: State | None = None
    for row in rows:
        state = apply(state, row)
    return state


def _public_fields(kind: int, public_data: str, previous: State | None) -> PublicFields:
    """Name and credit code from publicData. An act that publishes nothing keeps the previous public fields; data
    that is not a JSON object (the contract does not interpret it) is kept as text but yields no fields."""
    if not public_data and previous is not None:
        return {
            "public_data": previous["public_data"],
            "name": previous["name"],
            "credit_code": previous["credit_code"],
        }
    try:
        public = json.loads(public_data)
    except ValueError:
        public = None
    if not isinstance(public, dict):
        public = {}
    code_field = "creditCode" if kind == Kind.FIRM else "employerCreditCode"
    name, code = public.get("name"), public.get(code_field)
    return {
        "public_data": public_data,
        "name": name if isinstance(name, str) else "",
        "credit_code": code if isinstance(code, str) else None,
    }


def employment_periods(state: State, rows: Iterable[Row]) -> list[Period]:
    """A planner certificate's periods of registration with a firm, from its history rows."""
    periods: list[Period] = []
    current: Period | None = None

    def start(row: Row, employer: str) -> Period:
        return {
            "certificate_id": row["certificate_id"],
            "started_block": row["block_number"],
            "started_log_index": row["log_index"],
            "planner": state["subject"],
            "employer": employer,
            "started_at": row["block_time"],
            "ended_at": None,
            "end_reason": None,
        }

    for row in rows:
        act = row["act"]
        if act in ISSUING_ACTS:
            data = json.loads(row["data"])
            current = start(row, data["employer"])
            periods.append(current)
        elif current is not None and act in ("TRANSFER", "REVOKE", "SUPERSEDED"):
            current["ended_at"] = row["block_time"]
            current["end_reason"] = act
            current = None
            if act == "TRANSFER":
                current = start(row, json.loads(row["data"])["toEmployer"])
                periods.append(current)
    return periods
