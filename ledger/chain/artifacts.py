"""Reads the contract artifacts Hardhat builds; Python never compiles Solidity itself."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from eth_typing import ABIElement

from ledger.errors import ArtifactMissing
from ledger.settings import ARTIFACTS_DIR

REGISTRY = "CertificateRegistry"
CREDIT_REGISTRY = "CreditRegistry"
GOVERNANCE = "GovernanceTimelock"
LICENSING_REGISTRY = "LicensingRegistry"
LICENSING_ACTS = "LicensingActs"  # created by the licensing registry: its forwarder of signed steps


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[ABIElement]
    bytecode: str

    @cached_property
    def abi_hash(self) -> str:
        """sha256 of the canonical ABI: changes exactly when the contract's interface changes."""
        canonical = json.dumps(self.abi, sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()

    @cached_property
    def bytecode_hash(self) -> str:
        """sha256 of the creation code: changes whenever the compiled contract does."""
        return "sha256:" + hashlib.sha256(bytes.fromhex(self.bytecode.removeprefix("0x"))).hexdigest()


def load_artifact(name: str = REGISTRY, root: Path = ARTIFACTS_DIR) -> Artifact:
    path = root / "contracts" / f"{name}.sol" / f"{name}.json"
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtifactMissing(f"{path} not found: build the contracts with `make build`") from None
    return Artifact(name=data["contractName"], abi=data["abi"], bytecode=data["bytecode"])
