"""One bytecode for every chain: the contracts are compiled for the EVM rules the local chain runs, the newest that
geth's Clique engine seals (Paris), so a gas figure or a behaviour measured on anvil holds on the network."""

from __future__ import annotations

import json

import pytest
from web3.exceptions import Web3Exception

from ledger.certificates.storage_proofs import layout_source
from ledger.chain.localchain import HARDFORK
from ledger.settings import ARTIFACTS_DIR
from tests.conftest import Deployed

PUSH0_CREATION = "0x5f5ff3"  # PUSH0 PUSH0 RETURN: an empty contract, built with Shanghai's PUSH0


def test_the_contracts_are_compiled_for_the_chains_rules() -> None:
    build = json.loads((ARTIFACTS_DIR / "build-info" / f"{layout_source().build_info}.json").read_text())
    assert build["input"]["settings"]["evmVersion"] == HARDFORK == "paris"


def test_anvil_runs_the_same_rules(deployed: Deployed) -> None:
    block = deployed.w3.eth.get_block("latest")
    assert "baseFeePerGas" in block  # London and after
    assert "withdrawalsRoot" not in block and "blobGasUsed" not in block  # nothing of Shanghai or Cancun
    with pytest.raises(Web3Exception):  # PUSH0 is not an instruction before Shanghai
        deployed.w3.eth.call({"data": PUSH0_CREATION})  # type: ignore[typeddict-item]
