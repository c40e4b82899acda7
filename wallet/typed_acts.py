"""The EIP-712 typed data of every registry act, defined once for all of Python, and the signed-act file.

Each definition matches the type string hashed in contracts/CertificateRegistry.sol; a test compares the
digests computed here with the contract's own for every act. The domain binds the chain id and the registry's
address, the message binds the signer's nonce and a deadline. A signed act travels as JSON: the full
``eth_signTypedData_v4`` document, the signer and the signature, so any EIP-712 wallet could have made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import is_hex_address, to_checksum_address

from .eip712 import hash_struct, typed_digest
from .errors import Expired, MalformedMessage, SignerMismatch, WrongChain, WrongContract
from .instants import timestamp
from .signatures import ContractWallets, check_signer, parse_signature

DOMAIN_NAME = "PlanningQualificationLedger"
CREDIT_DOMAIN_NAME = "PlanningQualificationCredit"  # contracts/CreditRegistry.sol signs in a domain of its own
LICENSING_DOMAIN_NAME = "PlanningQualificationLicensing"  # contracts/LicensingActs.sol, the licensing forwarder
DOMAIN_VERSION = "1"
SIGNED_ACT_FORMAT = "planning-ledger/signed-act/v1"
_DOMAIN_TYPE = [
    {"name": "name", "type": "string"},
    {"name": "version", "type": "string"},
    {"name": "chainId", "type": "uint256"},
    {"name": "verifyingContract", "type": "address"},
]

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
_CREDIT_REQUEST = [
    {"name": "certificate", "type": "bytes32"},
    {"name": "kind", "type": "uint8"},
    {"name": "severity", "type": "uint8"},
    {"name": "category", "type": "uint16"},
    {"name": "points", "type": "uint16"},
    {"name": "publishedFrom", "type": "uint40"},
    {"name": "publishedUntil", "type": "uint40"},
    {"name": "evidenceHash", "type": "bytes32"},
    {"name": "decisionNumber", "type": "string"},
]
_RESTORATION_REQUEST = [
    {"name": "record", "type": "bytes32"},
    {"name": "evidenceHash", "type": "bytes32"},
    {"name": "decisionNumber", "type": "string"},
]
_APPLICATION_REQUEST = [
    {"name": "kind", "type": "uint8"},
    {"name": "subject", "type": "bytes32"},
    {"name": "certificate", "type": "bytes32"},
    {"name": "province", "type": "uint8"},
    {"name": "employer", "type": "bytes32"},
    {"name": "dossier", "type": "bytes32"},
    {"name": "publicData", "type": "bytes"},
]
_AUTH = [{"name": "nonce", "type": "uint256"}, {"name": "deadline", "type": "uint256"}]
_STATUS_ACT = [{"name": "id", "type": "bytes32"}, {"name": "reason", "type": "uint16"}, *_AUTH]


def _on_application(*fields: tuple[str, str]) -> list[dict[str, str]]:
    """A licensing step's fields: the application it is about, its own fields, then the nonce and deadline."""
    return [{"name": "application", "type": "bytes32"}, *({"name": n, "type": t} for n, t in fields), *_AUTH]


