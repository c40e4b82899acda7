"""Revert data → the named exception of ``ledger.errors``, through the selectors of an ABI's custom errors."""

from __future__ import annotations

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_typing import ABI, ABIError
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from ledger.chain.abi import abi_type
from ledger.errors import REVERTS, ContractRevert, UnknownRevert


class RevertDecoder:
    """Turns revert data into the named exception, using the selectors of the ABI's custom errors."""

    def __init__(self, abi: ABI) -> None:
        self._errors: dict[bytes, ABIError] = {}
        for entry in abi:
            if entry["type"] == "error":
                types = ",".join(abi_type(i) for i in entry["inputs"])
                self._errors[function_signature_to_4byte_selector(f"{entry['name']}({types})")] = entry

    def decode(self, data: str | bytes) -> ContractRevert:
        raw = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else data
        entry = self._errors.get(raw[:4])
        if entry is None:
            return UnknownRevert({}, "0x" + raw.hex())
        try:
            values = abi_decode([abi_type(i) for i in entry["inputs"]], raw[4:])
        except DecodingError:
            return UnknownRevert({}, "0x" + raw.hex())
        fields = {
            i["name"]: to_checksum_address(v) if i["type"] == "address" else v
            for i, v in zip(entry["inputs"], values, strict=True)
        }
        return REVERTS.get(entry["name"], UnknownRevert)(fields, "0x" + raw.hex())
