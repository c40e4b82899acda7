"""Liveness and readiness: /livez says the process answers; /readyz says it can serve the chain's truth: the
database answers, the chain node answers with the recorded registry deployed, and the index is not too far behind."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from web3 import Web3

from ledger.certificates import queries
from ledger.errors import ChainUnavailable, DeploymentError, IndexNotReady

from .problems import problem
from .services import services

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
    return jsonify(
        status="ready",
        chain={"chainId": chain_id, "latestBlock": latest},
        registry={"address": record.address, "deploymentBlock": record.block_number},
        index={
            "block": checkpoint.block_number,
            "lagBlocks": lag,
            "updatedSecondsAgo": int(time.time()) - checkpoint.updated_at,
        },
    )
