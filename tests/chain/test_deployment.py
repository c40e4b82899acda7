"""Deploying from Hardhat's artifacts, reusing a live deployment, and refusing development keys off a local chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from web3 import Web3

from ledger import errors
from ledger.chain.artifacts import GOVERNANCE, Artifact, load_artifact
from ledger.chain.deployment import DeploymentRecord, ensure_demo_deployment, is_live
from ledger.chain.localchain import LocalChain, free_port
from ledger.cli import main as ledger_cli
from ledger.index.indexer import Indexer
from ledger.settings import PROJECT_ROOT, governance_delay
from tests.cli_helpers import run
from tests.conftest import Deployed
from wallet.devkeys import DEV_PROVINCES, dev_account, require_local_chain
from wallet.errors import DevKeyRefused


def test_deployment_is_recorded_and_live(deployed: Deployed, artifact: Artifact) -> None:
    record = json.loads(deployed.record_path.read_text())
    assert record["chain_id"] == 31337
    assert record["address"] == deployed.record.address
    assert record["abi_hash"] == artifact.abi_hash
    assert record["block_hash"].startswith("0x") and len(record["block_hash"]) == 66
    assert is_live(deployed.w3, deployed.record, artifact)


def test_demo_roles_are_granted(deployed: Deployed) -> None:
    registry, roles = deployed.registry, deployed.record.roles
    assert registry.functions.hasRole(registry.functions.MINISTRY_ROLE().call(), roles["ministry"]).call()
    assert registry.functions.hasRole(registry.functions.PLANNER_REGISTRAR_ROLE().call(), roles["registrar"]).call()
    for name, province in DEV_PROVINCES.items():
        assert registry.functions.provinceOf(roles[name]).call() == province
    assert not registry.functions.hasRole(registry.functions.MINISTRY_ROLE().call(), roles["relayer"]).call()


def test_the_governance_admin_is_a_timelock_and_the_deployer_holds_no_role(deployed: Deployed) -> None:
    """Finding 11: after deployment no key can grant the ministry role at once; the timelock's delay stands."""
    registry, record = deployed.registry, deployed.record
    admin_role, ministry_role = (
        registry.functions.DEFAULT_ADMIN_ROLE().call(),
        registry.functions.MINISTRY_ROLE().call(),
    )
    assert registry.functions.hasRole(admin_role, record.governance_address).call()
    assert not registry.functions.hasRole(admin_role, record.roles["admin"]).call()
    timelock = deployed.w3.eth.contract(address=record.governance_address, abi=load_artifact(GOVERNANCE).abi)
    assert timelock.functions.getMinDelay().call() == record.governance_delay == governance_delay() > 0
    with pytest.raises(errors.AccessControlUnauthorizedAccount):
        deployed.sender("admin").transact(registry.functions.grantRole(ministry_role, record.roles["admin"]))


def test_deploying_again_reuses_the_deployment(deployed: Deployed, artifact: Artifact) -> None:
    again, reused = ensure_demo_deployment(deployed.w3, deployed.record_path, artifact)
    assert reused
    assert again == deployed.record


def test_a_new_build_is_deployed_anew(deployed: Deployed, artifact: Artifact) -> None:
    stale = DeploymentRecord(**{**asdict(deployed.record), "bytecode_hash": "sha256:older-build"})
    stale.write(deployed.record_path)
    fresh, reused = ensure_demo_deployment(deployed.w3, deployed.record_path, artifact)
    assert not reused
    assert fresh.address != deployed.record.address


def test_a_record_from_another_chain_is_not_reused(deployed: Deployed, artifact: Artifact) -> None:
    other = DeploymentRecord(**{**asdict(deployed.record), "block_hash": "0x" + "ab" * 32})
    assert not is_live(deployed.w3, other, artifact)


def test_development_keys_are_refused_off_a_local_chain() -> None:
    require_local_chain(31337)
    for chain_id in (1, 11155111, 56):
        with pytest.raises(DevKeyRefused, match="local chains only"):
            dev_account("admin", chain_id)


def test_the_deploy_command_refuses_a_non_local_chain(tmp_path: Path) -> None:
    chain = LocalChain(free_port(), chain_id=11155111).start()  # a node that says it is Sepolia
    try:
        record = tmp_path / "deployment.json"
        result = subprocess.run(
            [sys.executable, "-m", "ledger", "--rpc-url", chain.url, "--record", str(record), "deploy"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1
        assert "refusing to use public development keys on chain 11155111" in result.stderr
        assert not record.exists()
        assert Web3(Web3.HTTPProvider(chain.url)).eth.block_number == 0, "nothing was sent"
    finally:
        chain.stop()


def test_a_chain_on_the_default_id_without_the_development_flag_gets_no_development_keys(
    anvil: LocalChain, tmp_path: Path
) -> None:
    """Issue 14, finding 11: a private network left on chain id 31337 accepted the public-mnemonic admin and
    relayer. The development keys now also need LEDGER_DEVELOPMENT=1, which only make and the tests set."""
    record = tmp_path / "deployment.json"
    environment = {k: v for k, v in os.environ.items() if k != "LEDGER_DEVELOPMENT"}
    before = Web3(Web3.HTTPProvider(anvil.url)).eth.block_number
    result = subprocess.run(
        [sys.executable, "-m", "ledger", "--rpc-url", anvil.url, "--record", str(record), "deploy"],
        cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "LEDGER_DEVELOPMENT=1" in result.stderr and "Traceback" not in result.stderr
    assert not record.exists()
    assert Web3(Web3.HTTPProvider(anvil.url)).eth.block_number == before, "nothing was sent"


def test_only_the_ministry_appoints_and_removes_provincial_regulators(deployed: Deployed) -> None:
    """A province (or anyone but the ministry) is refused with the one 'not the ministry' error, Unauthorized."""
    zhejiang, stranger = deployed.sender("zhejiang"), Web3.to_checksum_address("0x" + "ab" * 20)
    with pytest.raises(errors.Unauthorized):
        zhejiang.transact(deployed.registry.functions.appointProvincialRegulator(stranger, 44))
    with pytest.raises(errors.Unauthorized):
        zhejiang.transact(deployed.registry.functions.removeProvincialRegulator(deployed.record.roles["guangdong"]))


def test_a_new_deployment_empties_the_read_model_of_the_one_it_replaces(
    deployed: Deployed, indexer: Indexer, ledger: list[str]
) -> None:
    """After the contracts change, `make up` deploys anew over the old read model: deploy empties it (the vault
    stays) instead of leaving every later command to fail with IndexMismatch."""
    indexer.sync()
    deployed.record_path.unlink()  # the recorded deployment is gone, as when its bytecode no longer matches
    assert "emptied" in run(ledger_cli, *ledger, "deploy").output
    assert "indexed" in run(ledger_cli, *ledger, "index", "--once").output
    assert "emptied" not in run(ledger_cli, *ledger, "deploy").output  # reused, and its own index kept
