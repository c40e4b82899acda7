"""Small helpers the chain tests share: the node's clock, moving it forward, test-only contracts."""

from __future__ import annotations

import json
from typing import Any

from web3 import Web3
from web3.contract import Contract

from ledger.chain.transactions import TransactionSender
from ledger.settings import ARTIFACTS_DIR


def chain_now(w3: Web3) -> int:
    return w3.eth.get_block("latest")["timestamp"]


def advance_time(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def deploy_test_contract(w3: Web3, sender: TransactionSender, name: str, *args: Any) -> Contract:
    """Deploys a test-only contract from tests/contracts/utils (Hardhat builds their artifacts too)."""
    path = ARTIFACTS_DIR / "tests" / "contracts" / "utils" / f"{name}.sol" / f"{name}.json"
    built = json.loads(path.read_text())
    receipt = sender.transact(w3.eth.contract(abi=built["abi"], bytecode=built["bytecode"]).constructor(*args))
    return w3.eth.contract(address=receipt["contractAddress"], abi=built["abi"])