_LICENSING_TYPES: dict[str, dict[str, list[dict[str, str]]]] = {
    "File": {
        "File": [{"name": "request", "type": "ApplicationRequest"}, *_AUTH],
        "ApplicationRequest": _APPLICATION_REQUEST,
    },
    "FileOnPaper": {
        "FileOnPaper": [{"name": "request", "type": "ApplicationRequest"}, *_AUTH],
        "ApplicationRequest": _APPLICATION_REQUEST,
    },
    "RequestCompletion": {"RequestCompletion": _on_application(("listHash", "bytes32"))},
    "Supplement": {"Supplement": _on_application(("dossier", "bytes32"))},
    "RefuseAcceptance": {"RefuseAcceptance": _on_application(("reasonHash", "bytes32"))},
    "Accept": {"Accept": _on_application()},
    "Review": {
        "Review": _on_application(("checksHash", "bytes32"), ("opinionHash", "bytes32"), ("noticeEndsAt", "uint40"))
    },
    "ExpertReview": {"ExpertReview": _on_application(("begun", "bool"))},
    "ExtendDecision": {"ExtendDecision": _on_application(("reasonHash", "bytes32"))},
    "PublishNotice": {"PublishNotice": _on_application(("endsAt", "uint40"))},
    "Object": {"Object": _on_application(("evidenceHash", "bytes32"), ("textHash", "bytes32"))},
    "AnswerObjections": {
        "AnswerObjections": [
            {"name": "objections", "type": "bytes32[]"},
            {"name": "answerHash", "type": "bytes32"},
            *_AUTH,
        ]
    },
    "ApproveFirst": {
        "ApproveFirst": _on_application(("dossier", "bytes32"), ("request", "IssueRequest")),
        "IssueRequest": _ISSUE_REQUEST,
    },
    "ApproveSuccessor": {
        "ApproveSuccessor": _on_application(("dossier", "bytes32"), ("successor", "SuccessorRequest")),
        "SuccessorRequest": _SUCCESSOR_REQUEST,
    },
    "ApproveChange": {
        "ApproveChange": _on_application(("dossier", "bytes32"), ("documentHash", "bytes32"), ("publicData", "bytes"))
    },
    "ApproveCancellation": {"ApproveCancellation": _on_application(("dossier", "bytes32"))},
    "Consent": {"Consent": _on_application()},
    "Refuse": {"Refuse": _on_application(("reasonsHash", "bytes32"))},
    "Withdraw": {"Withdraw": _on_application()},
    "ProposeRevocation": {
        "ProposeRevocation": [
            {"name": "certificate", "type": "bytes32"},
            {"name": "reason", "type": "uint16"},
            {"name": "evidenceHash", "type": "bytes32"},
            *_AUTH,
        ]
    },
    "ConfirmRevocation": {"ConfirmRevocation": [{"name": "proposal", "type": "bytes32"}, *_AUTH]},
    "WithdrawRevocation": {"WithdrawRevocation": [{"name": "proposal", "type": "bytes32"}, *_AUTH]},
}
"""The licensing steps as contracts/LicensingActs.sol hashes them: each relayed to ``<step>BySignature``."""

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
    "BindHolder": {
        "BindHolder": [
            {"name": "id", "type": "bytes32"},
            {"name": "holder", "type": "address"},
            {"name": "reasonHash", "type": "bytes32"},
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
    "RecordCredit": {
        "RecordCredit": [{"name": "request", "type": "CreditRequest"}, *_AUTH],
        "CreditRequest": _CREDIT_REQUEST,
    },
    "RestoreCredit": {
        "RestoreCredit": [{"name": "request", "type": "RestorationRequest"}, *_AUTH],
        "RestorationRequest": _RESTORATION_REQUEST,
    },
    **_LICENSING_TYPES,
}


class Registry(StrEnum):
    """The contract that performs an act; each signs in an EIP-712 domain of its own name."""

    CERTIFICATES = DOMAIN_NAME
    CREDIT = CREDIT_DOMAIN_NAME
    LICENSING = LICENSING_DOMAIN_NAME


@dataclass(frozen=True)
class ActSpec:
    """Where a signed act goes: the registry that performs it (and so its domain) and the function that takes it
    with the signer's ``Delegation``."""

    registry: Registry
    function: str


ACTS: dict[str, ActSpec] = {
    "Issue": ActSpec(Registry.CERTIFICATES, "issueBySignature"),
    "IssueBatch": ActSpec(Registry.CERTIFICATES, "issueBatchBySignature"),
    "Upgrade": ActSpec(Registry.CERTIFICATES, "upgradeBySignature"),
    "Renew": ActSpec(Registry.CERTIFICATES, "renewBySignature"),
    "Amend": ActSpec(Registry.CERTIFICATES, "amendBySignature"),
    "BindHolder": ActSpec(Registry.CERTIFICATES, "bindHolderBySignature"),
    "Suspend": ActSpec(Registry.CERTIFICATES, "suspendBySignature"),
    "Reinstate": ActSpec(Registry.CERTIFICATES, "reinstateBySignature"),
    "Revoke": ActSpec(Registry.CERTIFICATES, "revokeBySignature"),
    "Transfer": ActSpec(Registry.CERTIFICATES, "transferBySignature"),
    "RecordCredit": ActSpec(Registry.CREDIT, "recordCreditBySignature"),
    "RestoreCredit": ActSpec(Registry.CREDIT, "restoreCreditBySignature"),
    **{act: ActSpec(Registry.LICENSING, act[0].lower() + act[1:] + "BySignature") for act in _LICENSING_TYPES},
}
"""Every act that can be signed: the one table the wallet, the relay, the CLI and the API read."""


@dataclass(frozen=True)
class Domain:
    """The EIP-712 domain: a signature is good for this chain and this registry only (``name`` tells the
    certificate registry's domain from the credit registry's)."""

    chain_id: int
    registry: str
    name: str = DOMAIN_NAME

    def __post_init__(self) -> None:
        object.__setattr__(self, "registry", to_checksum_address(self.registry))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": DOMAIN_VERSION,
            "chainId": self.chain_id,
            "verifyingContract": self.registry,
        }

    @classmethod
    def for_act(cls, act: str, chain_id: int, registry: str) -> Domain:
        """The domain ``act`` is signed in, on this chain, for the registry at ``registry`` that performs it."""
        return cls(chain_id, registry, ACTS[act].registry.value)

    @property
    def separator(self) -> bytes:
        return _separator(self.chain_id, self.registry, self.name)

    @classmethod
    def from_dict(cls, data: Any) -> Domain:
        if not isinstance(data, dict) or set(data) != {"name", "version", "chainId", "verifyingContract"}:
            raise MalformedMessage("the domain must have exactly name, version, chainId and verifyingContract")
        if data["name"] not in set(Registry) or data["version"] != DOMAIN_VERSION:
            raise WrongContract(
                f"the domain is {data['name']!r} v{data['version']}, "
                f"not one of {[r.value for r in Registry]} v{DOMAIN_VERSION}"
            )
        return cls(
            _uint(data["chainId"], 256, "domain.chainId"),
            _address(data["verifyingContract"], "domain.verifyingContract"),
            data["name"],
        )

    def check(self, expected: Domain) -> None:
        """Refuses a signature made for another chain or another registry."""
        if self.chain_id != expected.chain_id:
            raise WrongChain(f"signed for chain {self.chain_id}, this is chain {expected.chain_id}")
        if self.registry != expected.registry or self.name != expected.name:
            raise WrongContract(
                f"signed for {self.name} at {self.registry}, this registry is {expected.name} at {expected.registry}"
            )


