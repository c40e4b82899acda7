"""The typed chain client: one Python call per contract act (direct and by-signature) and per view.

Acts go through one ``TransactionSender`` per key (local signing, local nonce counter), wait for a configurable
number of confirmations, and come back as an ``ActResult``. Reverts arrive as the named exceptions of
``ledger.errors``. A resubmitted act is recognised instead of failing or being duplicated: a certificate number
that is already on chain with the same document and subject, or a signed act whose nonce the chain has already
consumed with the act's effect in place, returns ``recognised=True`` and sends nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eth_utils import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction, ContractFunctions
from web3.exceptions import ContractLogicError
from web3.types import BlockIdentifier

from ledger.certificates.vocabulary import Grade, Kind, Status
from ledger.chain.reverts import RevertDecoder
from ledger.chain.transactions import TransactionSender
from ledger.errors import AlreadyIssued, InvalidAccountNonce, LedgerError, UnknownCertificate

Delegation = tuple[str, int, int, bytes]  # (signer, nonce, deadline, signature), as wallet.SignedAct.delegation()


class ConfirmationTimeout(LedgerError, TimeoutError):
    """A mined act did not reach the requested number of confirmations in time."""


@dataclass(frozen=True)
class CertificateView:
    """A certificate as the contract's ``certificate(id)`` view returns it."""

    id: bytes
    subject: bytes
    document_hash: bytes
    holder: str
    valid_from: int
    valid_until: int
    status: Status
    kind: Kind
    issuer: str
    grade: Grade
    province: int
    version: int
    held_since: int
    employer: bytes
    predecessor: bytes
    successor: bytes


@dataclass(frozen=True)
class ActResult:
    """What an act did: its transaction (None when a resubmission was recognised) and the certificate it made
    or changed (for a batch, all of them)."""

    certificate_ids: tuple[bytes, ...]
    tx_hash: str | None = None
    block_number: int | None = None
    gas_used: int | None = None
    recognised: bool = False

    @property
    def certificate_id(self) -> bytes:
        return self.certificate_ids[0]


def certificate_id(number: str) -> bytes:
    """The id under which the contract stores a certificate: keccak256 of its number (as ``idOf``)."""
    return keccak(text=number)


