"""The EIP-712 typed data of every registry act, defined once for all of Python.

Each definition matches the type string hashed in contracts/CertificateRegistry.sol; a test relays acts signed
from these definitions and checks the contract accepts them. The domain binds the chain id and the registry's
address, the message binds the signer's nonce and a deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

DOMAIN_NAME = "PlanningQualificationLedger"
DOMAIN_VERSION = "1"

_ISSUE_REQUEST = [
    {"name": "number", "type": "string"},
    {"name": "kind", "type": "uint8"},
    {"name": "grade", "type": "uint8"},
    {"name": "province", "type": "uint8"},
    {"name": "subject", "type": "bytes32"},
    {"name": "holder", "type": "address"},
    {"name": "employer", "type": "bytes32"},
    {"name": "validFrom", "type": "uint40"},
    {"name": "validUntil", "type": "uint40"},
    {"name": "documentHash", "type": "bytes32"},
    {"name": "publicData", "type": "bytes"},
]
_SUCCESSOR_REQUEST = [
    {"name": "number", "type": "string"},
    {"name": "holder", "type": "address"},
    {"name": "validFrom", "type": "uint40"},
    {"name": "validUntil", "type": "uint40"},
    {"name": "documentHash", "type": "bytes32"},
    {"name": "publicData", "type": "bytes"},
]
_AUTH = [{"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]
_STATUS_ACT = [{"name": "id", "type": "bytes32"}, {"name": "reason", "type": "uint16"}, *_AUTH]

ACT_TYPES: dict[str, dict[str, list[dict[str, str]]]] = {
    "Issue": {"Issue": [{"name": "request", "type": "IssueRequest"}, *_AUTH], "IssueRequest": _ISSUE_REQUEST},
    "IssueBatch": {
        "IssueBatch": [{"name": "requests", "type": "IssueRequest[]"}, *_AUTH],
        "IssueRequest": _ISSUE_REQUEST,
    },
    "Upgrade": {
        "Upgrade": [
            {"name": "id", "type": "bytes32"},
            {"name": "successor", "type": "SuccessorRequest"},
            {"name": "legacy", "type": "bool"},
            *_AUTH,
        ],
        "SuccessorRequest": _SUCCESSOR_REQUEST,
    },
    "Renew": {
        "Renew": [{"name": "id", "type": "bytes32"}, {"name": "successor", "type": "SuccessorRequest"}, *_AUTH],
        "SuccessorRequest": _SUCCESSOR_REQUEST,
    },
    "Amend": {
        "Amend": [
            {"name": "id", "type": "bytes32"},
            {"name": "holder", "type": "address"},
            {"name": "documentHash", "type": "bytes32"},
            {"name": "publicData", "type": "bytes"},
            *_AUTH,
        ]
    },
    "Suspend": {"Suspend": _STATUS_ACT},
    "Reinstate": {"Reinstate": _STATUS_ACT},
    "Revoke": {"Revoke": _STATUS_ACT},
    "Transfer": {
        "Transfer": [
            {"name": "id", "type": "bytes32"},
            {"name": "employer", "type": "bytes32"},
            {"name": "documentHash", "type": "bytes32"},
            {"name": "publicData", "type": "bytes"},
            *_AUTH,
        ]
    },
}


@dataclass(frozen=True)
class Domain:
    """The EIP-712 domain: a signature is good for this chain and this registry only."""

    chain_id: int
    registry: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": self.chain_id,
            "verifyingContract": self.registry,
        }


@dataclass(frozen=True)
class SignedAct:
    """An act with its signature, as the contract's ``Delegation`` wants it."""

    act: str
    message: dict[str, Any]
    signer: str
    signature: bytes

    def delegation(self) -> tuple[str, int, int, bytes]:
        return (self.signer, self.message["nonce"], self.message["deadline"], self.signature)


def sign_act(account: LocalAccount, domain: Domain, act: str, message: dict[str, Any]) -> SignedAct:
    signed = Account.sign_typed_data(account.key, domain.as_dict(), ACT_TYPES[act], message)
    return SignedAct(act=act, message=message, signer=account.address, signature=bytes(signed.signature))
