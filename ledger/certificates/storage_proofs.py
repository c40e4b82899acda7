"""Storage proofs of certificates, for a verifier who trusts a block hash and not this ledger (issue 15).

For each certificate, the registry's storage words a verdict rests on (its ``Record``'s and its employer's) at a
stated block, proven by one ``eth_getProof``, with that block's header: ``wallet.storage_proof.verify`` checks the
whole from the block hash alone. The slots are computed from the compiler's storage layout (the build-info Hardhat
writes, selected in hardhat.config.js), not from a reading of the source; the verifier computes them again from its
own constants, which a test holds equal to this layout. The node's answers are passed on as it gave them: the
verifier hashes the header's fields as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from web3 import Web3
from web3.types import RPCEndpoint

from ledger.certificates.client import certificate_id
from ledger.chain.artifacts import REGISTRY
from ledger.chain.calls import batch_results
from ledger.errors import ArtifactMissing, ChainUnavailable
from ledger.settings import ARTIFACTS_DIR
from wallet.block_header import FIELD_NAMES
from wallet.storage_proof import Layout, Place, employer_key, record_keys


@dataclass(frozen=True)
class LayoutSource:
    """The compilation a layout was read from: the registry's artifact and the build-info it names."""

    artifact: str  # relative to the artifacts folder
    build_info: str
    source: str  # the source's name inside the build-info
    solc: str


def layout_source(root: Path = ARTIFACTS_DIR) -> LayoutSource:
    """Which artifact and build-info ``compiled_layout`` reads: the artifact names its build-info."""
    path = Path("contracts") / f"{REGISTRY}.sol" / f"{REGISTRY}.json"
    artifact = _json(root / path)
    build_info = artifact["buildInfoId"]
    solc = _json(root / "build-info" / f"{build_info}.json")["solcLongVersion"]
    return LayoutSource(str(path), build_info, artifact["inputSourceName"], solc)


@lru_cache(maxsize=4)
def compiled_layout(root: Path = ARTIFACTS_DIR) -> Layout:
    """The registry's ``_records`` and ``_employers`` slots and the ``Record`` fields' places, from solc's
    ``storageLayout`` output (read once per process: the build-info output is tens of megabytes)."""
    source = layout_source(root)
    output = _json(root / "build-info" / f"{source.build_info}.output.json")["output"]
    storage = output["contracts"][source.source][REGISTRY].get("storageLayout")
    if storage is None:
        raise ArtifactMissing("the build-info has no storage layout: rebuild the contracts with `make build`")
    types = storage["types"]
    variables = {entry["label"]: entry for entry in storage["storage"]}
    records, employers = variables["_records"], variables["_employers"]
    record = types[types[records["type"]]["value"]]
    if types[employers["type"]]["value"] != "t_bytes32" or record["encoding"] != "inplace":
        raise ArtifactMissing("the registry's storage is not laid out as this ledger reads it")
    return Layout(
        records=int(records["slot"]),
        employers=int(employers["slot"]),
        record_words=int(record["numberOfBytes"]) // 32,
        fields={
            member["label"]: Place(int(member["slot"]), member["offset"], int(types[member["type"]]["numberOfBytes"]))
            for member in record["members"]
        },
    )


def storage_proof(w3: Web3, registry_address: str, numbers_or_ids: Iterable[str], block: int) -> dict[str, Any]:
    """The header of ``block`` and the proof of every verdict slot of each certificate (a number, or a 0x id) in
    the registry's storage at that block: one JSON-RPC batch, one ``eth_getProof`` for all the slots. JSON-able
    as it is. Raises ChainUnavailable if the node does not answer, or no longer holds that block's state."""
    layout = compiled_layout()
    certificates = [_slots(key, layout) for key in dict.fromkeys(numbers_or_ids)]
    keys = [slot for entry in certificates for slot in [*entry["recordSlots"], entry["employerSlot"]]]
    address = Web3.to_checksum_address(registry_address)
    header, state = batch_results(
        w3,
        [
            (RPCEndpoint("eth_getBlockByNumber"), [hex(block), False]),
            (RPCEndpoint("eth_getProof"), [address, keys, hex(block)]),
        ],
        "a storage proof",
    )
    if header is None:
        raise ChainUnavailable(f"the node has no block {block}")
    return {
        "registry": address,
        "blockNumber": block,
        "blockHash": header["hash"],
        "header": {name: header[name] for name in (*FIELD_NAMES, "hash") if name in header},
        "stateProof": state,
        "certificates": certificates,
        "layout": describe(layout, layout_source()),
    }


def describe(layout: Layout, source: LayoutSource) -> dict[str, Any]:
    """The layout a proof's slots were computed from, for a reader: a verifier must not take it from the proof."""
    return {
        "source": {
            "artifact": source.artifact,
            "buildInfo": source.build_info,
            "source": source.source,
            "solc": source.solc,
        },
        "records": {
            "slot": layout.records,
            "words": layout.record_words,
            "fields": {name: asdict(place) for name, place in layout.fields.items()},
        },
        "employers": {"slot": layout.employers},
        "rule": "record word i: keccak256(id ‖ records.slot) + i; employer: keccak256(id ‖ employers.slot); "
        "a field is `size` bytes at byte `offset` from the word's low end",
    }


def _slots(number_or_id: str, layout: Layout) -> dict[str, Any]:
    is_id = number_or_id.startswith("0x") and len(number_or_id) == 66
    cid = bytes.fromhex(number_or_id[2:]) if is_id else certificate_id(number_or_id)
    return {
        "number": None if is_id else number_or_id,
        "id": "0x" + cid.hex(),
        "recordSlots": [_word(slot) for slot in record_keys(cid, layout)],
        "employerSlot": _word(employer_key(cid, layout)),
    }


def _word(slot: int) -> str:
    return "0x" + slot.to_bytes(32, "big").hex()


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtifactMissing(f"{path} not found: build the contracts with `make build`") from None
