"""Dossier files over HTTP and from the command line, on a real anvil: an upload by a signed-in account answers
the file's hash, anyone reads it back by that hash (immutable, ETag = hash), the limits answer as problems, and
the manifest `ledger dossier add` writes is what `ledger apply --dossier` puts on chain."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from eth_account import Account
from eth_utils import keccak
from sqlalchemy import Engine

from api.auth import issue_token
from ledger.cli import main as ledger_cli
from ledger.licensing.manifests import parse_manifest
from tests.api_helpers import is_problem
from tests.chain.test_licensing import application_row, credit_code
from tests.cli_helpers import run
from tests.conftest import Deployed, Served
from wallet.devkeys import dev_account

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\0" * 24


def bearer(served: Served) -> dict[str, str]:
    with served.client.application.app_context():
        return {"Authorization": f"Bearer {issue_token(Account.create().address)}"}


def test_a_signed_in_upload_is_read_back_by_anyone_by_its_hash(served: Served, dossier_store: Path) -> None:
    client, headers = served.client, bearer(served)
    stored = client.post("/api/v1/files", data=PDF, content_type="application/pdf", headers=headers)
    assert stored.status_code == 201, stored.json
    name = "0x" + keccak(PDF).hex()
    assert stored.json == {
        "hash": name, "mediaType": "application/pdf", "size": len(PDF), "url": f"/api/v1/files/{name}",
        "alreadyStored": False,
    }  # fmt: skip
    assert stored.headers["Location"] == f"/api/v1/files/{name}"
    assert (dossier_store / name[2:4] / name[4:6] / name[2:]).read_bytes() == PDF
    again = client.post("/api/v1/files", data=PDF, content_type="application/pdf", headers=headers)
    assert again.status_code == 201 and again.json["alreadyStored"] is True

    read = client.get(f"/api/v1/files/{name}")  # no token: reads are public
    assert read.status_code == 200 and read.data == PDF and read.mimetype == "application/pdf"
    assert read.headers["ETag"] == f'"{name}"' and "immutable" in read.headers["Cache-Control"]
    assert read.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/api/v1/files/{name.upper().replace('0X', '0x')}").data == PDF
    cached = client.get(f"/api/v1/files/{name}", headers={"If-None-Match": f'"{name}"'})
    assert cached.status_code == 304 and cached.data == b""


def test_uploads_need_an_account_and_a_pdf_png_or_jpeg_under_the_limit(served: Served) -> None:
    client, headers = served.client, bearer(served)
    anonymous = client.post("/api/v1/files", data=PDF, content_type="application/pdf")
    assert is_problem(anonymous, 401, "not-signed-in") and anonymous.headers["WWW-Authenticate"] == "Bearer"
    html = client.post("/api/v1/files", data=b"<html>", content_type="text/html", headers=headers)
    assert "text/html" in is_problem(html, 415, "unsupported-file-type")["detail"]
    renamed = client.post("/api/v1/files", data=b"MZ\x90\0", content_type="application/pdf", headers=headers)
    is_problem(renamed, 415, "unsupported-file-type")
    mislabelled = client.post("/api/v1/files", data=PNG, content_type="application/pdf", headers=headers)
    refusal = is_problem(mislabelled, 415, "unsupported-file-type")
    assert "declared application/pdf, but the bytes are image/png" in refusal["detail"]
    small = served.app()
    with small.application.app_context():
        small.application.extensions["ledger"].dossiers.max_bytes = 64
    too_large = small.post("/api/v1/files", data=PDF + b"\0" * 64, content_type="application/pdf", headers=headers)
    assert is_problem(too_large, 413, "file-too-large")["limit"] == 64
    # above the API's 2 MiB limit for JSON bodies, below the store's 20 MiB
    large = PDF + b"\0" * (3 * 1024 * 1024)
    assert client.post("/api/v1/files", data=large, content_type="application/pdf", headers=headers).status_code == 201


def test_reading_an_absent_or_malformed_hash_is_a_problem(served: Served) -> None:
    is_problem(served.client.get("/api/v1/files/0x" + "ab" * 32), 404, "file-not-found")
    is_problem(served.client.get("/api/v1/files/0xnothex"), 400, "invalid-request")
    is_problem(served.client.get("/api/v1/files/" + "ab" * 32), 400, "invalid-request")


def test_the_manifest_ledger_dossier_add_writes_is_the_dossier_the_chain_records(
    deployed: Deployed, engine: Engine, ledger: list[str], tmp_path: Path, served: Served
) -> None:
    form, proof = tmp_path / "申请表.pdf", tmp_path / "社保证明.png"
    form.write_bytes(PDF)
    proof.write_bytes(PNG)
    added = run(ledger_cli, "dossier", "add", str(form), str(proof), "--planner", "注规0001").output
    manifest_hash = added.split("manifest ")[1].split()[0]
    manifest_path = Path(added.split("path ")[1].strip())
    assert manifest_hash == "0x" + keccak(manifest_path.read_bytes()).hex()
    assert [f.name for f in parse_manifest(manifest_path.read_bytes()).files] == ["申请表.pdf", "社保证明.png"]

    filed = run(ledger_cli, *ledger, "apply", credit_code(21), "杭州材料规划院", "--dossier", str(manifest_path),
                "--as", "firm").output  # fmt: skip
    application = filed.split(":")[0]
    assert application_row(engine, bytes.fromhex(application[2:])).dossier == manifest_hash
    on_chain = deployed.ledger.licensing_client(dev_account("firm", 31337)).application(bytes.fromhex(application[2:]))
    assert "0x" + on_chain.dossier.hex() == manifest_hash
    # the API reads the same store: the manifest and each file it names, by hash
    served_manifest = served.client.get(f"/api/v1/files/{manifest_hash}")
    assert served_manifest.mimetype == "application/json" and served_manifest.json["planners"] == ["注规0001"]
    for entry in served_manifest.json["files"]:
        assert keccak(served.client.get(f"/api/v1/files/{entry['keccak256']}").data).hex() == entry["keccak256"][2:]


def test_a_refused_file_fails_the_command_with_the_named_error(tmp_path: Path) -> None:
    fake = tmp_path / "证书.pdf"
    fake.write_bytes(b"GIF89a not a pdf")
    refused = CliRunner().invoke(ledger_cli, ["dossier", "add", str(fake)])
    assert refused.exit_code == 1 and refused.output.startswith("Error: UnsupportedFileType:")
