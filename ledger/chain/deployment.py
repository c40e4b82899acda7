"""Deploying the registries from Hardhat's artifacts, and the record that lets every later run find them again.

The ledger is three contracts: the certificate registry (roles, certificates), the credit registry beside it
(credit records, inspections) and the licensing registry (applications, four-eyes revocations), both of which ask
the certificate registry who may act; and the governance timelock that holds its admin role. They are deployed
together."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.types import TxReceipt

from ledger.chain.artifacts import CREDIT_REGISTRY, GOVERNANCE, LICENSING_REGISTRY, Artifact, load_artifact
from ledger.chain.node import registry_at
from ledger.chain.reverts import RevertDecoder
from ledger.chain.transactions import TransactionSender
from ledger.errors import TransactionFailed
from ledger.rules import licensing_rules
from ledger.settings import governance_delay
from wallet.devkeys import DEV_PROVINCES, dev_account, dev_province_account


@dataclass(frozen=True)
class DeploymentRecord:
    """Where the registry lives on one chain, and which build it runs."""

    chain_id: int
    address: str
    block_number: int
    block_hash: str
    transaction_hash: str
    abi_hash: str
    bytecode_hash: str
    deployer: str
    deployed_at: str
    roles: dict[str, str] = field(default_factory=dict)
    credit_address: str = ""  # the credit registry bound to this certificate registry
    credit_bytecode_hash: str = ""
    licensing_address: str = ""  # the licensing registry, holding LICENSING_ROLE in the certificate registry
    licensing_bytecode_hash: str = ""
    governance_address: str = ""  # the timelock that holds the registry's admin role (GovernanceTimelock)
    governance_delay: int = 0  # its minimum delay in seconds

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2) + "\n")
        tmp.replace(path)

    @classmethod
    def read(cls, path: Path) -> DeploymentRecord | None:
        try:
            return cls(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None


def is_live(w3: Web3, record: DeploymentRecord, artifact: Artifact, *companions: Artifact) -> bool:
    """True when ``record`` names this very build, deployed on this very chain (same id, same block hash); each
    of ``companions`` (the credit and licensing registries) must be that build and deployed too."""
    if record.chain_id != w3.eth.chain_id or record.bytecode_hash != artifact.bytecode_hash:
        return False
    for companion in companions:
        address_field, hash_field = _COMPANION_FIELDS[companion.name]
        address = getattr(record, address_field)
        if not address or getattr(record, hash_field) != companion.bytecode_hash:
            return False
        if not w3.eth.get_code(Web3.to_checksum_address(address)):
            return False
    if w3.eth.block_number < record.block_number:
        return False
    if w3.eth.get_block(record.block_number)["hash"].to_0x_hex() != record.block_hash:
        return False
    return len(w3.eth.get_code(Web3.to_checksum_address(record.address))) > 0


def deploy_registry(w3: Web3, admin: TransactionSender, artifact: Artifact) -> DeploymentRecord:
    """Deploy a new registry whose governance admin is ``admin``."""
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = admin.transact(factory.constructor(admin.address))
    return DeploymentRecord(
        chain_id=w3.eth.chain_id,
        address=_created(receipt),
        block_number=receipt["blockNumber"],
        block_hash=receipt["blockHash"].to_0x_hex(),
        transaction_hash=receipt["transactionHash"].to_0x_hex(),
        abi_hash=artifact.abi_hash,
        bytecode_hash=artifact.bytecode_hash,
        deployer=admin.address,
        deployed_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


# Where a companion registry's address and build are recorded, by artifact name.
_COMPANION_FIELDS = {
    CREDIT_REGISTRY: ("credit_address", "credit_bytecode_hash"),
    LICENSING_REGISTRY: ("licensing_address", "licensing_bytecode_hash"),
}


def deploy_licensing_registry(
    w3: Web3, admin: TransactionSender, registry: Contract, licensing: Artifact, notice_seconds: int
) -> tuple[ChecksumAddress, str]:
    """Deploy the licensing registry over ``registry`` and grant it LICENSING_ROLE (``admin`` must still hold the
    admin role); returns its address and build hash."""
    factory = w3.eth.contract(abi=licensing.abi, bytecode=licensing.bytecode)
    address = _created(admin.transact(factory.constructor(registry.address, notice_seconds)))
    admin.transact(registry.functions.grantRole(registry.functions.LICENSING_ROLE().call(), address))
    return address, licensing.bytecode_hash


def deploy_credit_registry(
    w3: Web3, admin: TransactionSender, credit: Artifact, record: DeploymentRecord
) -> DeploymentRecord:
    """Deploy the credit registry bound to ``record``'s certificate registry; returns the record naming both."""
    factory = w3.eth.contract(abi=credit.abi, bytecode=credit.bytecode)
    receipt = admin.transact(factory.constructor(record.address))
    return DeploymentRecord(
        **{**asdict(record), "credit_address": _created(receipt), "credit_bytecode_hash": credit.bytecode_hash}
    )


