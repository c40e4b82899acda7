"""The vault on real SQLite files: sealed rows, a missing or wrong key refused, key rotation, backups, and the move
of an old-layout read model's clear rows into it (issue 15, "nothing lost, nothing leaked")."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import sqlite3
import stat
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from ledger.certificates import vault as certificates
from ledger.certificates.documents import Document
from ledger.cli import main as ledger_cli
from ledger.errors import BackupInvalid, VaultKeyExposed, VaultKeyMissing, VaultKeyWrong, VaultNotMoved
from ledger.store.engine import MIGRATIONS, make_engine, migrate
from ledger.vault import keyring
from ledger.vault.backup import backup, manifest_of, verify_backup
from ledger.vault.database import VERSION_TABLE, Vault
from ledger.vault.keys import VaultKey
from ledger.vault.models import PlannerIdentity, StoredDocument, VaultBase
from ledger.vault.rotation import rotate_key
from ledger.wiring import Ledger
from scripts.generate_register import Register, generate
from tests.register_helpers import english, firm_issue, planner_issue

TODAY = dt.date(2026, 3, 1)


@pytest.fixture
def register() -> Register:
    return generate(7, 3, TODAY)


def _contents(register: Register) -> tuple[list[Document], list[tuple[str, str, str]]]:
    """Every firm's and planner's document of ``register`` and the planners' (subject, identity number, salt)."""
    documents = [firm_issue(row)[0] for row in register.firms]
    identities = []
    for row in register.planners:
        document, _, subject = planner_issue(row)
        documents.append(document)
        identities.append(("0x" + subject.hex(), row["公民身份号码"], document.personal["identityNumber"].salt))
    return documents, identities


def _fill(vault: Vault, register: Register) -> tuple[list[Document], list[tuple[str, str, str]]]:
    """``register``'s contents, sealed into ``vault``."""
    documents, identities = _contents(register)
    with vault.transaction() as sealed:
        certificates.store(sealed, documents, identities)
    return documents, identities


def _personal(register: Register) -> set[str]:
    """Every clear personal value of ``register``: identity numbers, legal representatives, technical leads."""
    firms = {english(row)[name] for row in register.firms for name in ("legalRepresentative", "technicalLead")}
    return firms | {row["公民身份号码"] for row in register.planners}


def _raw(path: Path) -> bytes:
    """A SQLite database's bytes on disk, with its write-ahead log."""
    return b"".join(p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists())


def _sealed(vault: Vault) -> dict[str, str]:
    with vault.transaction() as sealed:
        rows = sealed.session.execute(select(StoredDocument.certificate_number, StoredDocument.sealed)).all()
        rows += sealed.session.execute(select(PlannerIdentity.subject, PlannerIdentity.sealed)).all()
    return dict(rows)


def test_the_vault_file_holds_no_personal_value_in_clear(tmp_path: Path, register: Register) -> None:
    vault = Vault.at(f"sqlite:///{tmp_path / 'vault.db'}")
    documents, identities = _fill(vault, register)
    raw = _raw(tmp_path / "vault.db")
    assert [v for v in _personal(register) if v.encode() in raw] == []
    assert [salt for _, _, salt in identities if salt.encode() in raw or salt[2:].encode() in raw] == []
    with vault.transaction() as sealed:  # and all of it comes back
        assert certificates.identity_salts(sealed, [n for _, n, _ in identities]) == {n: s for _, n, s in identities}
        kept = certificates.documents(sealed, [d.public["number"] for d in documents])
    assert {n: d.hash() for n, d in kept.items()} == {d.public["number"]: d.hash() for d in documents}


def test_the_first_vault_gets_an_owner_only_key_file(tmp_path: Path, register: Register) -> None:
    _fill(Vault.at(f"sqlite:///{tmp_path / 'vault.db'}"), register)
    key_file = tmp_path / "vault.key"  # LEDGER_VAULT_KEY_FILE of this test (tests/conftest.py)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(base64.urlsafe_b64decode(key_file.read_text().strip())) == 32


