"""Liveness and readiness: /livez says the process answers; /readyz says it can serve the chain's truth: the
database answers, the chain node answers with the recorded registry deployed, and the index is not too far behind."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from web3 import Web3

from ledger.certificates import queries
from ledger.certificates.histories import HISTORY, history_disagreement
from ledger.errors import ChainUnavailable, DeploymentError, IndexNotReady

from .answers import instant
from .answers.confirmed import confirm
from .problems import problem
from .services import Services, services

bp = Blueprint("health", __name__)


@bp.get("/livez")
def livez() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    ledger = services()
    try:
        with Session(ledger.engine) as session:
            checkpoint = queries.index_status(session)
    except SQLAlchemyError:
        return problem(
            503, "database-unavailable", "Database unavailable", "The read model's database does not answer."
        )
    try:
        w3 = ledger.w3
        chain_id, latest = w3.eth.chain_id, w3.eth.block_number
    except (ChainUnavailable, OSError):
        ledger.forget_chain()
        return problem(503, "chain-unavailable", "Chain unavailable", "The chain node does not answer.")
    try:
        record = ledger.record
    except DeploymentError as exc:
        return problem(503, "not-deployed", "Registry not deployed", str(exc))
    if record.chain_id != chain_id or not w3.eth.get_code(Web3.to_checksum_address(record.address)):
        return problem(503, "not-deployed", "Registry not deployed", "The recorded registry is not on this chain.")
    if checkpoint is None:
        raise IndexNotReady("the indexer has not read the registry yet")  # api.problems answers it
    lag = max(0, latest - checkpoint.block_number)
    limit = current_app.config["READY_MAX_LAG_BLOCKS"]
    if lag > limit:
        return problem(
            503, "index-behind", "Index behind", f"The index is {lag} blocks behind the chain (at most {limit}).",
            lagBlocks=lag,
        )  # fmt: skip
    disputed = _still_disputed(ledger, checkpoint.block_number)
    with Session(ledger.engine) as session:
        audit, findings = queries.audit_summary(session)
    if audit is not None:
        audit["lastPassEndedAt"] = instant(audit["lastPassEndedAt"]).isoformat()
    if disputed or findings:
        return problem(
            503, "index-disputed", "Index disputed",
            f"The read model disagrees with the registry contract on {len(disputed)} certificate(s) answered and "
            f"{len(findings)} field(s) the audit found; `ledger reindex` rebuilds it from the chain.",
            disputes=disputed, audit=audit, findings=findings,
        )  # fmt: skip
    return jsonify(
        status="ready",
        chain={"chainId": chain_id, "latestBlock": latest},
        registry={"address": record.address, "deploymentBlock": record.block_number},
        index={
            "block": checkpoint.block_number,
            "lagBlocks": lag,
            "updatedSecondsAgo": int(time.time()) - checkpoint.updated_at,
        },
        verdicts={"disputesSeen": ledger.verdicts.disputes_seen, "disputed": 0},
        audit=audit,
    )


def _still_disputed(ledger: Services, block: int) -> list[dict[str, Any]]:
    """The certificates this worker found in dispute that still are: each re-read from the read model and
    confirmed again (one batch), so /readyz recovers as soon as the read model is rebuilt."""
    disputes = list(ledger.verdicts.disputes.values())
    if not disputes:
        return []
    histories = [d.certificate_id for d in disputes if HISTORY in d.fields]
    if histories:  # re-read first: confirming the rows below would not settle them (confirmed.confirm)
        _settle_histories(ledger, histories, block)
    with Session(ledger.engine) as session:
        rows = {state["id"]: state for state in queries.states_by_id(session, [d.certificate_id for d in disputes])}
    present = [rows[d.certificate_id] for d in disputes if d.certificate_id in rows]
    outcomes = confirm(ledger.verdicts, present, block)
    still = {s["id"] for s, c in zip(present, outcomes, strict=True) if c is None or c.disputed}
    still |= {i for i in histories if i in ledger.verdicts.disputes}  # a history not settled above
    for dispute in disputes:
        if dispute.certificate_id not in rows:  # a deleted row: disputed while the chain still holds the certificate
            reading = ledger.verdicts.confirm([dispute.certificate_id], block)[dispute.certificate_id]
            if reading is not None:
                still.add(dispute.certificate_id)
            else:
                ledger.verdicts.settle(dispute.certificate_id)
    current = ledger.verdicts.disputes
    return [
        {"number": d.number, "id": d.certificate_id, "fields": list(current[d.certificate_id].fields), "seenAt": d.at}
        for d in disputes
        if d.certificate_id in still and d.certificate_id in current
    ]


def _settle_histories(ledger: Services, ids: list[str], block: int) -> None:
    """The certificates disputed on their history whose stored rows are the registry's logs again: settled."""
    try:
        logged = ledger.histories(ids, block)
    except ChainUnavailable:  # nothing settles what cannot be checked
        return
    with Session(ledger.engine) as session:
        stored = queries.histories(session, ids)
    for i in ids:
        if history_disagreement(stored[i], logged[i], block) is None:
            ledger.verdicts.settle(i)
