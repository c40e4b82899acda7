"""Many read-only contract calls in one JSON-RPC batch, for pages that ask the chain several questions at once.

web3's contract layer resolves a function against the whole ABI each time a call is built (about 7 ms for the
registries' ABIs on these machines, more than the node takes to answer), and sends one request per call. Here each
function's selector and types are resolved once per contract, the arguments encoded with eth-abi, and every
``eth_call`` of a page goes to the node as one standard JSON-RPC batch (the same request any node takes). A call
the contract refuses comes back as a refusal, not an exception: the console asks precisely whether it would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.types import RPCEndpoint

from ledger.errors import ChainUnavailable

REFUSED = object()  # what a call the contract reverts answers


@dataclass(frozen=True)
class Call:
    """``function(*args)`` of ``contract`` as an eth_call from ``sender`` (a regulator asking whether it may)."""

    contract: Contract
    function: str
    args: tuple[Any, ...] = ()
    sender: str | None = None


_SIGNATURES: dict[tuple[str, str], tuple[bytes, tuple[str, ...], tuple[str, ...]]] = {}


def _signature(contract: Contract, function: str) -> tuple[bytes, tuple[str, ...], tuple[str, ...]]:
    """The selector, input types and output types of ``function`` (the first of that name) in the contract's ABI,
    resolved once per contract address."""
    key = (contract.address, function)
    if key not in _SIGNATURES:
        entry: dict[str, Any] = next(
            dict(e) for e in contract.abi if e.get("type") == "function" and e.get("name") == function
        )
        _SIGNATURES[key] = (
            keccak(text=f"{function}({','.join(_type(p) for p in entry['inputs'])})")[:4],
            tuple(_type(p) for p in entry["inputs"]),
            tuple(_type(p) for p in entry["outputs"]),
        )
    return _SIGNATURES[key]


def _type(parameter: Any) -> str:
    """An ABI parameter's type as eth-abi writes it (a struct as its tuple of component types)."""
    kind = parameter["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_type(c) for c in parameter["components"]) + ")" + kind[len("tuple") :]
    return kind


def _reverted(error: dict[str, Any]) -> bool:
    """Whether a JSON-RPC error is the contract's revert (EIP-1474 code 3, or the node's "execution reverted"
    wording), as opposed to the node failing to run the call at all."""
    return error.get("code") == 3 or "revert" in str(error.get("message", "")).lower()


def call_many(w3: Web3, calls: list[Call], block: str = "latest") -> list[Any]:
    """Each call's decoded result (a single output unwrapped), or ``REFUSED`` where the contract reverts; one
    batch. A node that does not answer, or fails a call for any reason but a revert, raises ChainUnavailable."""
    if not calls:
        return []
    requests = []
    signatures = []
    for call in calls:
        selector, inputs, outputs = _signature(call.contract, call.function)
        data = "0x" + (selector + abi_encode(list(inputs), list(call.args))).hex()
        request: dict[str, Any] = {"to": call.contract.address, "data": data}
        if call.sender is not None:
            request["from"] = call.sender
        requests.append((RPCEndpoint("eth_call"), [request, block]))
        signatures.append(outputs)
    results = []
    for answer, outputs in zip(batch_answers(w3, requests), signatures, strict=True):
        if "error" in answer:
            if not _reverted(answer["error"]):  # the node's own failure (no such state, a limit): not an answer
                raise ChainUnavailable(f"the node failed an eth_call: {answer['error'].get('message')}")
            results.append(REFUSED)
            continue
        decoded = abi_decode(list(outputs), bytes.fromhex(answer["result"][2:]))
        results.append(decoded[0] if len(decoded) == 1 else decoded)
    return results


def batch_answers(w3: Web3, requests: list[tuple[RPCEndpoint, list[Any]]]) -> list[dict[str, Any]]:
    """The node's answers to one standard JSON-RPC batch, in the order asked (each a result or an error). A node
    that does not answer, or refuses the batch as a whole, raises ChainUnavailable."""
    if not requests:
        return []
    try:
        answers = w3.provider.make_batch_request(requests)  # type: ignore[attr-defined]
    except OSError as exc:
        raise ChainUnavailable(f"the node did not answer a batch of {len(requests)} requests: {exc}") from exc
    if isinstance(answers, dict):  # a node that refuses batches answers one error for all
        raise ChainUnavailable(f"the node refused a JSON-RPC batch: {answers.get('error')}")
    return sorted(answers, key=lambda answer: answer["id"])


def batch_results(w3: Web3, requests: list[tuple[RPCEndpoint, list[Any]]], what: str) -> list[Any]:
    """The results of one JSON-RPC batch, in the order asked; an error in any is the node's: ChainUnavailable
    naming ``what`` was asked (a storage proof, a history)."""
    answers = batch_answers(w3, requests)
    refused = [answer["error"] for answer in answers if "error" in answer]
    if refused:
        raise ChainUnavailable(f"the node refused {what}: {refused[0].get('message')}")
    return [answer["result"] for answer in answers]
