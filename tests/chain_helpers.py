"""Small helpers the chain tests share: the node's clock, and moving it forward."""

from __future__ import annotations

from web3 import Web3


def chain_now(w3: Web3) -> int:
    return w3.eth.get_block("latest")["timestamp"]


def advance_time(w3: Web3, seconds: int) -> None:
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])
