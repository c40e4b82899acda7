"""From the read model's (or the contract's) answers to the API's response bodies, shared by the JSON API and the
public page so that both say exactly the same thing."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.client import CertificateView
from ledger.certificates.projection import State
from ledger.certificates.vocabulary import ACT_LABELS, GRADE_LABELS, KIND_LABELS, STATUS_LABELS, Grade, Kind, Status
from ledger.errors import IndexNotReady
from ledger.store.models import Certificate, Checkpoint, Firm

ZERO = b"\0" * 32


def instant(seconds: int | float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def seconds(moment: dt.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def _grade(value: int) -> str | None:
    return None if value == Grade.NONE else Grade(value).name


def status_fields(status: Status, valid: bool) -> dict[str, Any]:
    return {"status": status.name, "statusLabel": STATUS_LABELS[status], "valid": valid}


def summary(state: State, at: int) -> dict[str, Any]:
    """A certificate in a list (search results, a firm's certificates, batch answers)."""
    return {
        "number": state["number"],
        "kind": Kind(state["kind"]).name,
        "grade": _grade(state["grade"]),
        "province": state["province"],
        "name": state["name"],
        "creditCode": state["credit_code"],
        **status_fields(queries.derived_status(state, at), queries.is_valid(state, at)),
        "validUntil": instant(state["valid_until"]),
    }


def index_proof(checkpoint: Checkpoint | None, state: State | None) -> dict[str, Any]:
    """Where the answer can be checked on chain, and how far behind the chain's head the index is."""
    if checkpoint is None:
        raise IndexNotReady("the read model has not indexed the registry yet")
    lag = {
        "indexedBlock": checkpoint.block_number,
        "headSeen": checkpoint.head_seen,
        "lagBlocks": max(0, checkpoint.head_seen - checkpoint.block_number),
        "updatedAt": instant(checkpoint.updated_at),
        "lagSeconds": round(max(0.0, time.time() - checkpoint.updated_at), 3),
    }
    return {
        "source": "index",
        "chainId": checkpoint.chain_id,
        "contract": checkpoint.contract,
        "blockNumber": state["last_block"] if state else checkpoint.block_number,
        "txHash": state["last_tx"] if state else None,
        "indexer": lag,
    }


def certificate_from_index(session: Session | Connection, answer: queries.CertificateAnswer) -> dict[str, Any]:
    state = answer.state
    employer = answer.employer
    return {
        **_common(state["number"], state["id"], state, answer.status, answer.valid, answer.at),
        "holder": {
            "name": state["name"],
            "creditCode": state["credit_code"],
            "address": state["holder"],
            "publicFields": _public_fields(state["public_data"]),
        },
        "employer": None if state["employer"] is None else employer_fields(state["employer"], employer),
        "predecessor": _link(state["predecessor"], answer.links),
        "successor": _link(state["successor"], answer.links),
        "history": [_act(row) for row in answer.history],
        "proof": index_proof(queries.index_status(session), state),
    }


def certificate_from_chain(
    session: Session, number: str, view: CertificateView, reading: tuple[Status, bool, int], proof: dict[str, Any]
) -> dict[str, Any]:
    """The contract's own view, status and validity (``reading``: status, valid, block time) at block
    ``proof["blockNumber"]``. The contract stores no names (they are in its events), so
    the holder's public fields are null here: this answer trusts nothing but the node."""
    state = {
        "kind": int(view.kind), "grade": int(view.grade), "province": view.province, "issuer": view.issuer,
        "valid_from": view.valid_from, "valid_until": view.valid_until, "held_since": view.held_since,
        "version": view.version, "document_hash": "0x" + view.document_hash.hex(),
    }  # fmt: skip
    links = _numbers(session, [i for i in (_hex(view.predecessor), _hex(view.successor)) if i])
    employer = _hex(view.employer)
    return {
        **_common(number, "0x" + view.id.hex(), state, *reading),
        "holder": {"name": "", "creditCode": None, "address": view.holder, "publicFields": None},
        "employer": employer_fields(employer, session.get(Firm, employer)) if employer else None,
        "predecessor": _link(_hex(view.predecessor), links),
        "successor": _link(_hex(view.successor), links),
        "history": None,
        "proof": {**proof, "source": "chain", "txHash": None, "indexer": None},
    }


def _common(number: str, cid: str, state: State, status: Status, valid: bool, at: int) -> dict[str, Any]:
    kind, grade = Kind(state["kind"]), _grade(state["grade"])
    return {
        "number": number,
        "id": cid,
        "kind": kind.name,
        "kindLabel": KIND_LABELS[kind],
        "grade": grade,
        "gradeLabel": GRADE_LABELS[Grade[grade]] if grade else None,
        "province": state["province"],
        **status_fields(status, valid),
        "at": instant(at),
        "issuer": state["issuer"],
        "validity": {
            "validFrom": instant(state["valid_from"]),
            "validUntil": instant(state["valid_until"]),
            "heldSince": instant(state["held_since"]),
        },
        "version": state["version"],
        "documentHash": state["document_hash"],
    }


def _act(row: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(row["data"])
    return {
        "act": row["act"],
        "label": ACT_LABELS[row["act"]],
        "at": instant(row["block_time"]),
        "actor": row["actor"],
        "reason": data.get("reason"),
        "blockNumber": row["block_number"],
        "txHash": row["tx_hash"],
    }


def _numbers(session: Session, ids: Iterable[str]) -> dict[str, str]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Certificate.id, Certificate.number).where(Certificate.id.in_(ids))).tuples())


def _link(cid: str | None, numbers: dict[str, str]) -> dict[str, Any] | None:
    return None if cid is None else {"id": cid, "number": numbers.get(cid)}


def employer_fields(subject: str, firm: Any) -> dict[str, Any]:
    """A planner's firm by subject, with its public name and credit code when the read model knows the firm."""
    if isinstance(firm, Firm):
        firm = {"name": firm.name, "credit_code": firm.credit_code}
    return {
        "subject": subject,
        "creditCode": firm["credit_code"] if firm else None,
        "name": firm["name"] if firm else None,
    }


def _public_fields(public_data: str) -> dict[str, Any] | None:
    try:
        fields = json.loads(public_data)
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None


def hexed(value: Any) -> str:
    """A contract error's field as JSON text: bytes as 0x-hex, numbers and addresses as they print."""
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)


def _hex(value: bytes) -> str | None:
    return None if value == ZERO else "0x" + value.hex()