@cache
def _separator(chain_id: int, registry: str, name: str) -> bytes:
    """The domain separator, computed once per chain and registry (a verifier sees one or two)."""
    return hash_struct({"EIP712Domain": _DOMAIN_TYPE}, "EIP712Domain", Domain(chain_id, registry, name).as_dict())


def typed_data_digest(
    domain: Domain, types: dict[str, list[dict[str, str]]], primary: str, message: dict[str, Any]
) -> bytes:
    """The EIP-712 digest (what is signed): keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message))."""
    return typed_digest(domain.separator, types, primary, message)


@dataclass(frozen=True)
class SignedAct:
    """An act, the domain it was signed for, the signer it names and the signature."""

    act: str
    message: dict[str, Any]
    signer: str
    signature: bytes
    domain: Domain

    def delegation(self) -> tuple[str, int, int, bytes]:
        """The contract's ``Delegation`` struct."""
        return (self.signer, self.message["nonce"], self.message["deadline"], self.signature)

    def arguments(self) -> list[Any]:
        """The ``…BySignature`` call's arguments before the delegation: the message's fields other than the
        nonce and deadline, in order, structs as tuples."""
        fields = ACT_TYPES[self.act][self.act]
        return [_as_abi(self.message[f["name"]], f["type"], ACT_TYPES[self.act]) for f in fields if f not in _AUTH]

    def digest(self) -> bytes:
        return typed_data_digest(self.domain, ACT_TYPES[self.act], self.act, self.message)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": SIGNED_ACT_FORMAT,
            "typedData": typed_data(self.act, self.domain, self.message),
            "signer": self.signer,
            "signature": "0x" + self.signature.hex(),
        }

    @classmethod
    def from_json(cls, document: Any) -> SignedAct:
        """Reads a signed-act file; every field is checked against the act's type, so nothing malformed passes."""
        if not isinstance(document, dict) or document.get("format") != SIGNED_ACT_FORMAT:
            raise MalformedMessage(f"not a signed act: expected format {SIGNED_ACT_FORMAT!r}")
        typed = document.get("typedData")
        if not isinstance(typed, dict):
            raise MalformedMessage("typedData is missing")
        act = typed.get("primaryType")
        if act not in ACT_TYPES:
            raise MalformedMessage(f"unknown act {act!r}; known: {', '.join(ACT_TYPES)}")
        if typed.get("types") != _full_types(act):
            raise MalformedMessage(f"the types of {act} differ from the registry's definition")
        message = from_typed_json(typed.get("message"), act, ACT_TYPES[act], "message")
        signer = _address(document.get("signer"), "signer")
        domain = Domain.from_dict(typed.get("domain"))
        _check_registry(act, domain)
        return cls(act, message, signer, parse_signature(document.get("signature")), domain)


def typed_data(act: str, domain: Domain, message: dict[str, Any]) -> dict[str, Any]:
    """The ``eth_signTypedData_v4`` document of ``act``: what a wallet signs, and what a signed act carries."""
    return {
        "types": _full_types(act),
        "primaryType": act,
        "domain": domain.as_dict(),
        "message": to_typed_json(message),
    }


def act_message(act: str, fields: Any, nonce: int, deadline: int) -> dict[str, Any]:
    """``act``'s message from its own ``fields`` (JSON, checked against its type) and the signer's nonce and the
    deadline, which are never the caller's to choose."""
    if act not in ACT_TYPES:
        raise MalformedMessage(f"unknown act {act!r}; known: {', '.join(ACT_TYPES)}")
    if not isinstance(fields, dict) or {"nonce", "deadline"} & set(fields):
        raise MalformedMessage("fields must be an object of the act's own fields, without nonce and deadline")
    return from_typed_json({**fields, "nonce": nonce, "deadline": deadline}, act, ACT_TYPES[act], "fields")


