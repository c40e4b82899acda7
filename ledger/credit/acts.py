"""Sending credit acts: the requests as the credit registry's structs, their ids, and a small client.

The ids are the contract's: a record is keccak256(abi.encode(decisionNumber, subject)) (the subject of the
certificate it names, so one decision is one record across renewals), a restoration
keccak256(abi.encode(decisionNumber, record)), a round keccak256(title), so a caller knows them before sending."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3.contract import Contract

from ledger.certificates.vocabulary import Grade
from ledger.chain.transactions import TransactionSender
from ledger.credit.inspections import Selection, population_root, seed_commitment
from ledger.credit.vocabulary import Category, CreditKind, InspectionOutcome, Severity

DAY = 24 * 3600


def record_id(decision_number: str, subject: bytes) -> bytes:
    """A credit record's id: the decision on the subject (not on one certificate of its renewal chain)."""
    return keccak(abi_encode(["string", "bytes32"], [decision_number, subject]))


def round_id(title: str) -> bytes:
    return keccak(text=title)


def credit_request(
    certificate: bytes,
    *,
    decision: str,
    now: int,
    kind: CreditKind = CreditKind.DISHONESTY,
    severity: Severity = Severity.GENERAL,
    category: Category = Category.ADMINISTRATIVE_PENALTY,
    points: int = 10,
    published_from: int | None = None,
    days: int = 180,
) -> dict[str, Any]:
    """A CreditRequest struct: published from ``published_from`` (default ``now``) for ``days`` days; the
    evidence hash is that of the decision number (a stand-in for the decision document's hash)."""
    start = now if published_from is None else published_from
    return {
        "certificate": certificate,
        "kind": int(kind),
        "severity": int(severity),
        "category": int(category),
        "points": points,
        "publishedFrom": start,
        "publishedUntil": start + days * DAY,
        "evidenceHash": keccak(text=decision),
        "decisionNumber": decision,
    }


def inspection_request(
    title: str,
    *,
    draw_block: int,
    roster: Sequence[str],
    sample_size: int,
    secret: bytes,
    population: Sequence[bytes],
    inspectors_per_firm: int = 2,
    province: int = 0,
    grade: Grade = Grade.NONE,
) -> dict[str, Any]:
    """An InspectionRequest struct committing to ``secret`` (revealed after the draw block: ``CreditClient.reveal``)
    and to ``population``, the certificate ids of the filter's valid firms (``inspections.members``); the roster is
    published as a compact JSON array."""
    return {
        "title": title,
        "province": province,
        "grade": int(grade),
        "sampleSize": sample_size,
        "inspectorsPerFirm": inspectors_per_firm,
        "drawBlock": draw_block,
        "seedCommitment": seed_commitment(secret),
        "populationSize": len(set(population)),
        "populationRoot": population_root(population),
        "roster": json.dumps(list(roster), ensure_ascii=False, separators=(",", ":")).encode(),
    }


class CreditClient:
    """The credit registry's acts, sent by one regulator's sender (signed acts go through ``ledger.relay``)."""

    def __init__(self, credit: Contract, sender: TransactionSender) -> None:
        self.credit = credit
        self.sender = sender

    def record(self, request: Mapping[str, Any]) -> bytes:
        """Sends the record; returns its id, read from the receipt (the request names a certificate, the id its
        subject: ``record_id`` computes it beforehand from the subject)."""
        receipt = self.sender.transact(self.credit.functions.recordCredit(credit_struct(request)))
        (event,) = self.credit.events.CreditRecorded().process_receipt(receipt)
        return bytes(event["args"]["id"])

    def restore(self, record: bytes, decision: str) -> bytes:
        request = (record, keccak(text=decision), decision)
        self.sender.transact(self.credit.functions.restoreCredit(request))
        return record_id(decision, record)  # the contract derives a restoration's id as a record's

    def announce(self, request: Mapping[str, Any]) -> bytes:
        self.sender.transact(self.credit.functions.announceInspection(_struct(request, _ROUND_FIELDS)))
        return round_id(request["title"])

    def reveal(self, round_: bytes, secret: bytes) -> bytes:
        """Reveals a round's secret after its draw block; returns the seed."""
        receipt = self.sender.transact(self.credit.functions.revealDraw(round_, secret))
        (event,) = self.credit.events.InspectionDrawn().process_receipt(receipt)
        return bytes(event["args"]["seed"])

    def record_result(self, round_: bytes, selection: Selection, outcome: InspectionOutcome, evidence: bytes) -> None:
        """The result of a drawn firm (``inspections.draw``: its position and Merkle proof go with it)."""
        self.sender.transact(
            self.credit.functions.recordInspectionResult(
                round_, selection.certificate_id, selection.position, list(selection.proof), int(outcome), evidence
            )
        )


_CREDIT_FIELDS = (
    "certificate",
    "kind",
    "severity",
    "category",
    "points",
    "publishedFrom",
    "publishedUntil",
    "evidenceHash",
    "decisionNumber",
)
_ROUND_FIELDS = (
    "title",
    "province",
    "grade",
    "sampleSize",
    "inspectorsPerFirm",
    "drawBlock",
    "seedCommitment",
    "populationSize",
    "populationRoot",
    "roster",
)


def credit_struct(request: Mapping[str, Any]) -> tuple[Any, ...]:
    """A CreditRequest as the ABI's tuple."""
    return _struct(request, _CREDIT_FIELDS)


def _struct(request: Mapping[str, Any], fields: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(request[f] for f in fields)
