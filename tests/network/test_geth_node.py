"""The ledger on geth: one bytecode under one set of EVM rules on both clients (the same act costs the same gas),
and the storage proofs the API serves from a geth node check out with the standalone verifier against that node's
Clique headers (whose extra data carries the sealers), as they do on anvil."""

from __future__ import annotations

from pathlib import Path

import pytest
from web3.exceptions import Web3Exception

from ledger.certificates.client import certificate_id
from ledger.chain.artifacts import Artifact
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.geth import CliqueNode
from ledger.chain.localchain import LocalChain
from ledger.wiring import Ledger
from tests.chain.test_api_storage_proofs import (  # the chain tier's proof tests, here on geth
    test_a_forged_row_cannot_make_the_proof_say_what_the_row_says,
    test_a_lookups_storage_proof_verifies_and_a_forged_verdict_does_not,
)
from tests.chain.test_evm_rules import PUSH0_CREATION
from tests.conftest import Deployed
from tests.register_helpers import firm_issue, register_for
from wallet.devkeys import dev_account

__all__ = [
    "test_a_forged_row_cannot_make_the_proof_say_what_the_row_says",
    "test_a_lookups_storage_proof_verifies_and_a_forged_verdict_does_not",
]


def test_geth_runs_the_rules_the_contracts_are_compiled_for(deployed: Deployed, geth: CliqueNode) -> None:
    block = deployed.w3.eth.get_block("latest")
    assert "baseFeePerGas" in block and "withdrawalsRoot" not in block
    assert len(block["proofOfAuthorityData"]) == 32 + 65  # vanity and the sealer's seal: a Clique block
    with pytest.raises(Web3Exception):
        deployed.w3.eth.call({"data": PUSH0_CREATION})  # type: ignore[typeddict-item]


def test_the_same_acts_cost_the_same_gas_on_geth_and_anvil(
    deployed: Deployed, anvil: LocalChain, artifact: Artifact, tmp_path: Path
) -> None:
    on_anvil = Ledger(anvil.url, tmp_path / "anvil.json", f"sqlite:///{tmp_path / 'anvil.db'}")
    ensure_demo_deployment(on_anvil.w3, on_anvil.record_path, artifact)
    requests = [request for _, request in map(firm_issue, register_for(deployed.w3, firms=3).firms)]
    used = []
    for ledger in (deployed.ledger, on_anvil):
        sender = ledger.sender(dev_account("ministry", ledger.w3.eth.chain_id))
        issued = sender.transact(ledger.registry.functions.issueBatch(requests))
        suspended = sender.transact(ledger.registry.functions.suspend(certificate_id(requests[0]["number"]), 7))
        used.append([issued.gasUsed, suspended.gasUsed])
    assert used[0] == used[1]
