"""Sending transactions: signed locally, one sender per key with its own nonce counter, reverts decoded by name."""

from __future__ import annotations

import threading
import time
from typing import Any, cast

from eth_account.signers.local import LocalAccount
from eth_account.types import TransactionDictType
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractLogicError
from web3.types import Nonce, TxParams, TxReceipt, Wei

from ledger.chain.reverts import RevertDecoder
from ledger.errors import TransactionFailed

PRIORITY_FEE_WEI = 10**9  # 1 gwei tip


class TransactionSender:
    """Signs and sends the transactions of one key.

    The node's pending count is read once; after that the sender counts nonces itself, so many transactions can
    be in flight at once without two of them taking the same nonce (which web3's default does when it asks the
    node per transaction). Use exactly one sender per key.
    """

    def __init__(self, w3: Web3, account: LocalAccount, decoder: RevertDecoder, *, receipt_timeout: float = 120.0):
        self.w3 = w3
        self.account = account
        self.decoder = decoder
        self.receipt_timeout = receipt_timeout
        self._chain_id = w3.eth.chain_id
        self._nonce = w3.eth.get_transaction_count(account.address, "pending")
        self._lock = threading.Lock()

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def send(self, call: ContractFunction | ContractConstructor, *, gas: int | None = None) -> HexBytes:
        """Sign and send; returns the transaction hash. A call the contract would refuse raises its named error."""
        params: TxParams = {"from": self.account.address, "chainId": self._chain_id, **self._fees()}
        try:
            params["gas"] = gas if gas is not None else call.estimate_gas(params)
        except ContractLogicError as exc:
            raise self._decoded(exc) from None
        tx = call.build_transaction(params)
        with self._lock:
            tx["nonce"] = self._nonce
            # eth-account types the transaction as a plain dict of its fields: web3's TxParams is that dict
            signed = self.account.sign_transaction(cast(TransactionDictType, tx))
            tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
            self._nonce = Nonce(self._nonce + 1)
        return tx_hash

    def simulate(self, call: ContractFunction) -> Any:
        """Runs ``call`` as an eth_call from this account: the result, or the contract's named refusal."""
        try:
            return call.call({"from": self.account.address})
        except ContractLogicError as exc:
            raise self._decoded(exc) from None

    def recount(self) -> None:
        """Count nonces from the node's pending count again: another process may have sent with this key."""
        with self._lock:
            self._nonce = self.w3.eth.get_transaction_count(self.address, "pending")

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until no transaction of this key is pending at the node (say, sent by a process that was killed),
        then count nonces from there: what is on chain is then final for this key."""
        deadline = time.monotonic() + timeout
        while (
            pending := self.w3.eth.get_transaction_count(self.address, "pending")
        ) > self.w3.eth.get_transaction_count(self.address, "latest"):
            if time.monotonic() > deadline:
                raise TransactionFailed(f"transactions of {self.address} still pending after {timeout:.0f} s")
            time.sleep(0.2)
        with self._lock:
            self._nonce = pending

    def wait(self, tx_hash: HexBytes) -> TxReceipt:
        """The receipt once mined; a reverted transaction raises its named error."""
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.receipt_timeout)
        if receipt["status"] != 1:
            raise why_reverted(self.w3, self.decoder, tx_hash, receipt["blockNumber"])
        return receipt

    def transact(self, call: ContractFunction | ContractConstructor, *, gas: int | None = None) -> TxReceipt:
        return self.wait(self.send(call, gas=gas))

    def _fees(self) -> TxParams:
        base = self.w3.eth.get_block("latest")["baseFeePerGas"]
        return {"maxFeePerGas": Wei(2 * base + PRIORITY_FEE_WEI), "maxPriorityFeePerGas": Wei(PRIORITY_FEE_WEI)}

    def _decoded(self, exc: ContractLogicError) -> Exception:
        return decoded_revert(self.decoder, exc)


def decoded_revert(decoder: RevertDecoder, exc: ContractLogicError) -> Exception:
    data = exc.data if isinstance(exc.data, str) else None
    return decoder.decode(data) if data else TransactionFailed(str(exc))


def why_reverted(w3: Web3, decoder: RevertDecoder, tx_hash: HexBytes, block_number: int) -> Exception:
    """Re-runs a reverted transaction as a call on the state before its block to learn the contract's named
    error (receipts carry no revert data)."""
    tx = w3.eth.get_transaction(tx_hash)
    call: TxParams = {"from": tx["from"], "to": tx["to"], "data": tx["input"], "gas": tx["gas"]}
    try:
        w3.eth.call(call, block_number - 1)
    except ContractLogicError as exc:
        return decoded_revert(decoder, exc)
    return TransactionFailed(f"transaction {tx_hash.to_0x_hex()} reverted (status 0) without revert data")
