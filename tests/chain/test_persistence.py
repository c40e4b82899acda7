"""The local chain keeps its state across a restart: certificates survive ``make stop`` / ``make chain``."""

from __future__ import annotations

from pathlib import Path

from eth_utils import keccak

from ledger.certificates.vocabulary import Status
from ledger.chain.artifacts import Artifact
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.localchain import LocalChain, free_port
from ledger.chain.node import connect, registry_at
from ledger.chain.reverts import RevertDecoder
from ledger.chain.transactions import TransactionSender
from scripts.samples import firm_request
from tests.chain_helpers import chain_now
from wallet.devkeys import dev_account


def test_a_restarted_chain_keeps_every_certificate(tmp_path: Path, artifact: Artifact) -> None:
    state, record_path = tmp_path / "state.json", tmp_path / "deployment.json"
    chain = LocalChain(free_port(), state).start()
    try:
        w3 = connect(chain.url)
        record, _ = ensure_demo_deployment(w3, record_path, artifact)
        registry = registry_at(w3, record.address, artifact)
        province = TransactionSender(w3, dev_account("zhejiang", 31337), RevertDecoder(artifact.abi))
        province.transact(registry.functions.issue(firm_request("浙规乙字330001", now=chain_now(w3))))
        province.transact(registry.functions.suspend(keccak(text="浙规乙字330001"), 4))
        height = w3.eth.block_number
        assert chain.cache_dir == tmp_path / "anvil-cache" and chain.cache_dir.is_dir()
    finally:
        chain.stop()
    assert state.stat().st_size > 0, "anvil wrote its state on stop"
    assert not (tmp_path / "anvil-cache").exists(), "the offloaded states go with the node"

    restarted = LocalChain(free_port(), state).start()
    try:
        w3 = connect(restarted.url)
        assert w3.eth.block_number >= height
        registry = registry_at(w3, record.address, artifact)
        assert Status(registry.functions.statusOf(keccak(text="浙规乙字330001")).call()) is Status.SUSPENDED
        again, reused = ensure_demo_deployment(w3, record_path, artifact)
        assert reused and again.address == record.address, "the deployment is found again, not redone"
    finally:
        restarted.stop()
