"""A geth Clique node on loopback: the real Ethereum client the ledger runs on beside anvil (issue 19).

geth v1.13.15 is the last release that seals Clique proof-of-authority blocks; `make geth` builds it from the Go
module proxy into .tools/bin (with Go 1.22: 1.13 does not link with a newer Go). A node here is one process with
its own data folder: initialised from a Clique genesis (chain id, sealers, block period, the development accounts
funded), sealing if it is given a sealer key, answering JSON-RPC on 127.0.0.1. The ledger talks to it as to any
node, through standard JSON-RPC only. Its EVM rules are London's opcodes with Paris's name for DIFFICULTY, which is
what the contracts are compiled for (``localchain.HARDFORK``); no Shanghai fork is scheduled, since Clique refuses
to seal one.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from collections.abc import Sequence
from pathlib import Path

from eth_account.signers.local import LocalAccount
from eth_keys import keys

from ledger.chain.localchain import LOCAL_CHAIN_ID, await_node, free_port, stop_process
from ledger.errors import ChainUnavailable
from ledger.settings import PROJECT_ROOT

GETH_VERSION = "v1.13.15"
GAS_LIMIT = 60_000_000  # as anvil's (localchain): the register's batches fit in a block on both
FUNDS = 10**24  # wei per development account: what anvil gives each (10,000 ether) and more
PASSWORD = "development"  # of the sealer's keystore file: a public development key, unlocked for sealing


def geth_binary() -> Path:
    """The geth built by `make geth`."""
    binary = PROJECT_ROOT / ".tools" / "bin" / "geth"
    if not binary.exists():
        raise ChainUnavailable(f"geth is not built: run `make geth` (go install ...geth@{GETH_VERSION})")
    return binary


def clique_genesis(sealers: Sequence[str], funded: Sequence[str], *, period: int, chain_id: int) -> dict[str, object]:
    """A Clique genesis: every pre-merge fork from block 0 up to London (and the glacier forks, which only move the
    difficulty bomb Clique does not have), ``sealers`` in the extra data, ``funded`` each given FUNDS. ``period`` 0
    seals a block as soon as a transaction waits (a development node); a network seals every ``period`` seconds."""
    forks = ["homestead", "eip150", "eip155", "eip158", "byzantium", "constantinople", "petersburg", "istanbul"]
    forks += ["muirGlacier", "berlin", "london", "arrowGlacier", "grayGlacier"]
    signers = "".join(address.lower().removeprefix("0x") for address in sealers)
    return {
        "config": {
            "chainId": chain_id,
            **{f"{fork}Block": 0 for fork in forks},
            "clique": {"period": period, "epoch": 30_000},
        },
        "difficulty": "0x1",
        "gasLimit": hex(GAS_LIMIT),
        "extradata": "0x" + "00" * 32 + signers + "00" * 65,
        "alloc": {address.lower().removeprefix("0x"): {"balance": hex(FUNDS)} for address in funded},
    }


class CliqueNode:
    """One geth process, sealing with ``sealer`` if given, its state in ``datadir`` (kept across restarts)."""

    def __init__(
        self,
        datadir: Path,
        genesis: dict[str, object],
        *,
        sealer: LocalAccount | None = None,
        http_port: int | None = None,
        p2p_port: int | None = None,
        static_peers: Sequence[str] = (),
    ) -> None:
        self.datadir = datadir
        self.genesis = genesis
        self.sealer = sealer
        self.http_port = http_port or free_port()
        self.p2p_port = p2p_port or free_port()
        self.static_peers = list(static_peers)
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def chain_id(self) -> int:
        config = self.genesis["config"]
        assert isinstance(config, dict)
        return int(config["chainId"])

    @property
    def public_key(self) -> str:
        """The public key of the node's p2p identity (made at first start), hex: its id among peers."""
        return keys.PrivateKey(self._node_key()).public_key.to_hex().removeprefix("0x")

    @property
    def enode(self) -> str:
        """This node's address for its peers, on loopback."""
        return f"enode://{self.public_key}@127.0.0.1:{self.p2p_port}"

    def command(self) -> list[str]:
        cmd = [str(geth_binary()), "--datadir", str(self.datadir), "--networkid", str(self.chain_id)]
        cmd += ["--port", str(self.p2p_port), "--nodiscover", "--ipcdisable", "--authrpc.port", str(free_port())]
        cmd += ["--http", "--http.addr", "127.0.0.1", "--http.port", str(self.http_port)]
        # admin: peers listed, cut, restored; clique: who sealed a block; miner: sealing paused (ledger.chain.network)
        cmd += ["--http.api", "eth,net,web3,txpool,admin,clique,miner", "--syncmode", "full", "--gcmode", "archive"]
        cmd += ["--config", str(self._config())]
        cmd += ["--miner.gaslimit", str(GAS_LIMIT), "--rpc.txfeecap", "0", "--verbosity", "2"]
        if self.sealer is not None:
            cmd += ["--mine", "--miner.etherbase", self.sealer.address, "--unlock", self.sealer.address]
            # a block under way takes in what reached the pool since it began after 1 s (geth's least; default 2 s,
            # a whole period: a transaction then waited for the block after next)
            cmd += ["--miner.recommit", "1s"]
            cmd += ["--password", str(self._password()), "--allow-insecure-unlock"]
        return cmd

    def start(self, timeout: float = 60.0, *, detach: bool = False) -> CliqueNode:
        """Initialise the data folder on first use, start geth and wait until it answers. ``detach`` keeps it
        running after this process ends (``make network``)."""
        self._initialise()
        with open(self.datadir / "geth.log", "ab") as log:  # the process keeps its own descriptor
            self.process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=detach,
            )
        await_node(self.process, self.url, timeout, f"geth (see {self.datadir}/geth.log)", self.stop)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """SIGINT: geth flushes its state to the data folder before it exits."""
        if self.process is None or self.process.poll() is not None:
            return
        stop_process(self.process.pid, timeout)
        self.process.wait()

    def _initialise(self) -> None:
        if (self.datadir / "geth" / "chaindata").exists():
            return
        self.datadir.mkdir(parents=True, exist_ok=True)
        genesis = self.datadir / "genesis.json"
        genesis.write_text(json.dumps(self.genesis, indent=2))
        self._geth("init", str(genesis))
        if self.sealer is not None:
            key = self.datadir / "sealer.key"
            key.write_text(self.sealer.key.hex().removeprefix("0x"))
            os.chmod(key, 0o600)
            try:
                self._geth("account", "import", "--password", str(self._password()), str(key))
            finally:
                key.unlink()

    def _node_key(self) -> bytes:
        """The node's p2p identity, in the file geth reads from its data folder (kept across restarts)."""
        path = self.datadir / "geth" / "nodekey"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32))
            os.chmod(path, 0o600)
        return bytes.fromhex(path.read_text().strip())

    def _config(self) -> Path:
        """geth's TOML settings: the static peers, dialled at start and redialled whenever they drop."""
        path = self.datadir / "geth.toml"
        peers = ", ".join(json.dumps(peer) for peer in self.static_peers)
        path.write_text(f"[Node.P2P]\nStaticNodes = [{peers}]\n")
        return path

    def _password(self) -> Path:
        path = self.datadir / "sealer.password"
        if not path.exists():
            path.write_text(PASSWORD)
            os.chmod(path, 0o600)
        return path

    def _geth(self, *args: str) -> None:
        done = subprocess.run(
            [str(geth_binary()), "--datadir", str(self.datadir), *args], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ChainUnavailable(f"geth {args[0]} failed: {done.stderr.strip()[-500:]}")


def development_node(datadir: Path, accounts: Sequence[LocalAccount], *, sealer: LocalAccount) -> CliqueNode:
    """A single-sealer node sealing on demand (period 0), the development accounts funded, on the local chain id:
    the same chain anvil gives, on the client a network runs."""
    genesis = clique_genesis([sealer.address], [a.address for a in accounts], period=0, chain_id=LOCAL_CHAIN_ID)
    return CliqueNode(datadir, genesis, sealer=sealer)