def hand_admin_to_timelock(w3: Web3, registry: Contract, admin: TransactionSender, delay: int) -> ChecksumAddress:
    """Put the registry's governance behind a GovernanceTimelock of ``delay`` seconds; returns its address.

    Once the first roles are granted, the timelock (``admin`` its only proposer and executor) receives the admin
    role and ``admin`` renounces its own: every later grant of the ministry or registrar role is a call scheduled
    on chain for all to see, executable only ``delay`` seconds later."""
    timelock = load_artifact(GOVERNANCE)
    factory = w3.eth.contract(abi=timelock.abi, bytecode=timelock.bytecode)
    address = _created(admin.transact(factory.constructor(delay, [admin.address], [admin.address])))
    admin_role = registry.functions.DEFAULT_ADMIN_ROLE().call()
    admin.transact(registry.functions.grantRole(admin_role, address))
    admin.transact(registry.functions.renounceRole(admin_role, admin.address))
    return address


def _created(receipt: TxReceipt) -> ChecksumAddress:
    """The address of the contract a creation transaction made (its receipt always names one)."""
    address = receipt["contractAddress"]
    if address is None:
        raise TransactionFailed(f"transaction {receipt['transactionHash'].to_0x_hex()} created no contract")
    return address


def grant_demo_roles(
    w3: Web3, registry: Contract, admin: TransactionSender, provinces: Collection[int] = ()
) -> dict[str, ChecksumAddress]:
    """Give the development accounts their demo parts (local chains only); returns role → address. Each of
    ``provinces`` without a named role gets a development regulator of its own (``dev_province_account``), which
    may import, so that the demo register's grade B certificates are issued by their own province.

    Takes the deployer's sender rather than making a second one for the same key (one sender per key)."""
    chain_id = w3.eth.chain_id
    ministry = TransactionSender(w3, dev_account("ministry", chain_id), admin.decoder)
    names = ("admin", "ministry", "ministry-2", "registrar", "relayer")
    roles = {name: dev_account(name, chain_id).address for name in names}
    ministry_role = registry.functions.MINISTRY_ROLE().call()
    importer_role = registry.functions.IMPORTER_ROLE().call()
    others = {p: dev_province_account(p, chain_id).address for p in provinces if p not in DEV_PROVINCES.values()}
    importers = [dev_account(name, chain_id).address for name in ("ministry", "registrar", *DEV_PROVINCES)]
    importers += others.values()
    pending = [
        # The demo register is imported by the authorities that granted it (the legacy import); a production
        # deployment grants IMPORTER_ROLE through the timelock for the migration and revokes it after.
        *(admin.send(registry.functions.grantRole(importer_role, account)) for account in importers),
        admin.send(registry.functions.grantRole(ministry_role, roles["ministry"])),
        admin.send(registry.functions.grantRole(ministry_role, roles["ministry-2"])),
        admin.send(
            registry.functions.grantRole(registry.functions.PLANNER_REGISTRAR_ROLE().call(), roles["registrar"])
        ),
    ]
    for tx in pending:
        admin.wait(tx)
    for name, province in DEV_PROVINCES.items():
        roles[name] = dev_account(name, chain_id).address
        ministry.transact(registry.functions.appointProvincialRegulator(roles[name], province))
    appointed = [ministry.send(registry.functions.appointProvincialRegulator(a, p)) for p, a in others.items()]
    for tx in appointed:
        ministry.wait(tx)
    roles.update({f"province-{p}": address for p, address in others.items()})
    return roles


def ensure_demo_deployment(
    w3: Web3, record_path: Path, artifact: Artifact, provinces: Collection[int] = ()
) -> tuple[DeploymentRecord, bool]:
    """Reuse the recorded deployment if it is live on this chain; otherwise deploy both registries with the
    development keys, grant the demo roles (a regulator for each of ``provinces`` too) and record them. Returns
    the record and whether it was reused."""
    credit, licensing = load_artifact(CREDIT_REGISTRY), load_artifact(LICENSING_REGISTRY)
    existing = DeploymentRecord.read(record_path)
    if existing is not None and is_live(w3, existing, artifact, credit, licensing):
        return existing, True
    admin = TransactionSender(w3, dev_account("admin", w3.eth.chain_id), RevertDecoder(artifact.abi))
    record = deploy_registry(w3, admin, artifact)
    registry = registry_at(w3, record.address, artifact)
    roles = grant_demo_roles(w3, registry, admin, provinces)
    notice = licensing_rules().public_notice_calendar_days * 86400
    licensing_address, licensing_hash = deploy_licensing_registry(w3, admin, registry, licensing, notice)
    delay = governance_delay()
    timelock = hand_admin_to_timelock(w3, registry, admin, delay)
    record = DeploymentRecord(
        **{
            **asdict(record),
            "roles": roles,
            "governance_address": timelock,
            "governance_delay": delay,
            "licensing_address": licensing_address,
            "licensing_bytecode_hash": licensing_hash,
        }
    )
    record = deploy_credit_registry(w3, admin, credit, record)
    record.write(record_path)
    return record, False