class RegistryClient:
    """Acts and views of one registry deployment, for one sending key (or none, to read only)."""

    def __init__(
        self,
        w3: Web3,
        registry: Contract,
        sender: TransactionSender | None = None,
        *,
        confirmations: int = 1,
        confirmation_timeout: float = 120.0,
    ) -> None:
        self.w3 = w3
        self.registry = registry
        self.sender = sender
        self.confirmations = confirmations
        self.confirmation_timeout = confirmation_timeout
        self.decoder = sender.decoder if sender else RevertDecoder(registry.abi)

    # ---- views ----

    def certificate(self, certificate: bytes | str, block: BlockIdentifier = "latest") -> CertificateView:
        """A certificate by id or number (at ``block``); an unknown one raises ``UnknownCertificate``."""
        cid = _id(certificate)
        try:
            fields = self.registry.functions.certificate(cid).call(block_identifier=block)
        except ContractLogicError as exc:
            raise self._decoded(exc) from None
        (subject, doc, holder, valid_from, valid_until, status, kind, issuer, grade, province, version) = fields[:11]
        held_since, employer, predecessor, successor = fields[11:]
        return CertificateView(
            cid, subject, doc, holder, valid_from, valid_until, Status(status), Kind(kind), issuer, Grade(grade),
            province, version, held_since, employer, predecessor, successor,
        )  # fmt: skip

    def status_of(self, certificate: bytes | str) -> Status:
        return Status(self.registry.functions.statusOf(_id(certificate)).call())

    def is_valid(self, certificate: bytes | str) -> bool:
        return self.registry.functions.isValid(_id(certificate)).call()

    def registration_of(self, subject: bytes) -> bytes | None:
        registration = self.registry.functions.registrationOf(subject).call()
        return None if registration == b"\0" * 32 else registration

    def nonce_of(self, signer: str) -> int:
        return self.registry.functions.nonces(signer).call()

    def firm_province_of(self, subject: bytes) -> int:
        """The province a firm subject is bound to on chain (0: no firm certificate was ever issued for it)."""
        return self.registry.functions.firmProvinceOf(subject).call()

    def qualification_of(self, subject: bytes) -> bytes | None:
        """The firm subject's live qualification (its latest firm certificate while live), or None."""
        qualification = self.registry.functions.qualificationOf(subject).call()
        return None if qualification == b"\0" * 32 else qualification

    # ---- acts, direct ----

    def issue(self, request: Mapping[str, Any]) -> ActResult:
        return self._create(self._fn.issue(request), [request])

    def issue_batch(self, requests: Sequence[Mapping[str, Any]]) -> ActResult:
        return self._create(self._fn.issueBatch(list(requests)), requests)

    def upgrade(self, certificate: bytes | str, successor: Mapping[str, Any], *, legacy: bool = False) -> ActResult:
        cid = _id(certificate)
        return self._succeed(self._fn.upgrade(cid, successor, legacy), cid, successor)

    def renew(self, certificate: bytes | str, successor: Mapping[str, Any]) -> ActResult:
        cid = _id(certificate)
        return self._succeed(self._fn.renew(cid, successor), cid, successor)

    def amend(self, certificate: bytes | str, holder: str, document_hash: bytes, public_data: bytes) -> ActResult:
        cid = _id(certificate)
        return self._send(self._fn.amend(cid, holder, document_hash, public_data), cid)

    def bind_holder(self, certificate: bytes | str, holder: str, reason_hash: bytes) -> ActResult:
        cid = _id(certificate)
        return self._send(self._fn.bindHolder(cid, holder, reason_hash), cid)

    def suspend(self, certificate: bytes | str, reason: int) -> ActResult:
        return self._send(self._fn.suspend(_id(certificate), reason), _id(certificate))

    def reinstate(self, certificate: bytes | str, reason: int) -> ActResult:
        return self._send(self._fn.reinstate(_id(certificate), reason), _id(certificate))

    def revoke(self, certificate: bytes | str, reason: int) -> ActResult:
        return self._send(self._fn.revoke(_id(certificate), reason), _id(certificate))

    def move_firm(self, subject: bytes, province: int) -> ActResult:
        """The ministry's act that binds a firm subject to another province (``FirmMoved``)."""
        return self._send(self._fn.moveFirm(subject, province))

    def transfer(
        self, certificate: bytes | str, employer: bytes, document_hash: bytes, public_data: bytes
    ) -> ActResult:
        cid = _id(certificate)
        return self._send(self._fn.transfer(cid, employer, document_hash, public_data), cid)

    # ---- acts, relayed with the regulator's EIP-712 signature ----

    def issue_by_signature(self, request: Mapping[str, Any], delegation: Delegation) -> ActResult:
        call = self._fn.issueBySignature(request, delegation)
        return self._signed(
            call, delegation, lambda: self._create(call, [request]), [certificate_id(request["number"])]
        )

    def issue_batch_by_signature(self, requests: Sequence[Mapping[str, Any]], delegation: Delegation) -> ActResult:
        call = self._fn.issueBatchBySignature(list(requests), delegation)
        ids = [certificate_id(r["number"]) for r in requests]
        return self._signed(call, delegation, lambda: self._create(call, requests), ids)

    def upgrade_by_signature(
        self, certificate: bytes | str, successor: Mapping[str, Any], legacy: bool, delegation: Delegation
    ) -> ActResult:
        cid = _id(certificate)
        call = self._fn.upgradeBySignature(cid, successor, legacy, delegation)
        new = [certificate_id(successor["number"])]
        return self._signed(call, delegation, lambda: self._succeed(call, cid, successor), new)

    def renew_by_signature(
        self, certificate: bytes | str, successor: Mapping[str, Any], delegation: Delegation
    ) -> ActResult:
        cid = _id(certificate)
        call = self._fn.renewBySignature(cid, successor, delegation)
        new = [certificate_id(successor["number"])]
        return self._signed(call, delegation, lambda: self._succeed(call, cid, successor), new)

    def amend_by_signature(
        self, certificate: bytes | str, holder: str, document_hash: bytes, public_data: bytes, delegation: Delegation
    ) -> ActResult:
        cid = _id(certificate)
        call = self._fn.amendBySignature(cid, holder, document_hash, public_data, delegation)
        return self._signed(call, delegation, lambda: self._send(call, cid), [cid])

    def suspend_by_signature(self, certificate: bytes | str, reason: int, delegation: Delegation) -> ActResult:
        cid = _id(certificate)
        call = self._fn.suspendBySignature(cid, reason, delegation)
        return self._signed(call, delegation, lambda: self._send(call, cid), [cid])

    def reinstate_by_signature(self, certificate: bytes | str, reason: int, delegation: Delegation) -> ActResult:
        cid = _id(certificate)
        call = self._fn.reinstateBySignature(cid, reason, delegation)
        return self._signed(call, delegation, lambda: self._send(call, cid), [cid])

    def revoke_by_signature(self, certificate: bytes | str, reason: int, delegation: Delegation) -> ActResult:
        cid = _id(certificate)
        call = self._fn.revokeBySignature(cid, reason, delegation)
        return self._signed(call, delegation, lambda: self._send(call, cid), [cid])

    def transfer_by_signature(
        self,
        certificate: bytes | str,
        employer: bytes,
        document_hash: bytes,
        public_data: bytes,
        delegation: Delegation,
    ) -> ActResult:
        cid = _id(certificate)
        call = self._fn.transferBySignature(cid, employer, document_hash, public_data, delegation)
        return self._signed(call, delegation, lambda: self._send(call, cid), [cid])

    # ---- sending, confirming, recognising resubmissions ----

    @property
    def _fn(self) -> ContractFunctions:
        return self.registry.functions

    def _send(self, call: ContractFunction, *ids: bytes) -> ActResult:
        if self.sender is None:
            raise LedgerError("this client has no sending key: it can only read")
        receipt = self.sender.wait(self.sender.send(call))
        self.wait_for_confirmations(receipt["blockNumber"])
        return ActResult(
            tuple(ids), HexBytes(receipt["transactionHash"]).to_0x_hex(), receipt["blockNumber"], receipt["gasUsed"]
        )

    def wait_for_confirmations(self, block_number: int) -> None:
        """Return once ``block_number`` has ``confirmations`` blocks on top of it counting itself."""
        deadline = time.monotonic() + self.confirmation_timeout
        while self.w3.eth.block_number < block_number + self.confirmations - 1:
            if time.monotonic() > deadline:
                raise ConfirmationTimeout(f"block {block_number} has not reached {self.confirmations} confirmations")
            time.sleep(0.2)

    def _create(self, call: ContractFunction, requests: Sequence[Mapping[str, Any]]) -> ActResult:
        """Issue; if the numbers are already on chain with the same documents and subjects, that is a resubmission."""
        ids = [certificate_id(r["number"]) for r in requests]
        try:
            return self._send(call, *ids)
        except AlreadyIssued:
            if all(self._holds(r) for r in requests):
                return ActResult(tuple(ids), recognised=True)
            raise

    def _succeed(self, call: ContractFunction, old: bytes, successor: Mapping[str, Any]) -> ActResult:
        """Renew or upgrade; an identical successor already superseding ``old`` is a resubmission."""
        new = certificate_id(successor["number"])
        try:
            return self._send(call, new)
        except AlreadyIssued:
            if self._holds(successor) and self.certificate(new).predecessor == old:
                return ActResult((new,), recognised=True)
            raise

    def _signed(
        self, call: ContractFunction, delegation: Delegation, act: Callable[[], ActResult], ids: Sequence[bytes]
    ) -> ActResult:
        """A relayed act whose nonce is already consumed was relayed before: recognised if its certificates exist."""
        try:
            return act()
        except InvalidAccountNonce:
            signer, nonce = delegation[0], delegation[1]
            if self.nonce_of(signer) > nonce and all(self.status_of(i) != Status.NONE for i in ids):
                return ActResult(tuple(ids), recognised=True)
            raise

    def _holds(self, request: Mapping[str, Any]) -> bool:
        try:
            on_chain = self.certificate(certificate_id(request["number"]))
        except UnknownCertificate:
            return False
        same_subject = "subject" not in request or on_chain.subject == bytes(request["subject"])
        return on_chain.document_hash == bytes(request["documentHash"]) and same_subject

    def _decoded(self, exc: ContractLogicError) -> Exception:
        return self.decoder.decode(exc.data) if isinstance(exc.data, str) else exc


def _id(certificate: bytes | str) -> bytes:
    """An id given as bytes, 0x-hex, or a certificate number."""
    if isinstance(certificate, bytes):
        return certificate
    if certificate.startswith("0x") and len(certificate) == 66:
        return bytes.fromhex(certificate[2:])
    return certificate_id(certificate)
