"""/livez and /readyz, and problem+json for every error."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from api import create_app
from ledger.chain.localchain import free_port
from tests.api_helpers import is_problem
from tests.conftest import Deployed, Served


def client(rpc_url: str, record: Path, tmp_path: Path) -> FlaskClient:
    return create_app(
        {
            "LEDGER_RPC_URL": rpc_url,
            "LEDGER_DEPLOYMENT": str(record),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'api.db'}",
            "API_TOKEN_SECRET": "test-only-secret",
            "TESTING": True,
        }
    ).test_client()


def nowhere() -> str:
    return f"http://127.0.0.1:{free_port()}"


def test_livez_answers_without_a_chain(tmp_path: Path) -> None:
    response = client(nowhere(), tmp_path / "none.json", tmp_path).get("/livez")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_names_the_chain_the_registry_and_the_index(served: Served) -> None:
    response = served.client.get("/readyz")
    assert response.status_code == 200, response.json
    body = response.json
    assert body["chain"]["chainId"] == 31337
    assert body["chain"]["latestBlock"] >= served.deployed.record.block_number
    assert body["registry"]["address"] == served.deployed.record.address
    assert body["index"]["lagBlocks"] == 0


def test_readyz_is_503_until_the_index_has_read_the_registry(deployed: Deployed, tmp_path: Path) -> None:
    response = client(deployed.w3.provider.endpoint_uri, deployed.record_path, tmp_path).get("/readyz")
    is_problem(response, 503, "index-not-ready")


def test_lookups_are_503_until_the_index_has_read_the_registry(deployed: Deployed, tmp_path: Path) -> None:
    """Regression: a batch against an unindexed database was a 500 internal-error."""
    api = client(deployed.w3.provider.endpoint_uri, deployed.record_path, tmp_path)
    is_problem(api.post("/api/v1/verify", json={"numbers": ["自资规甲0000000"]}), 503, "index-not-ready")
    is_problem(api.post("/api/v1/verify", json={"documentHashes": ["0x" + "ab" * 32]}), 503, "index-not-ready")


def test_readyz_is_503_when_the_index_falls_behind(served: Served) -> None:
    for _ in range(3):
        served.deployed.w3.provider.make_request("evm_mine", [])
    is_problem(served.app(READY_MAX_LAG_BLOCKS=2).get("/readyz"), 503, "index-behind")


def test_readyz_is_503_problem_when_the_chain_is_down(tmp_path: Path) -> None:
    is_problem(client(nowhere(), tmp_path / "none.json", tmp_path).get("/readyz"), 503, "chain-unavailable")


def test_readyz_is_503_problem_when_nothing_is_deployed(deployed: Deployed, tmp_path: Path) -> None:
    response = client(deployed.w3.provider.endpoint_uri, tmp_path / "missing.json", tmp_path).get("/readyz")
    is_problem(response, 503, "not-deployed")


def test_unknown_paths_and_methods_are_problems(tmp_path: Path) -> None:
    app_client = client(nowhere(), tmp_path / "none.json", tmp_path)
    missing = app_client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert (missing.json["type"], missing.json["title"]) == ("/problems/not-found", "Not found")
    wrong = app_client.post("/livez")
    assert wrong.status_code == 405 and wrong.json["type"] == "/problems/method-not-allowed"
    assert "GET" in wrong.headers["Allow"]
