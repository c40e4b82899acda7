"""Connecting to a chain node over standard JSON-RPC: a local anvil, or any EVM network by URL."""

from __future__ import annotations

from requests.exceptions import RequestException
from web3 import Web3
from web3.contract import Contract
from web3.middleware import ExtraDataToPOAMiddleware

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
