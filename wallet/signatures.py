"""Signature parsing and recovery shared by signed acts, sign-in messages and presentations.

The rules are those of OpenZeppelin's ECDSA, which the contract applies: 65 bytes, v of 27 or 28 (0 and 1 are
read as 27 and 28), s in the lower half of the curve order (EIP-2). A signer that is a contract is checked
through EIP-1271 when a ``ContractWallets`` (a chain connection) is at hand.
"""

from __future__ import annotations

from typing import Any, Protocol

from eth_keys import keys
from eth_keys.datatypes import PublicKey
from eth_keys.exceptions import BadSignature
from eth_typing import ABI
from eth_utils import to_checksum_address
from web3 import Web3
from web3.exceptions import BadFunctionCallOutput, ContractLogicError, Web3RPCError

from .errors import MalformedSignature, SignatureRefused

_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_EIP1271_MAGIC = bytes.fromhex("1626ba7e")  # isValidSignature(bytes32,bytes)
# The gas an EIP-1271 check may take: any client names the contract, so the node's work per check is bounded. A
# one-owner wallet takes about 10,000; a Safe with several owners well under 100,000 (an ECDSA recovery each).
EIP1271_GAS_LIMIT = 300_000
_EIP1271_ABI: ABI = [
    {
        "type": "function",
        "name": "isValidSignature",
        "stateMutability": "view",
        "inputs": [{"name": "hash", "type": "bytes32"}, {"name": "signature", "type": "bytes"}],
        "outputs": [{"name": "magicValue", "type": "bytes4"}],
    }
]


class ContractWallets(Protocol):
    """What the chain can say about a signer that is a contract (EIP-1271)."""

    def is_contract(self, address: str) -> bool: ...

    def is_valid_signature(self, address: str, digest: bytes, signature: bytes) -> bool: ...


class Web3ContractWallets:
    """``ContractWallets`` over a web3 connection: code at the address, then ``isValidSignature`` with at most
    ``gas_limit`` gas (a wallet that needs more does not vouch)."""

    def __init__(self, w3: Web3, *, gas_limit: int = EIP1271_GAS_LIMIT) -> None:
        self._w3 = w3
        self._gas_limit = gas_limit

    def is_contract(self, address: str) -> bool:
        return len(self._w3.eth.get_code(to_checksum_address(address))) > 0

    def is_valid_signature(self, address: str, digest: bytes, signature: bytes) -> bool:
        wallet = self._w3.eth.contract(address=to_checksum_address(address), abi=_EIP1271_ABI)
        try:
            answer = wallet.functions.isValidSignature(digest, signature).call({"gas": self._gas_limit})
            return bytes(answer) == _EIP1271_MAGIC
        except (ContractLogicError, BadFunctionCallOutput, Web3RPCError, ValueError):  # reverted, out of gas: no
            return False


def parse_signature(value: Any) -> bytes:
    """The signature's bytes from ``0x``-hex or bytes; any length (EIP-1271 wallets define their own)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if not isinstance(value, str) or not value.startswith("0x"):
        raise MalformedSignature("a signature is 0x-prefixed hexadecimal")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise MalformedSignature("the signature is not hexadecimal") from None
    if not raw:
        raise MalformedSignature("the signature is empty")
    return raw


def _public_key(digest: bytes, signature: bytes) -> PublicKey:
    """The public key that made this 65-byte signature over ``digest``."""
    if len(signature) != 65:
        raise MalformedSignature(f"an ECDSA signature is 65 bytes, this one is {len(signature)}")
    r, s, v = int.from_bytes(signature[:32]), int.from_bytes(signature[32:64]), signature[64]
    if v in (0, 1):
        v += 27
    if v not in (27, 28):
        raise MalformedSignature(f"the signature's v is {v}; it must be 27 or 28")
    if not 0 < r < _SECP256K1_N or not 0 < s <= _SECP256K1_N // 2:
        raise MalformedSignature("the signature's r or s is out of range (s must be in the lower half, EIP-2)")
    try:
        return keys.Signature(vrs=(v - 27, r, s)).recover_public_key_from_msg_hash(digest)
    except BadSignature:
        raise MalformedSignature("no public key recovers from this signature") from None


def check_signer(
    claimed: str,
    digest: bytes,
    signature: bytes,
    *,
    contract_wallets: ContractWallets | None = None,
    mismatch: type[SignatureRefused],
    what: str,
) -> None:
    """Passes if ``claimed`` signed ``digest``: its key (ECDSA) or, if it is a contract, its EIP-1271 answer."""
    if contract_wallets is not None and contract_wallets.is_contract(claimed):
        if contract_wallets.is_valid_signature(claimed, digest, signature):
            return
        raise mismatch(f"the contract wallet {claimed} does not accept this signature over {what}")
    signer = _public_key(digest, signature)
    if signer.to_canonical_address() != bytes.fromhex(claimed[2:]):  # compared as bytes: no checksum hashing
        raise mismatch(
            f"{what} was signed by {signer.to_checksum_address()}, not {to_checksum_address(claimed)}: "
            "a signed field differs, or another key signed"
        )
