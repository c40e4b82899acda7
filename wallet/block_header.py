"""A block header as a node serves it (eth_getBlockByNumber), hashed as the chain hashes it: the one link from a
block hash someone trusts to the state root and timestamp that a storage proof rests on.

A header is the RLP list of its fields in a fixed order; each fork since London appended fields at the end, so the
fields a header has are always a prefix of ``FIELDS``. A fork newer than these (a field we do not know) gives a
header whose hash does not match, never a wrong verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rlp
from eth_utils import keccak

from .errors import HeaderMismatch, MalformedProof

QUANTITY, DATA = "quantity", "data"
FIELDS: tuple[tuple[str, str], ...] = (
    ("parentHash", DATA),
    ("sha3Uncles", DATA),
    ("miner", DATA),
    ("stateRoot", DATA),
    ("transactionsRoot", DATA),
    ("receiptsRoot", DATA),
    ("logsBloom", DATA),
    ("difficulty", QUANTITY),
    ("number", QUANTITY),
    ("gasLimit", QUANTITY),
    ("gasUsed", QUANTITY),
    ("timestamp", QUANTITY),
    ("extraData", DATA),
    ("mixHash", DATA),
    ("nonce", DATA),
    ("baseFeePerGas", QUANTITY),  # London (EIP-1559)
    ("withdrawalsRoot", DATA),  # Shanghai (EIP-4895)
    ("blobGasUsed", QUANTITY),  # Cancun (EIP-4844)
    ("excessBlobGas", QUANTITY),
    ("parentBeaconBlockRoot", DATA),  # Cancun (EIP-4788)
    ("requestsHash", DATA),  # Prague (EIP-7685)
)
FIELD_NAMES = tuple(name for name, _ in FIELDS)
LEGACY_FIELDS = 15  # every header has these; the rest are the forks' appendices


def data(value: Any, what: str) -> bytes:
    """A 0x-hex JSON-RPC data string as bytes (malformed input is a refusal, not a traceback)."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise MalformedProof(f"{what} is not 0x-hex")
    try:
        return bytes.fromhex(value[2:])
    except ValueError:
        raise MalformedProof(f"{what} is not 0x-hex") from None


def quantity(value: Any, what: str) -> int:
    """A 0x-hex JSON-RPC quantity as an int."""
    if not isinstance(value, str) or not value.startswith("0x"):
        raise MalformedProof(f"{what} is not a 0x-hex quantity")
    try:
        return int(value, 16)
    except ValueError:
        raise MalformedProof(f"{what} is not a 0x-hex quantity") from None


def encode(header: Mapping[str, Any]) -> bytes:
    """The header's RLP: the fields it has, which must be a prefix of ``FIELDS``."""
    present = [name in header for name in FIELD_NAMES]
    count = present.index(False) if False in present else len(FIELDS)
    if count < LEGACY_FIELDS or any(present[count:]):
        missing = FIELD_NAMES[count]
        raise MalformedProof(f"the header lacks {missing} but has fields that forks added after it")
    items: list[bytes | int] = [
        quantity(header[name], name) if kind == QUANTITY else data(header[name], name) for name, kind in FIELDS[:count]
    ]
    return rlp.encode(items)


def check(header: Mapping[str, Any], trusted_hash: str) -> None:
    """Refuse a header that does not hash to ``trusted_hash``: nothing else about it can then be believed."""
    computed = keccak(encode(header))
    if computed != data(trusted_hash, "the trusted block hash"):
        raise HeaderMismatch(f"the header hashes to 0x{computed.hex()}, not to the trusted block hash {trusted_hash}")
