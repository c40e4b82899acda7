"""/livez and /readyz, and problem+json for every error."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from api import create_app
from ledger.localchain import free_port
from tests.conftest import Deployed


def client(rpc_url: str, record: Path) -> FlaskClient:
    return create_app({"LEDGER_RPC_URL": rpc_url, "LEDGER_DEPLOYMENT": str(record), "TESTING": True}).test_client()


def test_livez_answers_without_a_chain(tmp_path: Path) -> None:
    response = client(f"http://127.0.0.1:{free_port()}", tmp_path / "none.json").get("/livez")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_names_the_chain_and_the_registry(deployed: Deployed) -> None:
    response = client(deployed.w3.provider.endpoint_uri, deployed.record_path).get("/readyz")
    assert response.status_code == 200
    body = response.json
    assert body["chain"]["chainId"] == 31337
    assert body["chain"]["latestBlock"] >= deployed.record.block_number
    assert body["registry"]["address"] == deployed.record.address


def test_readyz_is_503_problem_when_the_chain_is_down(tmp_path: Path) -> None:
    response = client(f"http://127.0.0.1:{free_port()}", tmp_path / "none.json").get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.json["type"] == "/problems/chain-unavailable"
    assert response.json["status"] == 503
    assert response.json["detail"]


def test_readyz_is_503_problem_when_nothing_is_deployed(deployed: Deployed, tmp_path: Path) -> None:
    response = client(deployed.w3.provider.endpoint_uri, tmp_path / "missing.json").get("/readyz")
    assert response.status_code == 503
    assert response.json["type"] == "/problems/not-deployed"


def test_unknown_paths_and_methods_are_problems(tmp_path: Path) -> None:
    app_client = client(f"http://127.0.0.1:{free_port()}", tmp_path / "none.json")
    missing = app_client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert missing.json["title"] == "Not Found"
    wrong = app_client.post("/livez")
    assert wrong.status_code == 405
    assert "GET" in wrong.headers["Allow"]
