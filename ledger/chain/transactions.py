"""Sending transactions: signed locally, one sender per key with its own nonce counter, reverts decoded by name, and
each transaction seen through to inclusion on a real network: sent again to a node that has lost it (a restart, a
failover to a node it never reached), replaced at higher fees when it sits unmined."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, cast

import requests
from eth_account.datastructures import SignedTransaction
from eth_account.signers.local import LocalAccount
from eth_account.types import TransactionDictType
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractLogicError, TransactionIndexingInProgress, TransactionNotFound, Web3RPCError
from web3.types import Nonce, TxParams, TxReceipt, Wei

from ledger.chain.failover import FailoverProvider
from ledger.chain.reverts import RevertDecoder
from ledger.errors import TransactionFailed, TransactionNotMined

log = logging.getLogger(__name__)
PRIORITY_FEE_WEI = 10**9  # 1 gwei tip
PRICE_BUMP_PERCENT = 10  # geth's txpool.pricebump: a replacement raises both its fee cap and its tip by this much
STUCK_SECONDS = 30.0  # pending this long (15 blocks of the development network), a transaction is replaced
# Fees rise at most 1.1**5 (1.6 times): a transaction that sits unmined at that price waits on a halted chain or a
# partitioned node, which no fee mends; it is still sent again whenever the node has lost it.
MAX_REPLACEMENTS = 5
POLL_SECONDS = 0.1
# What nodes answer a transaction sent again (geth's wording, then anvil's), none of them a failure: the node has
# these bytes already; it holds another version of ours at least as dear; some transaction with this nonce is mined.
KNOWN = ("already known", "transaction already imported")
UNDERPRICED = "replacement transaction underpriced"
NONCE_USED = "nonce too low"


@dataclass
class InFlight:
    """A transaction sent and not yet seen mined: what it takes to send it again or to replace it."""

    tx: TxParams  # the unsigned fields of the latest version, nonce and fees included
    raw: HexBytes  # the latest version, signed
    hashes: list[HexBytes] = field(default_factory=list)  # every version sent, the first one first
    sent_at: float = field(default_factory=time.monotonic)  # when the latest version was sent

    @property
    def nonce(self) -> int:
        return int(self.tx["nonce"])


class TransactionSender:
    """Signs and sends the transactions of one key, and waits until they are mined.

    The node's pending count is read once; after that the sender counts nonces itself, so many transactions can
    be in flight at once without two of them taking the same nonce (which web3's default does when it asks the
    node per transaction). Use exactly one sender per key. Each transaction's signed bytes are kept until it is
    mined, because a node's pool is not a promise: geth does not keep the transactions it heard from peers across
    a restart, and a node failed over to may never have heard of it.
    """

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        decoder: RevertDecoder,
        *,
        receipt_timeout: float = 120.0,
        stuck_after: float = STUCK_SECONDS,
        poll: float = POLL_SECONDS,
    ):
        self.w3 = w3
        self.account = account
        self.decoder = decoder
        self.receipt_timeout = receipt_timeout
        self.stuck_after = stuck_after
        self.poll = poll
        self._chain_id = w3.eth.chain_id
        self._nonce = w3.eth.get_transaction_count(account.address, "pending")
        self._in_flight: dict[int, InFlight] = {}  # by nonce
        self._by_hash: dict[HexBytes, InFlight] = {}  # every version's hash
        self._lock = threading.RLock()

    @property
    def address(self) -> ChecksumAddress:
        return self.account.address

    def send(self, call: ContractFunction | ContractConstructor, *, gas: int | None = None) -> HexBytes:
        """Sign and send; returns the transaction hash. A call the contract would refuse raises its named error."""
        params: TxParams = {"from": self.account.address, "chainId": self._chain_id, **self._fees()}
        params["gas"] = gas if gas is not None else self.estimate(call)
        tx = call.build_transaction(params)
        with self._lock:
            tx["nonce"] = self._nonce
            signed = self._sign(tx)
            self.w3.eth.send_raw_transaction(signed.raw_transaction)
            self._share(signed.raw_transaction)
            self._track(InFlight(tx, signed.raw_transaction), signed.hash)
            self._nonce = Nonce(self._nonce + 1)
        return signed.hash

    def estimate(self, call: ContractFunction | ContractConstructor) -> int:
        """The gas ``call`` takes sent from this account now, or the contract's named refusal."""
        try:
            return call.estimate_gas({"from": self.account.address})
        except ContractLogicError as exc:
            raise self._decoded(exc) from None

    def simulate(self, call: ContractFunction) -> Any:
        """Runs ``call`` as an eth_call from this account: the result, or the contract's named refusal."""
        try:
            return call.call({"from": self.account.address})
        except ContractLogicError as exc:
            raise self._decoded(exc) from None

    def recount(self) -> None:
        """Count nonces from the node's pending count again: another process may have sent with this key, or the
        node (restarted, or another one failed over to) may have lost some of ours, which are then sent again in
        nonce order so that none waits behind a gap."""
        with self._lock:
            mined = self.w3.eth.get_transaction_count(self.address, "latest")
            for nonce in [nonce for nonce in self._in_flight if nonce < mined]:  # sent and never waited for
                self._forget(nonce)
            pending = self.w3.eth.get_transaction_count(self.address, "pending")
            lost = [flight for nonce, flight in sorted(self._in_flight.items()) if nonce >= pending]
            for flight in lost:
                self._send_again(flight)
            self._nonce = Nonce(max([pending, *(flight.nonce + 1 for flight in lost)]))

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until no transaction of this key is pending at the node (say, sent by a process that was killed),
        then count nonces from there: what is on chain is then final for this key."""
        deadline = time.monotonic() + timeout
        while (
            pending := self.w3.eth.get_transaction_count(self.address, "pending")
        ) > self.w3.eth.get_transaction_count(self.address, "latest"):
            if time.monotonic() > deadline:
                raise TransactionNotMined(f"transactions of {self.address} still pending after {timeout:.0f} s")
            time.sleep(0.2)
        with self._lock:
            for nonce in list(self._in_flight):
                self._forget(nonce)
            self._nonce = pending

    def wait(self, tx_hash: HexBytes) -> TxReceipt:
        """The receipt once mined (of this transaction or of a replacement of it); meanwhile the transaction is
        sent again if the node has lost it and replaced if it is stuck. A reverted transaction raises its named
        error; one not mined within ``receipt_timeout`` raises TransactionNotMined."""
        deadline = time.monotonic() + self.receipt_timeout
        while (receipt := self._receipt(tx_hash)) is None:
            if time.monotonic() > deadline:
                raise TransactionNotMined(
                    f"transaction {tx_hash.to_0x_hex()} of {self.address} not mined after {self.receipt_timeout:g} s"
                )
            time.sleep(self.poll)
            self._keep_going(tx_hash)
        if receipt["status"] != 1:
            raise why_reverted(self.w3, self.decoder, receipt["transactionHash"], receipt["blockNumber"])
        return receipt

    def transact(self, call: ContractFunction | ContractConstructor, *, gas: int | None = None) -> TxReceipt:
        return self.wait(self.send(call, gas=gas))

    def _fees(self) -> TxParams:
        return fees_for(self.w3.eth.get_block("latest")["baseFeePerGas"])

    def _sign(self, tx: TxParams) -> SignedTransaction:
        # eth-account types the transaction as a plain dict of its fields: web3's TxParams is that dict
        return self.account.sign_transaction(cast(TransactionDictType, tx))

    def _track(self, flight: InFlight, tx_hash: HexBytes) -> None:
        with self._lock:
            flight.hashes.append(tx_hash)
            self._in_flight[flight.nonce] = flight
            self._by_hash[tx_hash] = flight

    def _forget(self, nonce: int) -> None:
        with self._lock:
            for tx_hash in self._in_flight.pop(nonce).hashes:
                del self._by_hash[tx_hash]

    def _receipt(self, tx_hash: HexBytes) -> TxReceipt | None:
        """The receipt of whichever version of ``tx_hash`` is mined, if one is (a node that does not answer, as
        while it restarts, is asked again next time)."""
        flight = self._by_hash.get(tx_hash)
        for version in list(flight.hashes) if flight else [tx_hash]:
            try:
                receipt = self.w3.eth.get_transaction_receipt(version)
            except (TransactionNotFound, TransactionIndexingInProgress):  # (a geth just started indexes a while)
                continue
            except requests.RequestException:
                return None
            if flight is not None and flight.nonce in self._in_flight:
                self._forget(flight.nonce)
            return receipt
        return None

    def _keep_going(self, tx_hash: HexBytes) -> None:
        """One look at an unmined transaction of ours: sent again if the node has none of its versions, replaced
        if it has been pending longer than ``stuck_after``."""
        flight = self._by_hash.get(tx_hash)
        if flight is None:  # not sent by this sender (or settled): there is nothing to send again
            return
        try:
            if not any(self._node_has(version) for version in flight.hashes):
                self._check_nonce_not_taken(flight)
                self.recount()
            elif time.monotonic() - flight.sent_at > self.stuck_after and len(flight.hashes) <= MAX_REPLACEMENTS:
                self._replace(flight)
        except requests.RequestException as exc:  # the node is away (restarting): the next look tries again
            log.warning("node does not answer (%s) while %s waits", exc.__class__.__name__, tx_hash.to_0x_hex())

    def _node_has(self, tx_hash: HexBytes) -> bool:
        """Asked by the raw bytes, not ``get_transaction``: web3's request cache takes that one's answer for a
        pending transaction (block number null) to a block lookup that fails, and logs a traceback every time."""
        try:
            self.w3.eth.get_raw_transaction(tx_hash)
        except TransactionNotFound:
            return False
        return True

    def _check_nonce_not_taken(self, flight: InFlight) -> None:
        """A nonce the chain has used, by none of our versions (another process with this key): ours is lost."""
        if self.w3.eth.get_transaction_count(self.address, "latest") <= flight.nonce:
            return
        if any(self._mined(version) for version in flight.hashes):
            return  # mined in between: the next look at the receipts finds it
        self._forget(flight.nonce)
        raise TransactionFailed(f"nonce {flight.nonce} of {self.address} was used by another transaction")

    def _mined(self, tx_hash: HexBytes) -> bool:
        try:
            self.w3.eth.get_transaction_receipt(tx_hash)
        except TransactionNotFound:
            return False
        except TransactionIndexingInProgress:  # the node cannot tell yet: not taken until it can
            return True
        return True

    def _send_again(self, flight: InFlight) -> None:
        """The latest version's very bytes again, to a node that may have lost them."""
        log.warning(
            "node lost transaction %s (nonce %d): sending it again", flight.hashes[-1].to_0x_hex(), flight.nonce
        )
        self._broadcast(flight.raw)

    def _replace(self, flight: InFlight) -> None:
        """The same transaction at the same nonce with fees that a pool accepts as a replacement; whichever
        version is mined, the act happens once."""
        with self._lock:
            tx = cast(TxParams, {**flight.tx, **replacement_fees(flight.tx, self._fees())})
            signed = self._sign(tx)
            if self._broadcast(signed.raw_transaction):
                flight.tx, flight.raw = tx, signed.raw_transaction
                self._track(flight, signed.hash)
                log.warning(
                    "transaction %s (nonce %d) stuck for %.0f s: replaced by %s (fee cap %d wei, tip %d wei)",
                    flight.hashes[0].to_0x_hex(),
                    flight.nonce,
                    time.monotonic() - flight.sent_at,
                    signed.hash.to_0x_hex(),
                    tx["maxFeePerGas"],
                    tx["maxPriorityFeePerGas"],
                )
            flight.sent_at = time.monotonic()

    def _broadcast(self, raw: HexBytes) -> bool:
        """Send ``raw``; False if the node refuses it in one of the ways that leave one of ours to be mined (it has
        these bytes, a dearer version of ours, or a mined transaction at this nonce: receipts tell which)."""
        try:
            self.w3.eth.send_raw_transaction(raw)
        except Web3RPCError as exc:
            message = str(exc.message or exc)
            if any(known in message for known in (*KNOWN, UNDERPRICED, NONCE_USED)):
                return False
            raise
        self._share(raw)
        return True

    def _share(self, raw: HexBytes) -> None:
        """The other nodes of a comma-list LEDGER_RPC_URL get the transaction directly (``FailoverProvider.share``)."""
        if isinstance(provider := self.w3.provider, FailoverProvider):
            provider.share(raw.to_0x_hex())

    def _decoded(self, exc: ContractLogicError) -> Exception:
        return decoded_revert(self.decoder, exc)


