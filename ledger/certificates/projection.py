"""From chain events to the read model: pure functions, shared by the live indexer, a full rebuild, the rollback
after a reorg and point-in-time queries, so that all four agree by construction.

An event becomes one *history row* per certificate it touches (a renewal or upgrade touches two: the new
certificate and the one it supersedes). A certificate's state is the fold of its rows (``apply``); its
employment periods (planners) are another fold of the same rows. Each row carries everything its fold needs,
so replaying a certificate never looks at another certificate.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ledger.certificates.vocabulary import Kind, Status
from ledger.chain.events import ChainEvent

ZERO_HASH = "0x" + "00" * 32
ISSUING_ACTS = ("ISSUE", "RENEW", "UPGRADE")  # IssueAct in contracts/Common.sol, by value
STATUS_ACTS = {"CertificateSuspended": "SUSPEND", "CertificateReinstated": "REINSTATE", "CertificateRevoked": "REVOKE"}
STATUS_AFTER = {"SUSPEND": Status.SUSPENDED, "REINSTATE": Status.ACTIVE, "REVOKE": Status.REVOKED}

Row = dict[str, Any]
State = dict[str, Any]


def history_rows(event: ChainEvent, state_of: Callable[[str], State | None]) -> list[Row]:
    """The history rows of one event. ``state_of`` gives a certificate's state just before the event: a renewal
    needs its predecessor's to carry the holding period over, exactly as the contract does."""
    args = event.args
    if event.name == "CertificateIssued":
        request = args["request"]
        act = ISSUING_ACTS[args["act"]]
        predecessor = args["predecessor"]
        held_since = request["validFrom"]
        if act == "RENEW":
            old = state_of(predecessor)
            if old is not None and request["validFrom"] <= old["valid_until"]:
                held_since = old["held_since"]
        data = {**request, "issuer": args["issuer"], "predecessor": predecessor, "heldSince": held_since}
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
            **_public_fields(data["kind"], data["publicData"], None),
        }
    else:
        if state is None:  # an act on a certificate the index never saw issued: only a corrupt log could do this
            raise ValueError(f"{act} before issue of {row['certificate_id']}")
        state = dict(state)
        if act == "SUPERSEDED":
            state.update(status=int(Status.SUPERSEDED), successor=data["successor"])
        elif act in ("AMEND", "TRANSFER"):
            state.update(version=data["version"], document_hash=data["documentHash"])
            state.update(_public_fields(state["kind"], data["publicData"], state))
            if act == "AMEND":
                state["holder"] = data["holder"]
            else:
                state["employer"] = data["toEmployer"]
        else:
            state["status"] = int(STATUS_AFTER[act])
    state.update(
        last_block=row["block_number"],
        last_log_index=row["log_index"],
        last_tx=row["tx_hash"],
        updated_at=row["block_time"],
    )
    return state


def fold(rows: Iterable[Row]) -> State | None:
    state = None
    for row in rows:
        state = apply(state, row)
    return state


def _public_fields(kind: int, public_data: str, previous: State | None) -> dict[str, Any]:
    """Name and credit code from publicData. An act that publishes nothing keeps the previous public fields; data
    that is not a JSON object (the contract does not interpret it) is kept as text but yields no fields."""
    if not public_data and previous is not None:
        return {k: previous[k] for k in ("public_data", "name", "credit_code")}
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


def employment_periods(state: State, rows: Iterable[Row]) -> list[Row]:
    """A planner certificate's periods of registration with a firm, from its history rows."""
    periods: list[Row] = []
    current: Row | None = None

    def start(row: Row, employer: str) -> Row:
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
            current.update(ended_at=row["block_time"], end_reason=act)
            current = None
            if act == "TRANSFER":
                current = start(row, json.loads(row["data"])["toEmployer"])
                periods.append(current)
    return periods
