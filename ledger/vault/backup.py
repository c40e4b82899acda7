"""Backups of the vault: a copy by SQLite's online backup API (consistent while others write), owner-only, and a
manifest beside it (``PATH.manifest.json``) with the copy's SHA-256, size and row counts, the id of the key its
rows are sealed with, and a MAC over all of it under that key.

The SHA-256 finds a damaged copy; the MAC, which only the key's holder can make, finds one altered together with
its manifest. Verifying also runs SQLite's integrity check on the copy and opens every sealed row, so a backup
that verifies is one that restores. The key is not in the backup: keep it apart (a backup and its key together
are the personal data in clear), and keep a key that a rotation retired for as long as the backups made under it.
A PostgreSQL vault is backed up with its own tools (pg_dump).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledger.errors import BackupInvalid, VaultError
from ledger.vault import keyring
from ledger.vault.database import Vault
from ledger.vault.keys import VaultKey
from ledger.vault.rows import document_body, identity_of

FORMAT = "ledger-vault-backup/1"


@dataclass(frozen=True)
class Checked:
    """What a backup holds, as its manifest says and its rows confirmed."""

    path: Path
    manifest: Path
    key_id: str
    documents: int
    identities: int
    sha256: str


def manifest_of(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def backup(vault: Vault, path: Path) -> Checked:
    """Copy the vault to ``path`` (never over an existing file) and write its manifest; both mode 0600."""
    if vault.engine.dialect.name != "sqlite" or not vault.engine.url.database:
        raise VaultError(f"the vault {vault.where} is not a SQLite file: back it up with its database's own tools")
    with vault.transaction() as sealed:  # the key the copy's rows are sealed with, refused if absent
        key = sealed.key
    manifest = manifest_of(path)
    for created in (path, manifest):
        if created.exists():
            raise VaultError(f"{created} exists: a backup never overwrites a file")
    _create_owner_only(path)
    with _sqlite(vault.engine.url.database) as source, _sqlite(str(path)) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # a single file, readable without its -wal and -shm
    with _sqlite(str(path)) as copy:
        documents, identities = _counts(copy)
    sha256 = _sha256(path)
    fields = {
        "format": FORMAT,
        "file": path.name,
        "bytes": path.stat().st_size,
        "sha256": sha256,
        "keyId": key.id,
        "documents": documents,
        "plannerIdentities": identities,
        "createdAt": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    _create_owner_only(manifest)
    manifest.write_text(json.dumps({**fields, "mac": key.mac(_canonical(fields))}, indent=2) + "\n")
    return Checked(path, manifest, key.id, documents, identities, sha256)


def verify_backup(path: Path) -> Checked:
    """Check a backup against its manifest, with the key of LEDGER_VAULT_KEY or the key file; ``BackupInvalid``
    says what does not check out."""
    fields = _manifest(path)
    key = _key_for(fields["keyId"])
    mac = fields.pop("mac")
    if not hmac.compare_digest(str(mac), key.mac(_canonical(fields))):
        raise BackupInvalid(f"{manifest_of(path)}: its MAC does not match: altered, or made under another key")
    if not path.is_file() or path.stat().st_size != fields["bytes"] or _sha256(path) != fields["sha256"]:
        raise BackupInvalid(f"{path}: its bytes are not the ones its manifest names (damaged or altered)")
    with _sqlite(f"{path.resolve().as_uri()}?mode=ro", uri=True) as copy:
        if copy.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupInvalid(f"{path}: SQLite's integrity check fails")
        if _counts(copy) != (fields["documents"], fields["plannerIdentities"]):
            raise BackupInvalid(f"{path}: its row counts are not its manifest's")
        _open_every_row(copy, key, path)
    return Checked(path, manifest_of(path), key.id, fields["documents"], fields["plannerIdentities"], fields["sha256"])


def _manifest(path: Path) -> dict[str, Any]:
    try:
        fields = json.loads(manifest_of(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupInvalid(f"{manifest_of(path)}: no readable manifest ({exc})") from exc
    if not isinstance(fields, dict) or fields.get("format") != FORMAT or "mac" not in fields:
        raise BackupInvalid(f"{manifest_of(path)}: not a manifest of format {FORMAT}")
    return fields


def _key_for(key_id: str) -> VaultKey:
    ring = keyring.load()
    key = ring.get(key_id) if ring else None
    if key is None:
        raise BackupInvalid(
            f"the backup is sealed with key {key_id}, which neither {keyring.ENVIRONMENT} nor the key file holds"
        )
    return key


def _open_every_row(copy: sqlite3.Connection, key: VaultKey, path: Path) -> None:
    state = copy.execute("SELECT key_id FROM vault_state").fetchall()
    if state != [(key.id,)]:
        raise BackupInvalid(f"{path}: the copy names another key than its manifest")
    try:
        for number, sealed in copy.execute("SELECT certificate_number, sealed FROM documents"):
            document_body(key, number, sealed)
        for subject, sealed in copy.execute("SELECT subject, sealed FROM planner_identities"):
            identity_of(key, subject, sealed)
    except VaultError as exc:
        raise BackupInvalid(f"{path}: a row does not open: {exc}") from exc


def _counts(copy: sqlite3.Connection) -> tuple[int, int]:
    documents = copy.execute("SELECT count(*) FROM documents").fetchone()[0]
    identities = copy.execute("SELECT count(*) FROM planner_identities").fetchone()[0]
    return documents, identities


def _canonical(fields: dict[str, Any]) -> bytes:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _create_owner_only(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise VaultError(f"{path} exists: a backup never overwrites a file") from None


@contextlib.contextmanager
def _sqlite(database: str, *, uri: bool = False) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(database, uri=uri)
    try:
        yield connection
    finally:
        connection.close()
