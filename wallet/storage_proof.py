"""A certificate's verdict checked from an EIP-1186 storage proof, trusting nothing but a block hash.

The chain of trust: the block hash (from the verifier's own node) fixes the header, whose ``stateRoot`` fixes the
registry's account (a proof in the state trie), whose ``storageRoot`` fixes the certificate's storage words (proofs
in its storage trie). The words' keys are computed here from the certificate number and the layout below, never
read from the proof, so a proof of another certificate's slots proves nothing about this one. The verdict is then
derived as the contract's ``statusOf`` and ``isValid`` derive it, at the block's timestamp. Nothing here trusts the
API, its database or the layout description a proof carries. The Merkle-Patricia walk is py-trie's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import rlp
from eth_utils import keccak, to_checksum_address
from trie import HexaryTrie
from trie.exceptions import InvalidNode, MissingTrieNode, ValidationError

from . import block_header
from .block_header import data, quantity
from .errors import BadProof, CertificateAbsent, ClaimContradicted, MalformedProof


@dataclass(frozen=True)
class Place:
    """Where a field lives: its word (counted from the record's first), its byte offset from the word's low end,
    its size in bytes."""

    slot: int
    offset: int
    size: int


@dataclass(frozen=True)
class Layout:
    """The registry's storage as far as a verdict needs it."""

    records: int  # base slot of mapping(bytes32 id => Record) _records
    employers: int  # base slot of mapping(bytes32 id => bytes32 firmSubject) _employers
    record_words: int  # words per Record
    fields: Mapping[str, Place] = field(hash=False)


# CertificateRegistry's storage as solc 0.8.28 lays it out (artifacts/build-info, `storageLayout`). Constants, not
# read from the build, so that the verifier needs nothing of ours; tests/chain/test_storage_layout.py holds them equal
# to the compiled layout, so a contract change that moves a slot fails there instead of misreading words here.
LAYOUT = Layout(
    records=5,
    employers=6,
    record_words=4,
    fields={
        "subjectOrSuccessor": Place(0, 0, 32),
        "documentHash": Place(1, 0, 32),
        "holder": Place(2, 0, 20),
        "validFrom": Place(2, 20, 5),
        "validUntil": Place(2, 25, 5),
        "status": Place(2, 30, 1),
        "kind": Place(2, 31, 1),
        "issuer": Place(3, 0, 20),
        "grade": Place(3, 20, 1),
        "province": Place(3, 21, 1),
        "version": Place(3, 22, 2),
        "heldSince": Place(3, 24, 5),
    },
)
WORDS = ("subjectOrSuccessor", "documentHash")
ADDRESSES = ("holder", "issuer")
STATUSES = ("NONE", "ACTIVE", "SUSPENDED", "REVOKED", "SUPERSEDED", "EXPIRED")  # contracts/Common.sol `Status`
ACTIVE, SUSPENDED, EXPIRED = 1, 2, 5
GRADES = ("NONE", "A", "B")
KINDS = ("NONE", "FIRM", "PLANNER")


def certificate_id(number: str) -> bytes:
    """The id the registry stores a certificate under: keccak256 of its number's UTF-8 bytes."""
    return keccak(number.encode())


def record_keys(certificate: bytes, layout: Layout = LAYOUT) -> list[int]:
    """The slots of a certificate's Record: keccak(id ‖ base slot), then the words after it (Solidity's mapping
    rule)."""
    first = int.from_bytes(keccak(certificate + layout.records.to_bytes(32, "big")), "big")
    return [(first + i) % 2**256 for i in range(layout.record_words)]


def employer_key(certificate: bytes, layout: Layout = LAYOUT) -> int:
    return int.from_bytes(keccak(certificate + layout.employers.to_bytes(32, "big")), "big")


@dataclass(frozen=True)
class Verdict:
    """What the proof establishes about one certificate at one block: its record and employer as stored (the
    record's ``status`` is the stored code), and the status and validity the contract derives from them at the
    block's timestamp."""

    number: str
    id: str
    registry: str
    block_number: int
    block_hash: str
    timestamp: int
    status: str
    valid: bool
    record: dict[str, Any]
    employer: str | None
    account: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The verdict in the API's camelCase."""
        fields = asdict(self)
        return {"blockNumber": fields.pop("block_number"), "blockHash": fields.pop("block_hash"), **fields}

    def claimable(self) -> dict[str, Any]:
        """The fields an answer's verdict rests on, in the API's vocabulary (``claim_of``)."""
        return {
            "number": self.number,
            "status": self.status,
            "valid": self.valid,
            "validUntil": self.record["validUntil"],
            "holder": self.record["holder"],
            "documentHash": self.record["documentHash"],
            "grade": _name(GRADES, self.record["grade"]) if self.record["grade"] else None,
            "employer": self.employer,
        }


def verify(
    answer_or_proof: Mapping[str, Any],
    trusted_block_hash: str,
    number: str,
    registry_address: str,
    layout: Layout = LAYOUT,
) -> Verdict:
    """The verdict on certificate ``number`` that the proof establishes from ``trusted_block_hash``, or a
    ``ProofRefused`` saying why it establishes none. Given an API answer (a proof under ``proof.storage``), the
    answer's own verdict must agree with the proven one (else ``ClaimContradicted``)."""
    registry = _address(registry_address)
    proof, claim = _split(answer_or_proof)
    header = _part(proof, "header", Mapping)
    block_header.check(header, trusted_block_hash)
    state = _part(proof, "stateProof", Mapping)
    account = _account(state, registry, data(header["stateRoot"], "stateRoot"))
    nodes = _nodes(node for entry in _storage_entries(state) for node in _part(entry, "proof", Sequence))
    _check_stated_values(state, account["storageRoot"], nodes)
    certificate = certificate_id(number)
    words = [_word(account["storageRoot"], key, nodes) for key in record_keys(certificate, layout)]
    employer = _word(account["storageRoot"], employer_key(certificate, layout), nodes)
    record = _decode(words, layout)
    block = quantity(header["number"], "number")
    if record["status"] == 0:
        raise CertificateAbsent(f"the registry held no certificate {number} at block {block}")
    at = quantity(header["timestamp"], "timestamp")
    status = _derived_status(record, at)
    verdict = Verdict(
        number=number,
        id="0x" + certificate.hex(),
        registry=registry,
        block_number=block,
        block_hash=trusted_block_hash.lower(),
        timestamp=at,
        status=_name(STATUSES, status),
        valid=status == ACTIVE and record["validFrom"] <= at,
        record=record,
        employer=None if employer == 0 else "0x" + employer.to_bytes(32, "big").hex(),
        account={**account, "storageRoot": "0x" + account["storageRoot"].hex()},
    )
    if claim is not None:
        _check_claim(claim, verdict)
    return verdict


def claim_of(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The verdict an API certificate answer (``CertificateOut``) states, in ``Verdict.claimable``'s terms."""
    try:
        employer = answer["employer"]
        return {
            "number": answer["number"],
            "status": answer["status"],
            "valid": answer["valid"],
            "validUntil": _seconds(answer["validity"]["validUntil"]),
            "holder": answer["holder"]["address"],
            "documentHash": answer["documentHash"],
            "grade": answer["grade"],
            "employer": employer["subject"] if employer else None,
        }
    except (KeyError, TypeError) as exc:
        raise MalformedProof(f"the answer lacks its verdict field {exc}") from None


# ---------------------------------------------------------------- the steps


def _address(text: str) -> str:
    try:
        return to_checksum_address(text)
    except ValueError:
        raise MalformedProof(f"{text!r} is not an address") from None


def _split(document: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict[str, Any] | None]:
    """The proof, and the verdict claimed with it when ``document`` is an API answer carrying one."""
    if "header" in document:
        return document, None
    carried = document.get("proof")
    if isinstance(carried, Mapping) and isinstance(carried.get("storage"), Mapping):
        return carried["storage"], claim_of(document)
    raise MalformedProof("neither a storage proof nor an answer with one under proof.storage")


def _part(document: Mapping[str, Any], key: str, kind: type) -> Any:
    value = document.get(key)
    if not isinstance(value, kind) or isinstance(value, str):
        raise MalformedProof(f"the proof's {key} is missing or malformed")
    return value


def _storage_entries(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    entries = _part(state, "storageProof", Sequence)
    if not all(isinstance(entry, Mapping) for entry in entries):
        raise MalformedProof("the proof's storageProof is malformed")
    return list(entries)


def _nodes(encoded: Iterable[Any]) -> dict[bytes, bytes]:
    """Trie nodes by hash, as a trie database holds them: a walk from a root finds only nodes that hash right."""
    found = {}
    for node in encoded:
        raw = data(node, "a proof node")
        found[keccak(raw)] = raw
    return found


def _lookup(root: bytes, key: bytes, nodes: dict[bytes, bytes], what: str) -> bytes:
    """The value the trie under ``root`` holds at ``key`` (b"" for none), walking only ``nodes``."""
    try:
        return HexaryTrie(nodes, root_hash=root).get(key)
    except MissingTrieNode as exc:
        raise BadProof(f"the proof of {what} lacks the trie node 0x{exc.missing_node_hash.hex()}") from None
    except (InvalidNode, ValidationError, rlp.DecodingError) as exc:
        raise BadProof(f"the proof of {what} has a malformed trie node: {exc}") from None


def _account(state: Mapping[str, Any], address: str, state_root: bytes) -> dict[str, Any]:
    """The registry's account under ``state_root``; the proof's own account fields must agree with it."""
    nodes = _nodes(_part(state, "accountProof", Sequence))
    encoded = _lookup(state_root, keccak(bytes.fromhex(address[2:])), nodes, f"account {address}")
    if not encoded:
        raise BadProof(f"the state at this block holds no account {address}")
    try:
        nonce, balance, storage_root, code_hash = rlp.decode(encoded)
    except (rlp.DecodingError, ValueError):
        raise BadProof(f"the state holds something other than an account at {address}") from None
    account = {
        "nonce": int.from_bytes(nonce, "big"),
        "balance": int.from_bytes(balance, "big"),
        "storageRoot": storage_root,
        "codeHash": "0x" + code_hash.hex(),
    }
    stated = {
        "nonce": quantity(state.get("nonce"), "nonce"),
        "balance": quantity(state.get("balance"), "balance"),
        "storageRoot": data(state.get("storageHash"), "storageHash"),
        "codeHash": "0x" + data(state.get("codeHash"), "codeHash").hex(),
    }
    wrong = [name for name in account if account[name] != stated[name]]
    if wrong:
        raise BadProof(f"the proof states an account {', '.join(wrong)} that its nodes do not prove")
    return account


def _check_stated_values(state: Mapping[str, Any], storage_root: bytes, nodes: dict[bytes, bytes]) -> None:
    """Refuse a proof that states any slot's value otherwise than its nodes prove it: a document with one false
    statement in it is not one to pass on, even if the words read below would be right."""
    for entry in _storage_entries(state):
        key = quantity(entry.get("key"), "a storage key")
        if _word(storage_root, key, nodes) != quantity(entry.get("value"), "a storage value"):
            raise BadProof(f"the proof states a value for slot {hex(key)} that its nodes do not prove")


def _word(storage_root: bytes, slot: int, nodes: dict[bytes, bytes]) -> int:
    """A storage word: the storage trie holds rlp(the word without leading zeros) at keccak(slot)."""
    key = keccak(slot.to_bytes(32, "big"))
    encoded = _lookup(storage_root, key, nodes, f"slot {hex(slot)}")
    if not encoded:
        return 0
    try:
        word = rlp.decode(encoded)
    except rlp.DecodingError:
        raise BadProof(f"slot {hex(slot)} holds no RLP string") from None
    if not isinstance(word, bytes) or len(word) > 32:
        raise BadProof(f"slot {hex(slot)} holds no storage word")
    return int.from_bytes(word, "big")


def _decode(words: Sequence[int], layout: Layout) -> dict[str, Any]:
    """A Record's fields from its words: each field is ``size`` bytes at ``offset`` from the word's low end."""
    record: dict[str, Any] = {}
    for name, place in layout.fields.items():
        value = (words[place.slot] >> (8 * place.offset)) & ((1 << (8 * place.size)) - 1)
        if name in WORDS:
            record[name] = "0x" + value.to_bytes(32, "big").hex()
        elif name in ADDRESSES:
            record[name] = to_checksum_address(value.to_bytes(20, "big"))
        else:
            record[name] = value
    return record


def _derived_status(record: Mapping[str, Any], at: int) -> int:
    """The contract's ``_statusOf``: a binding status past its validity window is EXPIRED."""
    stored: int = record["status"]
    return EXPIRED if stored in (ACTIVE, SUSPENDED) and at >= record["validUntil"] else stored


def _check_claim(claim: Mapping[str, Any], verdict: Verdict) -> None:
    proven = verdict.claimable()
    wrong = tuple(name for name in proven if _comparable(claim.get(name)) != _comparable(proven[name]))
    if wrong:
        shown = "; ".join(f"{name} {claim.get(name)!r}, proven {proven[name]!r}" for name in wrong)
        raise ClaimContradicted(f"the answer's verdict is not the proven one: {shown}", wrong, verdict)


def _comparable(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _seconds(value: Any) -> int:
    """An instant as the API writes it (ISO 8601 with a zone) or as unix seconds."""
    if isinstance(value, int):
        return value
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.tzinfo is None:
        raise MalformedProof(f"the answer's validUntil {value!r} is not an instant with a zone")
    return int(moment.timestamp())


def _name(names: Sequence[str], value: int) -> str:
    return names[value] if value < len(names) else str(value)