def test_a_missing_or_wrong_key_is_refused_by_name(
    tmp_path: Path, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'vault.db'}"
    _fill(Vault.at(url), register)
    key_file = tmp_path / "vault.key"
    saved = key_file.read_text()
    key_file.unlink()
    with pytest.raises(VaultKeyMissing, match="sealed with key"), Vault.at(url).transaction():
        pass
    assert not key_file.exists(), "no fresh key is made for a vault that has rows"
    monkeypatch.setenv("LEDGER_VAULT_KEY", base64.b64encode(secrets.token_bytes(32)).decode())
    with pytest.raises(VaultKeyWrong), Vault.at(url).transaction():
        pass
    monkeypatch.delenv("LEDGER_VAULT_KEY")
    key_file.write_text(saved)
    key_file.chmod(0o644)
    with pytest.raises(VaultKeyExposed), Vault.at(url).transaction():
        pass
    key_file.chmod(0o600)
    monkeypatch.setenv("LEDGER_VAULT_KEY", saved.strip())  # the same key, given in the environment: accepted
    with Vault.at(url).transaction() as sealed:
        assert sealed.key.id == VaultKey.from_text(saved, "test").id


def test_the_command_line_refuses_a_missing_key_in_one_line(tmp_path: Path, register: Register) -> None:
    url = f"sqlite:///{tmp_path / 'vault.db'}"
    _fill(Vault.at(url), register)
    (tmp_path / "vault.key").unlink()
    result = CliRunner().invoke(ledger_cli, ["--vault-url", url, "vault", "backup", str(tmp_path / "copy.db")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: VaultKeyMissing: the vault sqlite:///")
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "copy.db").exists()


def test_a_ciphertext_moved_to_another_row_does_not_open(tmp_path: Path, register: Register) -> None:
    vault = Vault.at(f"sqlite:///{tmp_path / 'vault.db'}")
    documents, _ = _fill(vault, register)
    first, second = (d.public["number"] for d in documents[:2])
    with vault.engine.begin() as connection:
        stolen = connection.execute(
            text("SELECT sealed FROM documents WHERE certificate_number = :n"), {"n": first}
        ).scalar_one()
        connection.execute(
            text("UPDATE documents SET sealed = :s WHERE certificate_number = :n"), {"s": stolen, "n": second}
        )
    with pytest.raises(VaultKeyWrong, match="does not open"), vault.transaction() as sealed:
        certificates.documents(sealed, [second])


def test_rotation_reseals_every_row_and_keeps_every_value(tmp_path: Path, register: Register) -> None:
    vault = Vault.at(f"sqlite:///{tmp_path / 'vault.db'}")
    documents, identities = _fill(vault, register)
    before, old_key = _sealed(vault), (tmp_path / "vault.key").read_text()

    rotation = rotate_key(vault)

    after = _sealed(vault)
    assert after.keys() == before.keys() and all(after[k] != before[k] for k in before)
    assert {v.partition(":")[0] for v in after.values()} == {rotation.new_key} != {rotation.old_key}
    assert (rotation.documents, rotation.identities) == (len(documents), len(identities)) and rotation.retired
    assert old_key not in (tmp_path / "vault.key").read_text(), "the old key is retired"
    again = Vault.at(vault.engine.url.render_as_string())  # another process, reading the key file afresh
    with again.transaction() as sealed:
        assert certificates.identity_salts(sealed, [n for _, n, _ in identities]) == {n: s for _, n, s in identities}
        kept = certificates.documents(sealed, [d.public["number"] for d in documents])
    assert {n: d.hash() for n, d in kept.items()} == {d.public["number"]: d.hash() for d in documents}


def test_a_rotation_cut_off_before_its_commit_leaves_everything_readable_and_finishes(
    tmp_path: Path, register: Register
) -> None:
    """The key file already names the new key first (written before the rows change), the rows are still sealed
    under the old key: the vault reads with the old one, and rotating again finishes with the new one."""
    vault = Vault.at(f"sqlite:///{tmp_path / 'vault.db'}")
    _, identities = _fill(vault, register)
    ring = keyring.load()
    assert ring is not None and ring.path is not None
    new = VaultKey.generate()
    keyring.write(ring.path, [new, *ring.keys])
    with Vault.at(vault.engine.url.render_as_string()).transaction() as sealed:
        assert sealed.key.id == ring.current.id
        assert len(certificates.identity_salts(sealed, [n for _, n, _ in identities])) == len(identities)
    assert rotate_key(vault).new_key == new.id


def test_a_backup_verifies_and_a_tampered_one_does_not(tmp_path: Path, register: Register) -> None:
    vault = Vault.at(f"sqlite:///{tmp_path / 'vault.db'}")
    documents, identities = _fill(vault, register)
    copy = tmp_path / "backups" / "vault-copy.db"
    copy.parent.mkdir()

    made = backup(vault, copy)

    assert stat.S_IMODE(copy.stat().st_mode) == stat.S_IMODE(manifest_of(copy).stat().st_mode) == 0o600
    checked = verify_backup(copy)
    assert (
        (checked.documents, checked.identities)
        == (made.documents, made.identities)
        == (len(documents), len(identities))
    )
    assert [v for v in _personal(register) if v.encode() in copy.read_bytes()] == []

    pristine = copy.read_bytes()
    damaged = bytearray(pristine)
    damaged[len(damaged) // 2] ^= 0xFF
    copy.write_bytes(bytes(damaged))
    with pytest.raises(BackupInvalid, match="bytes"):
        verify_backup(copy)
    copy.write_bytes(pristine)
    manifest = manifest_of(copy).read_text()
    manifest_of(copy).write_text(manifest.replace(f'"documents": {len(documents)}', '"documents": 1'))
    with pytest.raises(BackupInvalid, match="MAC"):
        verify_backup(copy)
    manifest_of(copy).write_text(manifest)
    assert verify_backup(copy).sha256 == made.sha256
    with pytest.raises(Exception, match="never overwrites"):
        backup(vault, copy)


def test_the_vault_command_rotates_backs_up_and_verifies(tmp_path: Path, register: Register) -> None:
    url = f"sqlite:///{tmp_path / 'vault.db'}"
    documents, _ = _fill(Vault.at(url), register)
    runner, copy = CliRunner(), tmp_path / "copy.db"
    rotated = runner.invoke(ledger_cli, ["--vault-url", url, "vault", "rotate-key"], catch_exceptions=False)
    assert rotated.exit_code == 0 and "retired from the key file" in rotated.output
    assert runner.invoke(ledger_cli, ["--vault-url", url, "vault", "backup", str(copy)]).exit_code == 0
    verified = runner.invoke(ledger_cli, ["vault", "verify-backup", str(copy)])
    assert verified.exit_code == 0 and verified.output.startswith(f"ok: {len(documents)} documents")


def test_the_vault_migrations_build_its_models_schema(tmp_path: Path) -> None:
    vault = Vault.at(f"sqlite:///{tmp_path / 'vault.db'}")
    Vault.at(f"sqlite:///{tmp_path / 'vault.db'}")  # twice: harmless
    with vault.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, VaultBase.metadata) == []


def _old_layout(path: Path, register: Register) -> tuple[list[Document], list[tuple[str, str, str]]]:
    """A read model at revision 0010, the vault's rows in its tables, in clear, as before the vault moved out."""
    engine = make_engine(f"sqlite:///{path}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0010")
    documents, identities = _contents(register)
    with engine.begin() as connection:
        for d in documents:
            body = d.to_json()
            connection.execute(
                text("INSERT INTO vault_documents VALUES (:n, :h, :b)"),
                {
                    "n": d.public["number"],
                    "h": "0x" + d.hash().hex(),
                    "b": json.dumps(body, ensure_ascii=False),
                },
            )
        for subject, number, salt in identities:
            connection.execute(
                text("INSERT INTO vault_planner_identities VALUES (:s, :n, :salt)"),
                {"s": subject, "n": number, "salt": salt},
            )
    engine.dispose()
    return documents, identities


def test_an_old_layout_read_model_moves_its_rows_into_the_vault(tmp_path: Path, register: Register) -> None:
    database = tmp_path / "ledger.db"
    documents, identities = _old_layout(database, register)
    assert any(v.encode() in _raw(database) for v in _personal(register))

    ledger = Ledger(database_url=f"sqlite:///{database}", vault_url=f"sqlite:///{tmp_path / 'vault.db'}")
    tables = set(inspect(ledger.engine).get_table_names())

    assert not {"vault_documents", "vault_planner_identities"} & tables
    assert [v for v in _personal(register) if v.encode() in _raw(database)] == [], "ledger.db is scrubbed"
    assert [v for v in _personal(register) if v.encode() in _raw(tmp_path / "vault.db")] == []
    with ledger.vault.transaction() as sealed:
        assert certificates.identity_salts(sealed, [n for _, n, _ in identities]) == {n: s for _, n, s in identities}
        kept = certificates.documents(sealed, [d.public["number"] for d in documents])
    assert {n: d.hash() for n, d in kept.items()} == {d.public["number"]: d.hash() for d in documents}


def test_migrating_an_old_layout_without_moving_its_rows_is_refused(tmp_path: Path, register: Register) -> None:
    database = tmp_path / "ledger.db"
    _old_layout(database, register)
    with pytest.raises(VaultNotMoved):
        migrate(make_engine(f"sqlite:///{database}"))
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM vault_planner_identities").fetchone()[0] == len(
            register.planners
        )
    assert os.path.exists(database)
