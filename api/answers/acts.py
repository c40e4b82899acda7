"""A relayed act's status, from the chain (pending, mined, failed with the contract's named error) and, once the
indexer has read its block, the state of every certificate it touched, as the lookups answer it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hexbytes import HexBytes
from sqlalchemy.orm import Session
from web3.exceptions import TransactionNotFound
from web3.types import TxReceipt

from ledger.certificates import queries
from ledger.chain.transactions import why_reverted
from ledger.errors import ContractRevert

from ..problems import Problem
from . import verification
from .applications import application as application_answer
from .fields import hexed

if TYPE_CHECKING:
    from ..services import Services


def act_status_answer(ledger: Services, tx_hash: str) -> dict[str, Any]:
    """``tx_hash`` (0x and 64 lower-case hex digits) as the act-status body; 404 for a transaction the chain does
    not know."""
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
            "errorFields": {k: hexed(v) for k, v in fields.items()},
        }
    ids = _touched(receipt, ledger.record.address, ledger.event_topics)
    with Session(ledger.engine) as session:
        checkpoint = queries.index_status(session)
        indexed = checkpoint is not None and checkpoint.block_number >= receipt["blockNumber"]
        certificates = None
        if indexed:
            numbers = list(queries.numbers_of(session, ids).values())
    if indexed:
        certificates = [verification.certificate(ledger, number) for number in numbers]
    applications = None
    if indexed:
        touched = _touched(receipt, ledger.record.licensing_address, ledger.application_topics)
        applications = [application_answer(ledger.engine, application) for application in touched]
    return {
        "txHash": tx_hash,
        "state": "mined",
        "blockNumber": receipt["blockNumber"],
        "indexed": indexed,
        "certificates": certificates,
        "applications": applications,
    }


def _touched(receipt: TxReceipt, contract: str, topics: set[str]) -> list[str]:
    """Ids that ``contract``'s events of ``topics`` in ``receipt`` name, in order (each such event indexes the id
    of its certificate or application first)."""
    return list(
        dict.fromkeys(
            log["topics"][1].to_0x_hex()
            for log in receipt["logs"]
            if log["address"].lower() == contract.lower() and log["topics"][0].to_0x_hex() in topics
        )
    )
