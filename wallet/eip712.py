"""EIP-712 hashing (typeHash, hashStruct, domain separator) for the fixed types of this project.

eth-account's ``encode_typed_data`` recomputes the domain separator and re-derives every type string per call,
which caps a verifier near 1,000 checks a second; here type hashes are computed once and the separator once per
domain. Tests hold it to the contract's own digests and to eth-account's, for every act and the presentation.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from eth_utils import keccak

Types = dict[str, list[dict[str, str]]]


def encode_type(types: Types, primary: str) -> str:
    """``Primary(type name,…)`` followed by every struct it references, sorted by name (EIP-712)."""
    referenced: set[str] = set()
    pending = [primary]
    while pending:
        for field in types[pending.pop()]:
            base = field["type"].removesuffix("[]")
            if base in types and base not in referenced and base != primary:
                referenced.add(base)
                pending.append(base)
    return "".join(_one_type(name, types[name]) for name in [primary, *sorted(referenced)])


def _one_type(name: str, fields: list[dict[str, str]]) -> str:
    return name + "(" + ",".join(f"{field['type']} {field['name']}" for field in fields) + ")"


def hash_struct(types: Types, primary: str, value: dict[str, Any]) -> bytes:
    return keccak(
        _type_hash(encode_type(types, primary))
        + b"".join(_encode_value(types, field["type"], value[field["name"]]) for field in types[primary])
    )


def typed_digest(separator: bytes, types: Types, primary: str, message: dict[str, Any]) -> bytes:
    """keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)): what an EIP-712 signature signs."""
    return keccak(b"\x19\x01" + separator + hash_struct(types, primary, message))


def _encode_value(types: Types, type_name: str, value: Any) -> bytes:
    if type_name.endswith("[]"):
        return keccak(b"".join(_encode_value(types, type_name[:-2], item) for item in value))
    if type_name in types:
        return hash_struct(types, type_name, value)
    if type_name == "string":
        return keccak(value.encode())
    if type_name == "bytes":
        return keccak(value)
    if type_name == "address":
        return bytes.fromhex(value[2:]).rjust(32, b"\0")
    if type_name == "bool":
        return (1 if value else 0).to_bytes(32)
    if type_name.startswith("uint"):
        return value.to_bytes(32)
    if type_name.startswith("bytes"):
        return value.ljust(32, b"\0")
    raise ValueError(f"unsupported EIP-712 type {type_name}")


@cache
def _type_hash(type_string: str) -> bytes:
    return keccak(text=type_string)
