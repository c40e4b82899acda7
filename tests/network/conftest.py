"""The network tier (`make test-network`): the same deployments, indexer and API as the chain tier, on geth
(the client a network of authorities runs: `make geth`) instead of anvil. ``deployed`` is overridden here, so every
fixture built on it (``served``, ``indexer``, ``ledger``) runs on a geth Clique node sealing on demand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.chain.artifacts import Artifact
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.geth import CliqueNode, development_node
from ledger.chain.localchain import LOCAL_CHAIN_ID
from ledger.wiring import Ledger
from tests.conftest import Deployed
from wallet.devkeys import dev_account, dev_accounts


@pytest.fixture(scope="session")
def geth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliqueNode]:
    sealer = dev_account("ministry", LOCAL_CHAIN_ID)
    node = development_node(tmp_path_factory.mktemp("geth"), dev_accounts(LOCAL_CHAIN_ID), sealer=sealer).start()
    yield node
    node.stop()


@pytest.fixture
def deployed(geth: CliqueNode, artifact: Artifact, tmp_path: Path) -> Deployed:
    ledger = Ledger(geth.url, tmp_path / "deployment.json", f"sqlite:///{tmp_path / 'ledger.db'}")
    ensure_demo_deployment(ledger.w3, ledger.record_path, artifact)
    return Deployed(ledger)