def fees_for(base_fee: int, tip: int = PRIORITY_FEE_WEI) -> TxParams:
    """EIP-1559 fees that stay valid while the base fee doubles (six full blocks); on a quiet proof-of-authority
    chain the base fee decays to 7 wei, so the tip is nearly all that is paid."""
    return {"maxFeePerGas": Wei(2 * base_fee + tip), "maxPriorityFeePerGas": Wei(tip)}


def replacement_fees(old: TxParams, fresh: TxParams) -> TxParams:
    """Fees for a replacement of ``old``: tip and fee cap each raised by PRICE_BUMP_PERCENT, rounded up and by at
    least 1 wei (geth wants 10 % more of both, anvil strictly more), and never below what ``fresh`` fees (for the
    current base fee) ask. web3 bumps only legacy gas prices (``prepare_replacement_transaction``), not these."""
    tip = max(_bumped(int(old["maxPriorityFeePerGas"])), int(fresh["maxPriorityFeePerGas"]))
    fee_cap = int(fresh["maxFeePerGas"]) - int(fresh["maxPriorityFeePerGas"]) + tip  # the current base fee's need
    return {"maxFeePerGas": Wei(max(_bumped(int(old["maxFeePerGas"])), fee_cap)), "maxPriorityFeePerGas": Wei(tip)}


def _bumped(wei: int) -> int:
    return wei + max(-(-wei * PRICE_BUMP_PERCENT // 100), 1)


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
