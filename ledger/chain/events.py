"""Decoding contracts' logs straight from JSON-RPC results, without web3's per-log formatting.

Bulk reindexing reads tens of thousands of logs: decoding them with eth_abi against types prepared once from the
ABI is several times faster than web3's event processing. Values come out JSON-ready: bytes32 as 0x-hex strings,
addresses checksummed, structs as dicts keyed by the ABI's component names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from eth_abi import decode as abi_decode
from eth_typing import ABI, ABIComponentIndexed
from eth_utils import keccak, to_checksum_address

from ledger.chain.abi import abi_type


class RawLog(TypedDict):
    """A log as eth_getLogs returns it: quantities, hashes and data as 0x-hex."""

    address: str
    topics: list[str]
    data: str
    blockNumber: str
    blockHash: str
    blockTimestamp: NotRequired[str]  # where the node includes the block's time
    transactionHash: str
    transactionIndex: str
    logIndex: str
    removed: NotRequired[bool]


@dataclass(frozen=True)
class ChainEvent:
    """One decoded log with its position on the chain."""

    name: str
    args: dict[str, Any]
    block_number: int
    block_hash: str
    block_time: int
    tx_hash: str
    log_index: int


@dataclass(frozen=True)
class _EventType:
    name: str
    indexed: tuple[ABIComponentIndexed, ...]
    data: tuple[ABIComponentIndexed, ...]
    data_types: tuple[str, ...]


class EventDecoder:
    """Decodes the events ``names`` of a contract's ABI; ``topics`` is what to ask eth_getLogs for."""

    def __init__(self, abi: ABI, names: tuple[str, ...]) -> None:
        self._types: dict[str, _EventType] = {}
        for item in abi:
            if item["type"] == "event" and item["name"] in names:  # Solidity's ABI JSON always says the type
                signature = f"{item['name']}({','.join(abi_type(i) for i in item['inputs'])})"
                indexed = tuple(i for i in item["inputs"] if i["indexed"])
                data = tuple(i for i in item["inputs"] if not i["indexed"])
                topic = "0x" + keccak(text=signature).hex()
                self._types[topic] = _EventType(item["name"], indexed, data, tuple(abi_type(i) for i in data))
        missing = set(names) - {t.name for t in self._types.values()}
        if missing:
            raise ValueError(f"events not in the ABI: {sorted(missing)}")

    @property
    def topics(self) -> list[str]:
        return list(self._types)

    def topic(self, name: str) -> str:
        return next(topic for topic, event_type in self._types.items() if event_type.name == name)

    def decode(self, log: RawLog, block_time: int) -> ChainEvent | None:
        """The event of a raw JSON-RPC log, or None for an event this decoder does not follow."""
        event_type = self._types.get(log["topics"][0]) if log["topics"] else None
        if event_type is None:
            return None
        args: dict[str, Any] = {}
        for spec, topic in zip(event_type.indexed, log["topics"][1:], strict=True):
            args[spec["name"]] = _value(spec, bytes.fromhex(topic[2:])[-20:] if spec["type"] == "address" else topic)
        values = abi_decode(event_type.data_types, bytes.fromhex(log["data"][2:]))
        for spec, value in zip(event_type.data, values, strict=True):
            args[spec["name"]] = _value(spec, value)
        return ChainEvent(
            event_type.name,
            args,
            int(log["blockNumber"], 16),
            log["blockHash"],
            block_time,
            log["transactionHash"],
            int(log["logIndex"], 16),
        )


def _value(spec: Mapping[str, Any], value: Any) -> Any:
    kind = spec["type"]
    if kind == "tuple":
        return {c["name"]: _value(c, v) for c, v in zip(spec["components"], value, strict=True)}
    if kind == "address":
        return to_checksum_address(value)
    if kind == "bytes32":
        return value if isinstance(value, str) else "0x" + value.hex()
    if kind == "bytes":
        return value.decode("utf-8", errors="replace")  # publicData: UTF-8 JSON by convention, never trusted
    return value
