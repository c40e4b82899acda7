"""The dossier store without a chain: a round trip by hash, no overwrite, atomic private files, the limits by
magic bytes and size, and the manifest that names the files (the hash the chain records)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from eth_utils import keccak

from ledger import errors
from ledger.licensing.dossiers import DossierStore, content_hash, media_type_of
from ledger.licensing.manifests import FORMAT, parse_manifest, store_dossier

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 32


@pytest.fixture
def store(tmp_path: Path) -> DossierStore:
    return DossierStore(tmp_path / "dossiers", max_bytes=1024)


def test_a_file_is_stored_under_the_keccak256_of_its_bytes_sharded_and_owner_only(store: DossierStore) -> None:
    name = store.put_file(PDF, "application/pdf")
    assert name == "0x" + keccak(PDF).hex() == content_hash(PDF)
    path = store.path_of(name)
    assert path.relative_to(store.root).parts == (name[2:4], name[4:6], name[2:])
    assert store.read(name) == PDF and store.contains(name)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == [name[2:]]  # no draft left behind


def test_storing_the_same_bytes_again_is_a_no_op_and_nothing_is_overwritten(store: DossierStore) -> None:
    name = store.put_file(PNG)
    path = store.path_of(name)
    before = path.stat()
    assert store.put_file(PNG, "image/png") == name
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_damaged_file_is_refused_on_reading_and_a_missing_one_is_named(store: DossierStore) -> None:
    name = store.put_file(JPEG)
    path = store.path_of(name)
    path.chmod(0o600)
    path.write_bytes(JPEG + b"tampered")
    with pytest.raises(errors.StoredFileCorrupt):
        store.read(name)
    with pytest.raises(errors.StoredFileMissing):
        store.read("0x" + "ab" * 32)
    with pytest.raises(ValueError, match="hex digits"):
        store.path_of("0x../../etc/passwd")


def test_the_type_is_judged_by_the_bytes_not_the_declared_media_type(store: DossierStore) -> None:
    with pytest.raises(errors.UnsupportedFileType, match="not a PDF, PNG or JPEG"):
        store.put_file(b"<html>not a pdf</html>", "application/pdf")
    with pytest.raises(errors.UnsupportedFileType, match="declared image/png, but the bytes are application/pdf"):
        store.put_file(PDF, "image/png")
    with pytest.raises(errors.UnsupportedFileType, match="not JSON"):
        store.put_json(b"{broken")
    assert (media_type_of(PDF), media_type_of(PNG), media_type_of(JPEG)) == (
        "application/pdf",
        "image/png",
        "image/jpeg",
    )
    assert media_type_of(b'{"format": "x"}') == "application/json"


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(store: DossierStore) -> None:
    too_large = PDF + b"\0" * 1024
    with pytest.raises(errors.FileTooLarge) as refused:
        store.put_file(too_large)
    assert (refused.value.size, refused.value.limit) == (len(too_large), 1024)
    assert not store.contains(content_hash(too_large))
    assert store.put_file(PDF + b"\0" * (1024 - len(PDF)))  # exactly at the limit is accepted


def test_the_limit_and_the_folder_come_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LEDGER_DOSSIER_DIR", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("LEDGER_DOSSIER_MAX_BYTES", "64")
    configured = DossierStore()
    assert (configured.root, configured.max_bytes) == (tmp_path / "elsewhere", 64)


def test_the_manifest_names_every_file_and_is_stored_under_the_hash_the_chain_records(
    store: DossierStore, tmp_path: Path
) -> None:
    form, proof = tmp_path / "申请表.pdf", tmp_path / "社保证明.png"
    form.write_bytes(PDF)
    proof.write_bytes(PNG)
    name, manifest = store_dossier(store, [form, proof], ["注规0001"])
    stored = store.read(name)
    assert name == "0x" + keccak(stored).hex()  # what `ledger apply --dossier <its path>` sends
    assert store.path_of(name).read_bytes() == stored
    body = json.loads(stored)
    assert body == {
        "format": FORMAT,
        "files": [
            {"name": "申请表.pdf", "mediaType": "application/pdf", "size": len(PDF), "keccak256": content_hash(PDF)},
            {"name": "社保证明.png", "mediaType": "image/png", "size": len(PNG), "keccak256": content_hash(PNG)},
        ],
        "planners": ["注规0001"],
    }
    assert stored == json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()  # canonical
    assert parse_manifest(stored) == manifest


def test_a_dossier_with_a_refused_file_writes_no_manifest(store: DossierStore, tmp_path: Path) -> None:
    good, bad = tmp_path / "a.pdf", tmp_path / "b.pdf"
    good.write_bytes(PDF)
    bad.write_bytes(b"MZ\x90\0 an executable named .pdf")
    with pytest.raises(errors.UnsupportedFileType):
        store_dossier(store, [good, bad])
    assert [p for p in store.root.rglob("*") if p.is_file()] == [store.path_of(content_hash(PDF))]


@pytest.mark.parametrize(
    "text",
    [b"[]", b'{"format": "other/v1", "files": []}', b'{"format": "%s", "files": [{"name": "a"}]}' % FORMAT.encode()],
)
def test_anything_but_a_manifest_is_refused_as_one(text: bytes) -> None:
    with pytest.raises(errors.ManifestError):
        parse_manifest(text)
