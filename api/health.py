"""Liveness and readiness: /livez says the process answers; /readyz says it can serve the chain's truth."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify
from web3 import Web3

from ledger.chain import connect
from ledger.deployment import DeploymentRecord
from ledger.errors import ChainUnavailable

from .problems import problem

bp = Blueprint("health", __name__)


@bp.get("/livez")
def livez() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    config = current_app.config
    try:
        w3 = connect(config["LEDGER_RPC_URL"], timeout=config["CHAIN_TIMEOUT_SECONDS"])
        chain_id, latest = w3.eth.chain_id, w3.eth.block_number
    except ChainUnavailable:
        return problem(503, "chain-unavailable", "Chain unavailable", "The chain node does not answer.")
    record = DeploymentRecord.read(Path(config["LEDGER_DEPLOYMENT"]))
    if record is None or record.chain_id != chain_id:
        return problem(503, "not-deployed", "Registry not deployed", "No registry deployment for this chain.")
    if not w3.eth.get_code(Web3.to_checksum_address(record.address)):
        return problem(
            503, "not-deployed", "Registry not deployed", "The recorded registry address holds no contract code."
        )
    return jsonify(
        status="ready",
        chain={"chainId": chain_id, "latestBlock": latest},
        registry={"address": record.address, "deploymentBlock": record.block_number},
    )