def _check_registry(act: str, domain: Domain) -> None:
    """An act is signed in the domain of the registry that performs it, never the other's."""
    expected = ACTS[act].registry.value
    if domain.name != expected:
        raise WrongContract(f"{act} is signed in the {expected} domain, not {domain.name}")


def _full_types(act: str) -> dict[str, list[dict[str, str]]]:
    """The ``types`` of an act's typed-data document: its own and the domain's."""
    return {"EIP712Domain": _DOMAIN_TYPE, **ACT_TYPES[act]}


def sign_act(account: LocalAccount, domain: Domain, act: str, message: dict[str, Any]) -> SignedAct:
    """Signs offline: nothing here talks to a chain (the nonce is the signer's next, read beforehand)."""
    _check_registry(act, domain)
    message = from_typed_json(to_typed_json(message), act, ACT_TYPES[act], "message")
    digest = typed_data_digest(domain, ACT_TYPES[act], act, message)
    signature = Account.unsafe_sign_hash(digest, account.key).signature
    return SignedAct(act, message, account.address, bytes(signature), domain)


def verify_act(
    signed: SignedAct, expected: Domain, now: int, *, contract_wallets: ContractWallets | None = None
) -> str:
    """The signer, once the act is for this chain and registry, before its deadline, and signed by the key
    (or EIP-1271 wallet) it names. Role, jurisdiction and nonce are the chain's to judge (ledger.relay)."""
    signed.domain.check(expected)
    if now > signed.message["deadline"]:
        raise Expired(f"the act's deadline {timestamp(signed.message['deadline'])} has passed (now {timestamp(now)})")
    check_signer(
        signed.signer,
        signed.digest(),
        signed.signature,
        contract_wallets=contract_wallets,
        mismatch=SignerMismatch,
        what=f"this {signed.act} act",
    )
    return signed.signer


# ------------------------------------------------------------------------------- typed values <-> JSON


def to_typed_json(value: Any) -> Any:
    """Typed-data values as JSON: bytes as 0x-hex, the rest as they are."""
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {k: to_typed_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_typed_json(v) for v in value]
    return value


def from_typed_json(value: Any, type_name: str, types: dict[str, list[dict[str, str]]], path: str) -> Any:
    """``value`` checked against its EIP-712 type and converted to Python (bytes, int, checksum address)."""
    if type_name.endswith("[]"):
        if not isinstance(value, list):
            raise MalformedMessage(f"{path} must be a list")
        return [from_typed_json(v, type_name[:-2], types, f"{path}[{i}]") for i, v in enumerate(value)]
    if type_name in types:
        fields = types[type_name]
        if not isinstance(value, dict) or set(value) != {f["name"] for f in fields}:
            expected = ", ".join(f["name"] for f in fields)
            raise MalformedMessage(f"{path} must have exactly the fields {expected}")
        return {f["name"]: from_typed_json(value[f["name"]], f["type"], types, f"{path}.{f['name']}") for f in fields}
    if type_name == "string":
        if not isinstance(value, str):
            raise MalformedMessage(f"{path} must be a string")
        return value
    if type_name == "bool":
        if not isinstance(value, bool):
            raise MalformedMessage(f"{path} must be true or false")
        return value
    if type_name == "address":
        return _address(value, path)
    if type_name.startswith("uint"):
        return _uint(value, int(type_name[4:]), path)
    if type_name.startswith("bytes"):
        return _bytes(value, int(type_name[5:]) if type_name != "bytes" else None, path)
    raise MalformedMessage(f"{path} has an unsupported type {type_name}")


def _uint(value: Any, bits: int, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**bits:
        raise MalformedMessage(f"{path} must be an integer from 0 to 2^{bits}-1")
    return value


def _address(value: Any, path: str) -> str:
    if not isinstance(value, str) or not is_hex_address(value):
        raise MalformedMessage(f"{path} must be a 0x-prefixed 20-byte address")
    return to_checksum_address(value)


def _bytes(value: Any, size: int | None, path: str) -> bytes:
    try:
        raw = bytes.fromhex(value[2:]) if isinstance(value, str) and value.startswith("0x") else None
    except ValueError:
        raw = None
    if raw is None or (size is not None and len(raw) != size):
        raise MalformedMessage(f"{path} must be 0x-prefixed hexadecimal" + (f" of {size} bytes" if size else ""))
    return raw


def _as_abi(value: Any, type_name: str, types: dict[str, list[dict[str, str]]]) -> Any:
    if type_name.endswith("[]"):
        return [_as_abi(v, type_name[:-2], types) for v in value]
    if type_name in types:
        return tuple(_as_abi(value[f["name"]], f["type"], types) for f in types[type_name])
    return value
