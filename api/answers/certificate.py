"""One certificate as the API and the page show it, from the read model (with its history and the indexer's
lag) or from the contract alone. Both go through ``_common``, so the two sources cannot drift apart."""

from __future__ import annotations

import json
from typing import Any, TypedDict

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.client import CertificateView
from ledger.certificates.projection import Row
from ledger.certificates.vocabulary import ACT_LABELS, GRADE_LABELS, KIND_LABELS, Grade, Kind, Status
from wallet.reasons import reason_label

from .fields import (
    employer_fields,
    grade_name,
    hexed,
    index_proof,
    instant,
    instant_or_none,
    status_fields,
    window_end,
)

ZERO = b"\0" * 32  # the contract's "no such link" (predecessor, successor, employer)


class Described(TypedDict):
    """The fields of a certificate that ``_common`` shows, which both sources have: a ``State`` (the read model)
    has these and more, the contract's view only these."""

    kind: int
    grade: int
    province: int
    issuer: str
    valid_from: int
    valid_until: int
    held_since: int
    version: int
    document_hash: str


def certificate_from_index(
    session: Session | Connection,
    answer: queries.CertificateAnswer,
    checkpoint: Any,
    confirmed_block: int | None = None,
) -> dict[str, Any]:
    """The answer from the read model at the indexer's ``checkpoint``; ``confirmed_block`` is the block at which
    the registry confirmed its verdict fields (None: an instant's answer, folded from the history)."""
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
        "application": answer.application,
        "imported": state["imported"],
        "basis": answer.basis,
        "recordedAt": instant_or_none(answer.recorded_at),
        "proof": index_proof(checkpoint, state, confirmed_block=confirmed_block),
    }


def certificate_from_chain(
    session: Session, number: str, view: CertificateView, reading: tuple[Status, bool, int], proof: dict[str, Any]
) -> dict[str, Any]:
    """The contract's own view, status and validity (``reading``: status, valid, block time) at block
    ``proof["blockNumber"]``. The contract stores no names (they are in its events), so
    the holder's public fields are null here: this answer trusts nothing but the node."""
    state: Described = {
        "kind": int(view.kind), "grade": int(view.grade), "province": view.province, "issuer": view.issuer,
        "valid_from": view.valid_from, "valid_until": view.valid_until, "held_since": view.held_since,
        "version": view.version, "document_hash": hexed(view.document_hash),
    }  # fmt: skip
    predecessor, successor, employer = _linked(view.predecessor), _linked(view.successor), _linked(view.employer)
    links = queries.numbers_of(session, [i for i in (predecessor, successor) if i])
    return {
        **_common(number, hexed(view.id), state, *reading),
        "holder": {"name": "", "creditCode": None, "address": view.holder, "publicFields": None},
        "employer": employer_fields(employer, queries.firm_by_subject(session, employer)) if employer else None,
        "predecessor": _link(predecessor, links),
        "successor": _link(successor, links),
        "history": None,
        "application": None,
        "imported": None,
        "basis": "chain",
        "recordedAt": None,
        "proof": {**proof, "source": "chain", "txHash": None, "indexer": None},
    }


def _common(number: str, cid: str, state: Described, status: Status, valid: bool, at: int) -> dict[str, Any]:
    kind, grade = Kind(state["kind"]), grade_name(state["grade"])
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
            **window_end(state["valid_until"]),
            "heldSince": instant(state["held_since"]),
        },
        "version": state["version"],
        "documentHash": state["document_hash"],
    }


def _act(row: Row) -> dict[str, Any]:
    data = json.loads(row["data"])
    return {
        "act": row["act"],
        "label": ACT_LABELS[row["act"]],
        "at": instant(row["block_time"]),
        "actor": row["actor"],
        "reason": data.get("reason"),
        "reasonLabel": reason_label(row["act"], data.get("reason")),
        "blockNumber": row["block_number"],
        "txHash": row["tx_hash"],
    }


def _link(cid: str | None, numbers: dict[str, str]) -> dict[str, Any] | None:
    return None if cid is None else {"id": cid, "number": numbers.get(cid)}


def _linked(value: bytes) -> str | None:
    """A link the contract holds as 32 bytes, as the read model stores it; None for none."""
    return None if value == ZERO else hexed(value)


def _public_fields(public_data: str) -> dict[str, Any] | None:
    try:
        fields = json.loads(public_data)
    except ValueError:
        return None
    return fields if isinstance(fields, dict) else None
