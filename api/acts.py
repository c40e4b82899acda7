"""Regulators' signed acts: checked and relayed to the chain by the API's relayer, then followed by transaction.

The API holds only the relayer's key (it pays gas and has no role); the regulator's authority is the signature,
which the contract itself judges. Several API workers share one relayer key: a file lock serialises their
sends and each send counts the key's nonce from the node again.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from apiflask import APIBlueprint
from flask import url_for
from hexbytes import HexBytes
from sqlalchemy.orm import Session
from web3.exceptions import TransactionNotFound
from web3.types import TxReceipt

from ledger.certificates import queries
from ledger.chain.transactions import why_reverted
from ledger.errors import ContractRevert
from ledger.settings import data_dir
from wallet.typed_acts import SignedAct

from . import answers
from .problems import Problem
from .schemas import ActAccepted, ActStatus, SignedActIn
from .services import services

TX_HASH = re.compile(r"0x[0-9a-f]{64}")
bp = APIBlueprint("acts", __name__, url_prefix="/api/v1", tag="Regulators' acts")


@contextlib.contextmanager
def _relayer_lock() -> Iterator[None]:
    path = Path(data_dir()) / "relayer.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@bp.post("/acts")
@bp.input(SignedActIn, arg_name="body")
@bp.output(ActAccepted, status_code=202)
@bp.doc(
    summary="Relay a regulator's signed act (from `wallet sign-act`) to the chain",
    responses={400: "Malformed act", 401: "Bad signature", 403: "Signer lacks the role", 409: "Contract refuses"},
)
def relay_act(body: SignedActIn) -> dict[str, Any]:
    """Checked offline (domain, deadline, signature), then judged by the contract (role, jurisdiction, nonce,
    business rules) before anything is sent. `202` means sent: follow `statusUrl` until mined."""
    signed = SignedAct.from_json(body.model_dump())
    relay = services().act_relay
    with _relayer_lock():
        relay.relayer.recount()
        tx_hash = relay.relay(signed).to_0x_hex()
    return {
        "txHash": tx_hash,
        "act": signed.act,
        "signer": signed.signer,
        "statusUrl": url_for("acts.act_status", tx_hash=tx_hash),
    }


@bp.get("/acts/<tx_hash>")
@bp.output(ActStatus)
@bp.doc(summary="A relayed act: pending, mined (with the certificates' state) or failed (with the named error)")
def act_status(tx_hash: str) -> dict[str, Any]:
    """Once mined and read by the indexer (`indexed`), `certificates` gives the state of every certificate the
    act touched."""
    tx_hash = tx_hash.lower()
    if not TX_HASH.fullmatch(tx_hash):
        raise Problem(
            400, "invalid-request", "Invalid request", "A transaction hash is 0x and 64 hexadecimal digits.",
            errors=[{"in": "path", "field": "tx_hash", "message": "not a transaction hash"}],
        )  # fmt: skip
    ledger = services()
    w3 = ledger.w3
    tx = HexBytes(tx_hash)
    try:
        receipt = w3.eth.get_transaction_receipt(tx)
    except TransactionNotFound:
        try:
            w3.eth.get_transaction(tx)
        except TransactionNotFound:
            raise Problem(
                404, "transaction-not-found", "Transaction not found", f"The chain knows no transaction {tx_hash}."
            ) from None
        return {"txHash": tx_hash, "state": "pending"}
    if receipt["status"] != 1:
        reason = why_reverted(w3, ledger.decoder, tx, receipt["blockNumber"])
        fields = reason.fields if isinstance(reason, ContractRevert) else {}
        return {
            "txHash": tx_hash,
            "state": "failed",
            "blockNumber": receipt["blockNumber"],
            "error": type(reason).__name__,
            "errorFields": {k: answers.hexed(v) for k, v in fields.items()},
        }
    ids = _certificates_touched(receipt, ledger.record.address)
    with Session(ledger.engine) as session:
        checkpoint = queries.index_status(session)
        indexed = checkpoint is not None and checkpoint.block_number >= receipt["blockNumber"]
        certificates = None
        if indexed:
            states = [queries.certificate(session, number) for number in queries.numbers_of(session, ids).values()]
            certificates = [answers.certificate_from_index(session, state) for state in states if state is not None]
    return {
        "txHash": tx_hash,
        "state": "mined",
        "blockNumber": receipt["blockNumber"],
        "indexed": indexed,
        "certificates": certificates,
    }


def _certificates_touched(receipt: TxReceipt, registry: str) -> list[str]:
    """Ids of the certificates the registry's events in ``receipt`` name (every such event indexes the id)."""
    topics = services().event_topics
    return list(
        dict.fromkeys(
            log["topics"][1].to_0x_hex()
            for log in receipt["logs"]
            if log["address"].lower() == registry.lower() and log["topics"][0].to_0x_hex() in topics
        )
    )
