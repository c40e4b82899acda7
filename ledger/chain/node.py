"""Connecting to a chain node over standard JSON-RPC: a local anvil, or any EVM network by URL."""

from __future__ import annotations

import time

from requests.exceptions import RequestException
from web3 import Web3
from web3.contract import Contract
from web3.middleware import ExtraDataToPOAMiddleware
from web3.types import RPCEndpoint

from ledger.chain.artifacts import Artifact
from ledger.chain.failover import FailoverProvider, split_urls
from ledger.errors import ChainUnavailable
from ledger.settings import rpc_url


def connect(url: str | None = None, timeout: float = 10.0) -> Web3:
    """A Web3 client for ``url`` (LEDGER_RPC_URL by default: one node, or a comma list that fails over in order,
    ``ledger.chain.failover``) that has answered once.

    The provider caches the chain id rather than asking before every call. A Clique chain's headers carry the
    sealers in their extra data, which web3 refuses as a block without its proof-of-authority middleware (harmless
    where the extra data is short, as on anvil).
    """
    url = url or rpc_url()
    w3 = Web3(FailoverProvider(split_urls(url), timeout=timeout))
    w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    try:
        w3.eth.get_block_number()
    except (RequestException, OSError) as exc:
        raise ChainUnavailable(f"no chain node answers at {url}: {exc.__class__.__name__}") from exc
    return w3


def registry_at(w3: Web3, address: str, artifact: Artifact) -> Contract:
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=artifact.abi)


def next_block(w3: Web3, timeout: float = 60.0) -> int:
    """The number of a block after the current one: mined at once where the node mines on demand (anvil's
    ``evm_mine``), else waited for (a network's sealers make one every period; geth has no ``evm_mine``)."""
    current = w3.eth.block_number
    if "error" not in w3.provider.make_request(RPCEndpoint("evm_mine"), []):
        return w3.eth.block_number
    deadline = time.monotonic() + timeout
    while (number := w3.eth.block_number) <= current:
        if time.monotonic() > deadline:
            raise ChainUnavailable(f"no block after {current} within {timeout:.0f} s")
        time.sleep(0.2)
    return number
