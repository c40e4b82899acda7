"""The licensing registry's acts from Python: each step sent by its actor's key, answered with the id the
contract's event names (the application, objection or proposal). The contract decides who may take a step; a
refusal arrives as the named exception of ``ledger.errors``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import TxReceipt

from ledger.certificates.documents import firm_subject
from ledger.chain.transactions import TransactionSender

ZERO = b"\0" * 32
FLAG_PAPER = 1  # LicensingRegistry.FLAG_PAPER: filed on paper, recorded by the authority


class ApplicationKind(IntEnum):
    """What a firm or a registered planner applies for (contracts/ILicensingRegistry.sol)."""

    FIRST = 1
    UPGRADE = 2
    RENEWAL = 3
    CHANGE = 4
    CANCELLATION = 5
    PLANNER_REGISTRATION = 6
    PLANNER_RENEWAL = 7
    PLANNER_CHANGE = 8
    PLANNER_CANCELLATION = 9


@dataclass(frozen=True)
class Filed:
    """What the contract keeps of an application (``LicensingRegistry.application``), by name."""

    subject: bytes
    certificate: bytes
    dossier: bytes
    applicant: str
    kind: int
    stage: int
    grade: int
    province: int
    flags: int
    notice_ends_at: int
    open_objections: int
    employer: bytes

    @property
    def paper(self) -> bool:
        return bool(self.flags & FLAG_PAPER)


def application_id(about: bytes, kind: ApplicationKind, dossier: bytes, applicant: str) -> bytes:
    """An application's id as the contract derives it: keccak256(abi.encode(subject or certificate, kind, dossier,
    applicant)); lets a rerun find what it filed."""
    return keccak(abi_encode(["bytes32", "uint8", "bytes32", "address"], [about, int(kind), dossier, applicant]))


def proposal_id(certificate: bytes, reason: int, evidence_hash: bytes, proposer: str) -> bytes:
    """A revocation proposal's id as the contract derives it: keccak256(abi.encode(certificate, reason, evidence,
    proposer))."""
    return keccak(
        abi_encode(["bytes32", "uint16", "bytes32", "address"], [certificate, reason, evidence_hash, proposer])
    )


@dataclass(frozen=True)
class Step:
    """A step taken: the id it made or acted on, and its transaction."""

    id: bytes
    tx_hash: str
    block_number: int
    gas_used: int


@dataclass
class LicensingClient:
    """Steps of the licensing procedure, sent from ``sender``'s key."""

    contract: Contract
    sender: TransactionSender

    # ---- the applicant's steps ----

    def file_first(self, credit_code: str, name: str, province: int, dossier: bytes, *, paper: bool = False) -> Step:
        """A first application (grade B) of the firm with this (validated) credit code and name in ``province``."""
        return self._file(first_request(credit_code, name, province, dossier), paper)

    def file_registration(
        self, planner_subject: bytes, employer: bytes, dossier: bytes, *, paper: bool = False
    ) -> Step:
        """A planner's registration (注册) with the firm ``employer`` (its subject); filed with the planner's key,
        which holds the registration once approved."""
        return self._file(
            (ApplicationKind.PLANNER_REGISTRATION, planner_subject, ZERO, 0, employer, dossier, b""), paper
        )

    def file_successor(
        self,
        kind: ApplicationKind,
        certificate: bytes,
        dossier: bytes,
        *,
        paper: bool = False,
        public_data: bytes = b"",
        employer: bytes = ZERO,
    ) -> Step:
        """An application about ``certificate``, filed with its holder key (or on paper): a firm's upgrade,
        renewal, change or cancellation, a planner's renewal, change of employer (to ``employer``) or cancellation."""
        return self._file(
            successor_filing(kind, certificate, dossier, public_data=public_data, employer=employer), paper
        )

    def consent(self, application: bytes) -> Step:
        """An employer's consent to a planner's change of employer (the firm's qualification's holder key)."""
        return self._step(self._fn.consent(application), application)

    def supplement(self, application: bytes, dossier: bytes) -> Step:
        return self._step(self._fn.supplement(application, dossier), application)

    def withdraw(self, application: bytes) -> Step:
        return self._step(self._fn.withdraw(application), application)

    def object(self, application: bytes, evidence_hash: bytes, text_hash: bytes) -> Step:
        """An objection during the notice (anyone's key); the step's id is the objection's."""
        receipt = self.sender.transact(self._fn.object(application, evidence_hash, text_hash))
        return self._made(receipt, "ObjectionRaised", "objection")

    # ---- the authority's steps ----

    def request_completion(self, application: bytes, list_hash: bytes) -> Step:
        return self._step(self._fn.requestCompletion(application, list_hash), application)

    def refuse_acceptance(self, application: bytes, reason_hash: bytes) -> Step:
        return self._step(self._fn.refuseAcceptance(application, reason_hash), application)

    def accept(self, application: bytes) -> Step:
        return self._step(self._fn.accept(application), application)

    def review(self, application: bytes, checks_hash: bytes, opinion_hash: bytes, notice_ends_at: int = 0) -> Step:
        """A review; with ``notice_ends_at`` the deciding review's opinion is noticed in the same act."""
        return self._step(self._fn.review(application, checks_hash, opinion_hash, notice_ends_at), application)

    def expert_review(self, application: bytes, *, begun: bool) -> Step:
        return self._step(self._fn.expertReview(application, begun), application)

    def extend_decision(self, application: bytes, reason_hash: bytes) -> Step:
        return self._step(self._fn.extendDecision(application, reason_hash), application)

    def publish_notice(self, application: bytes, ends_at: int) -> Step:
        return self._step(self._fn.publishNotice(application, ends_at), application)

    def answer_objection(self, objection: bytes, answer_hash: bytes) -> Step:
        return self._step(self._fn.answerObjection(objection, answer_hash), objection)

    def answer_objections(self, objections: list[bytes], answer_hash: bytes) -> Step:
        """One answer to many objections in one transaction; the step's id is the first objection's."""
        return self._step(self._fn.answerObjections(objections, answer_hash), objections[0])

    def approve_first(self, application: bytes, dossier: bytes, request: dict[str, Any]) -> Step:
        """Approve a first application; the step's id is the certificate issued."""
        receipt = self.sender.transact(self._fn.approveFirst(application, dossier, request))
        return self._made(receipt, "ApplicationApproved", "certificate")

    def approve_successor(self, application: bytes, dossier: bytes, successor: dict[str, Any]) -> Step:
        """Approve an upgrade or renewal; the step's id is the new certificate."""
        receipt = self.sender.transact(self._fn.approveSuccessor(application, dossier, successor))
        return self._made(receipt, "ApplicationApproved", "certificate")

    def approve_change(self, application: bytes, dossier: bytes, document_hash: bytes, public_data: bytes) -> Step:
        """Approve a firm's change (its certificate amended) or a planner's change of employer (transferred)."""
        return self._step(self._fn.approveChange(application, dossier, document_hash, public_data), application)

    def approve_cancellation(self, application: bytes, dossier: bytes) -> Step:
        """Approve a cancellation at the holder's request: the certificate is cancelled (注销)."""
        return self._step(self._fn.approveCancellation(application, dossier), application)

    def refuse(self, application: bytes, reasons_hash: bytes) -> Step:
        return self._step(self._fn.refuse(application, reasons_hash), application)

    # ---- four eyes on revocation ----

    def propose_revocation(self, certificate: bytes, reason: int, evidence_hash: bytes) -> Step:
        receipt = self.sender.transact(self._fn.proposeRevocation(certificate, reason, evidence_hash))
        return self._made(receipt, "RevocationProposed", "proposal")

    def confirm_revocation(self, proposal: bytes) -> Step:
        return self._step(self._fn.confirmRevocation(proposal), proposal)

    def withdraw_revocation(self, proposal: bytes) -> Step:
        return self._step(self._fn.withdrawRevocation(proposal), proposal)

    def application(self, application: bytes) -> Filed:
        return read_application(self.contract, application)

    # ---- plumbing ----

    @property
    def _fn(self) -> Any:
        return self.contract.functions

    def _file(self, request: tuple[Any, ...], paper: bool) -> Step:
        call = self._fn.fileOnPaper(request) if paper else self._fn.file(request)
        return self._made(self.sender.transact(call), "ApplicationFiled", "id")

    def _step(self, call: ContractFunction, about: bytes) -> Step:
        return _step(about, self.sender.transact(call))

    def _made(self, receipt: TxReceipt, event: str, argument: str) -> Step:
        # The receipt holds the certificate registry's events too: only this event's log is read.
        logs = getattr(self.contract.events, event)().process_receipt(receipt, errors=DISCARD)
        return _step(bytes(logs[0]["args"][argument]), receipt)


