"""The production tier (`make test-production`): the profile `make production` starts (scripts/production.py), on
free ports with a deployment of its own on the session's anvil: PostgreSQL, Redis, the indexer, two gunicorn
instances and nginx in front, all real processes."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from ledger.chain.artifacts import Artifact
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.localchain import LocalChain, free_port
from ledger.wiring import Ledger
from scripts.production import Layout, Profile
from tests.conftest import Deployed
from tests.register_helpers import firm_issue, register_for

CLIENT_TIMEOUT = 8  # nginx's header and body timeouts here: long enough to measure lookups during a stall
UNLIMITED = {name: "1000000/minute" for name in ("RATE_LIMIT_ANONYMOUS", "RATE_LIMIT_SIGNED_IN", "RATE_LIMIT_AUTH")}


@dataclass
class Production:
    profile: Profile
    numbers: list[str]  # certificates on chain, indexed

    @property
    def url(self) -> str:
        return self.profile.layout.url

    def instance(self, index: int) -> str:
        """One API instance directly, not through nginx."""
        return f"http://127.0.0.1:{self.profile.layout.api_ports[index]}"


@pytest.fixture(scope="session")
def scratch() -> Iterator[Path]:
    """A folder the ``postgres`` OS user can pass through to its cluster (pytest's own are root's only when the
    tests run as root); removed at the end."""
    folder = Path(tempfile.mkdtemp(prefix="ledger-production-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def production(anvil: LocalChain, artifact: Artifact, scratch: Path) -> Iterator[Production]:
    layout = Layout(
        root=scratch / "production",
        port=free_port(),
        api_ports=(free_port(), free_port()),
        redis_port=free_port(),
        postgres_port=free_port(),
        rpc_url=anvil.url,
        client_timeout=CLIENT_TIMEOUT,
        settings=UNLIMITED,
    )
    profile = Profile(layout)
    try:
        profile.start_stores()
        ledger = Ledger(anvil.url, layout.root / "deployment.json", layout.database_url("ledger"))
        ensure_demo_deployment(ledger.w3, ledger.record_path, artifact)
        deployed = Deployed(ledger)
        firms = [firm_issue(row) for row in register_for(deployed.w3, firms=4).firms]
        deployed.sender("ministry").transact(deployed.registry.functions.issueBatch([issue for _, issue in firms]))
        profile.serve()
        profile.wait_ready()
        listing = requests.get(f"{layout.url}/api/v1/certificates", timeout=10).json()
        yield Production(profile, [item["number"] for item in listing["items"]])
    finally:
        profile.stop()


def proxy_before(root: Path, api_ports: tuple[int, int], **settings: int) -> Profile:
    """nginx alone, rendered from the same template, before ``api_ports`` (nothing, or a listener that never
    answers): the proxy's own 502, 503 and 504."""
    layout = Layout(root=root, port=free_port(), api_ports=api_ports, **settings)
    profile = Profile(layout)
    profile.start_proxy()
    return profile
