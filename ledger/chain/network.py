"""A development network of authorities on loopback (``make network``, the network tier's tests): geth Clique nodes,
three of them sealing (the ministry and two provincial departments, each its own node) and one that does not seal,
which the API and the indexer use, all peered statically with each other.

It is what the paper's case for a shared chain needs shown rather than asserted: blocks that take a period to come,
a node that disappears while the others go on, a sealer cut off from the rest that builds a branch of its own and
loses it when it rejoins. The sealers' keys are public development keys (``wallet.devkeys``), distinct from the
regulators' signing keys: a node seals blocks, it does not hold the key that signs an authority's acts. The layout
(ports, period) is written beside the nodes' data folders so that a restart finds the same network.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

import requests

from ledger.chain.geth import CliqueNode, clique_genesis
from ledger.chain.localchain import free_port
from ledger.errors import ChainUnavailable
from wallet.devkeys import NETWORK_CHAIN_ID, dev_account, dev_accounts

SEALERS = ("ministry", "zhejiang", "beijing")  # 自然资源部 and two provincial departments: one sealing node each
READER = "reader"  # the non-sealing node the API and the indexer read through
DEFAULT_PERIOD = 2  # seconds between blocks
LAYOUT_FILE = "network.json"


@dataclass(frozen=True)
class Layout:
    """Where each node listens and how often blocks come: chosen once, kept in ``network.json``."""

    period: int
    http_ports: dict[str, int]
    p2p_ports: dict[str, int]

    @classmethod
    def fresh(cls, period: int, first_port: int | None) -> Layout:
        """Consecutive ports from ``first_port`` (a fixed, documented place for ``make network``), else free ones."""
        names = (READER, *SEALERS)
        if first_port is None:
            return cls(period, {n: free_port() for n in names}, {n: free_port() for n in names})
        http = {name: first_port + i for i, name in enumerate(names)}
        return cls(period, http, {name: first_port + 100 + i for i, name in enumerate(names)})


class DevelopmentNetwork:
    """The four nodes under ``root`` (one data folder each), started and stopped together."""

    def __init__(self, root: Path, *, period: int = DEFAULT_PERIOD, first_port: int | None = None) -> None:
        self.root = root
        layout_path = root / LAYOUT_FILE
        if layout_path.exists():  # a network made before: the same ports, the same period
            self.layout = Layout(**json.loads(layout_path.read_text()))
        else:
            self.layout = Layout.fresh(period, first_port)
            root.mkdir(parents=True, exist_ok=True)
            layout_path.write_text(json.dumps(asdict(self.layout), indent=2))
        sealers = [dev_account(f"sealer-{name}", NETWORK_CHAIN_ID) for name in SEALERS]
        funded = [account.address for account in dev_accounts(NETWORK_CHAIN_ID)]
        genesis = clique_genesis(
            [s.address for s in sealers], funded, period=self.layout.period, chain_id=NETWORK_CHAIN_ID
        )
        self.nodes = {
            name: CliqueNode(
                root / name,
                genesis,
                sealer=sealer,
                http_port=self.layout.http_ports[name],
                p2p_port=self.layout.p2p_ports[name],
            )
            for name, sealer in [(READER, None), *zip(SEALERS, sealers, strict=True)]
        }
        for name, node in self.nodes.items():
            node.static_peers = [peer.enode for other, peer in self.nodes.items() if other != name]

    @property
    def period(self) -> int:
        return self.layout.period

    @property
    def rpc_urls(self) -> list[str]:
        """The non-sealing node first, then the sealers': LEDGER_RPC_URL for the API and the indexer."""
        return [node.url for node in self.nodes.values()]

    def __iter__(self) -> Iterator[CliqueNode]:
        return iter(self.nodes.values())

    def start(self, *, detach: bool = False, timeout: float = 120.0) -> DevelopmentNetwork:
        """Start every node, then wait until each is peered with all the others and all follow one head.

        A geth node that starts imports the blocks its peers relay only once it has synced with one of them, and it
        syncs (at the latest 10 s after it starts) only with a peer whose total difficulty is above its own; it
        learns a peer's total difficulty at their handshake, then only as that of the parent of a block the peer
        relays. When every node starts at once, each sealer may seal a block of its own before any has synced, and
        none then sees a peer above it: the chain stands still. So whenever the nodes have not all reached the target
        (the highest head and two) within ``_stall``, every node is peered anew, and each handshake tells the others
        where its peer's chain really is."""
        for node in self.nodes.values():
            if node.process is None or node.process.poll() is not None:
                node.start(detach=detach)
        self.await_peers(timeout)
        target = max(head(node) for node in self.nodes.values()) + 2
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.await_blocks(target, min(self._stall, max(deadline - time.monotonic(), 0.1)))
                return self
            except ChainUnavailable:
                if time.monotonic() > deadline:
                    raise
                self.repeer(timeout)

    @property
    def _stall(self) -> float:
        """How long heads may stand still after a start before every node is peered anew: geth's 10 s between
        forced syncs and three periods."""
        return 10.0 + 3 * self.period

    def await_blocks(self, number: int, timeout: float = 60.0, nodes: Sequence[str] | None = None) -> None:
        """Until every node named (all by default) has block ``number``."""
        deadline = time.monotonic() + timeout
        for name in nodes or list(self.nodes):
            while head(self.nodes[name]) < number:
                if time.monotonic() > deadline:
                    raise ChainUnavailable(f"node {name} has no block {number} after {timeout:.0f} s")
                time.sleep(0.2)

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()

    def await_peers(self, timeout: float = 60.0, nodes: Sequence[str] | None = None) -> None:
        """Until every running node named (all by default) has all the others as peers."""
        deadline = time.monotonic() + timeout
        for name in nodes or list(self.nodes):
            node = self.nodes[name]
            while len(peers(node)) < len(self.nodes) - 1:
                if time.monotonic() > deadline:
                    raise ChainUnavailable(f"node {name} is not peered with the others after {timeout:.0f} s")
                time.sleep(0.2)

    def partition(self, names: Sequence[str], timeout: float = 30.0) -> None:
        """Cut the nodes ``names`` off from all the others, both ways, and wait until no connection crosses: two
        networks, each sealing a branch of its own if it can. A static peer removed is not redialled, but a dial
        already under way when it was removed may still connect, so crossing peers are removed until none is left."""
        inside = set(names)
        self._disconnect(lambda name, other: (name in inside) != (other in inside), "across the partition", timeout)

    def repeer(self, timeout: float = 60.0) -> None:
        """Disconnect every node from every other, then peer them again (``start``: new handshakes)."""
        self._disconnect(lambda name, other: name != other, "to each other", timeout)
        self.heal(timeout)

    def _disconnect(self, apart: Callable[[str, str], bool], where: str, timeout: float) -> None:
        """Remove the connections between every two nodes ``apart`` says must not be connected, seen from either
        end, until none is left."""
        deadline = time.monotonic() + timeout
        while connected := self._connected(apart):
            if time.monotonic() > deadline:
                raise ChainUnavailable(f"the nodes are still connected {where} after {timeout:.0f} s")
            for node, other in connected:
                _call(node, "admin_removePeer", other.enode)
            time.sleep(0.5)

    def _connected(self, apart: Callable[[str, str], bool]) -> list[tuple[CliqueNode, CliqueNode]]:
        found = []
        for name, node in self.nodes.items():
            keys = peer_keys(node)
            found += [
                (node, other)
                for other_name, other in self.nodes.items()
                if apart(name, other_name) and other.public_key in keys
            ]
        return found

    def heal(self, timeout: float = 60.0) -> None:
        """Peer every node with every other again and wait until they are."""
        for node in self.nodes.values():
            for other in node.static_peers:
                _call(node, "admin_addPeer", other)
        self.await_peers(timeout)

    def signer(self, name: str, number: int) -> str:
        """The sealer who signed block ``number`` as node ``name`` has it (Clique's seal, recovered by the node)."""
        return str(_call(self.nodes[name], "clique_getSigner", hex(number)))

    def sealing(self, name: str, on: bool) -> None:
        """Pause or resume the sealing of node ``name``: what it seals next, and when, is then the caller's choice."""
        _call(self.nodes[name], "miner_start" if on else "miner_stop")

    def pause(self, timeout: float = 60.0) -> int:
        """Stop every sealer and wait until the chain stands still: every node on one head, and no block for two
        periods and a second (a seal under way when sealing stopped still comes, up to a period and Clique's delay
        for a sealer out of turn later, and takes a moment to reach the others). The block it stands at."""
        for name in SEALERS:
            self.sealing(name, on=False)
        deadline = time.monotonic() + timeout
        seen, since = None, time.monotonic()
        while True:
            heads = {_head_block(node) for node in self.nodes.values()}
            now = time.monotonic()
            if len(heads) != 1 or heads != seen:
                seen, since = heads, now
            elif now - since >= 2 * self.period + 1:
                return next(iter(heads))[0]
            if now > deadline:
                raise ChainUnavailable(f"the nodes are not on one head after {timeout:.0f} s without sealing")
            time.sleep(0.2)

    def resume(self) -> None:
        """Every sealer seals again (after ``pause``)."""
        for name in SEALERS:
            self.sealing(name, on=True)


def peers(node: CliqueNode) -> list[dict[str, str]]:
    """The peers a node is connected to (its admin API, served on loopback only)."""
    return cast(list[dict[str, str]], _call(node, "admin_peers"))


def peer_keys(node: CliqueNode) -> set[str]:
    """The public keys of a node's peers (an inbound peer's enode carries its dialling port, not its own)."""
    return {peer["enode"].removeprefix("enode://").split("@")[0] for peer in peers(node)}


def head(node: CliqueNode) -> int:
    return int(str(_call(node, "eth_blockNumber")), 16)


def _head_block(node: CliqueNode) -> tuple[int, str]:
    """The number and hash of a node's head."""
    block = cast(dict[str, str], _call(node, "eth_getBlockByNumber", "latest", False))
    return int(block["number"], 16), block["hash"]


def _call(node: CliqueNode, method: str, *params: object) -> object:
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}
    answer = requests.post(node.url, json=body, timeout=10).json()
    if "error" in answer:
        raise ChainUnavailable(f"{method} on {node.url}: {answer['error'].get('message')}")
    return answer["result"]
