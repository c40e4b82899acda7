"""The API's storage proofs, checked by the standalone verifier (wallet.storage_proof, which imports nothing of the
ledger or the API) from a block hash the test's own node gives: a genuine answer verifies, the same answer with a
forged verdict does not, and a forged row in the read model cannot make the API's proof say what the row says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from ledger.certificates.client import certificate_id
from ledger.settings import PROJECT_ROOT
from tests.api_helpers import is_problem
from tests.conftest import Served
from wallet import storage_proof
from wallet.errors import ClaimContradicted


def trusted_hash(served: Served, block: int) -> str:
    """What a verifier's own node says block ``block`` is."""
    return served.deployed.w3.eth.get_block(block)["hash"].to_0x_hex()


def proven(served: Served, body: dict[str, Any]) -> storage_proof.Verdict:
    block = body["proof"]["confirmedBlock"]
    return storage_proof.verify(body, trusted_hash(served, block), body["number"], served.deployed.record.address)


def test_a_lookups_storage_proof_verifies_and_a_forged_verdict_does_not(served: Served, tmp_path: Path) -> None:
    number = served.firms[2][1]["number"]
    served.deployed.sender("ministry").transact(served.deployed.registry.functions.revoke(certificate_id(number), 3))
    served.indexer.sync()
    body = served.client.get(f"/api/v1/certificates/{number}", query_string={"proof": "storage"}).json
    verdict = proven(served, body)
    assert (verdict.status, verdict.valid) == (body["status"], body["valid"]) == ("REVOKED", False)
    assert body["proof"]["storage"]["blockNumber"] == body["proof"]["confirmedBlock"]

    as_a_forger_would_serve_it = {**body, "status": "ACTIVE", "statusLabel": "有效", "valid": True}
    with pytest.raises(ClaimContradicted):
        proven(served, as_a_forger_would_serve_it)

    saved, forged = tmp_path / "answer.json", tmp_path / "forged.json"
    saved.write_text(json.dumps(body, ensure_ascii=False))
    forged.write_text(json.dumps(as_a_forger_would_serve_it, ensure_ascii=False))
    command = [str(Path(sys.executable).parent / "wallet"), "verify-proof", "--number", number,
               "--registry", served.deployed.record.address,
               "--rpc-url", served.deployed.w3.provider.endpoint_uri]  # type: ignore[attr-defined]  # fmt: skip
    assert subprocess.run([*command, str(saved)], cwd=PROJECT_ROOT, capture_output=True, timeout=60).returncode == 0
    refused = subprocess.run([*command, str(forged)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "status" in refused.stderr


def test_a_forged_row_cannot_make_the_proof_say_what_the_row_says(served: Served) -> None:
    number = served.firms[1][1]["number"]
    served.deployed.sender("ministry").transact(served.deployed.registry.functions.suspend(certificate_id(number), 7))
    served.indexer.sync()
    with served.engine.begin() as connection:
        connection.execute(text("UPDATE certificates SET status = 1 WHERE number = :n"), {"n": number})
    body = served.client.get(f"/api/v1/certificates/{number}", query_string={"proof": "storage"}).json
    assert body["disputed"]["fields"][0]["index"] == "ACTIVE"
    assert proven(served, body).status == body["status"] == "SUSPENDED"  # the answer is the chain's, and proven
    with pytest.raises(ClaimContradicted):  # what the forged row says is refused by the proof
        proven(served, {**body, "status": "ACTIVE", "valid": True})


def test_a_batchs_storage_proof_covers_every_certificate_found(served: Served) -> None:
    numbers = [r["number"] for _, r in served.firms] + ["自资规甲0000000"]
    body = served.client.post("/api/v1/verify", json={"numbers": numbers, "proof": "storage"}).json
    storage, registry = body["proof"]["storage"], served.deployed.record.address
    trusted = trusted_hash(served, body["proof"]["confirmedBlock"])
    for result in body["results"][:-1]:
        verdict = storage_proof.verify(storage, trusted, result["number"], registry)
        assert (verdict.status, verdict.valid) == (result["status"], result["valid"])
    assert [c["number"] for c in storage["certificates"]] == numbers[:-1]
    refused = served.client.post(
        "/api/v1/verify", json={"numbers": numbers, "proof": "storage", "at": "2026-01-01T00:00:00+08:00"}
    )
    is_problem(refused, 400, "invalid-request")
    is_problem(
        served.client.get(f"/api/v1/certificates/{numbers[0]}?proof=storage&source=chain"), 400, "invalid-request"
    )