def first_request(credit_code: str, name: str, province: int, dossier: bytes) -> tuple[Any, ...]:
    """The ApplicationRequest of a firm's first application (grade B): the name and code go on chain in the
    filing's public data, for the public notice."""
    return (ApplicationKind.FIRST, firm_subject(credit_code), ZERO, province, ZERO, dossier,
            filing_public_data(credit_code, name))  # fmt: skip


def successor_filing(
    kind: ApplicationKind, certificate: bytes, dossier: bytes, *, public_data: bytes = b"", employer: bytes = ZERO
) -> tuple[Any, ...]:
    """The ApplicationRequest of an application about a certificate held (``employer``: a planner's new firm)."""
    return (kind, ZERO, certificate, 0, employer, dossier, public_data)


def read_application(contract: Contract, application: bytes) -> Filed:
    """The application as the contract keeps it (reverts UnknownApplication)."""
    return Filed(*contract.functions.application(application).call())


def filing_public_data(credit_code: str, name: str) -> bytes:
    """The filing's public data: canonical JSON of the firm's name and credit code."""
    fields = {"creditCode": credit_code, "name": name.strip()}
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _step(about: bytes, receipt: TxReceipt) -> Step:
    return Step(about, receipt["transactionHash"].to_0x_hex(), receipt["blockNumber"], receipt["gasUsed"])
