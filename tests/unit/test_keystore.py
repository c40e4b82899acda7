"""Keystores as a regulator's machine keeps them: encrypted, owner-only, found by label or address; every
way of getting a key wrong is refused by name, and no password or private key is ever written in clear."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from wallet import errors
from wallet.devkeys import PUBLIC_DEV_MNEMONIC, dev_account
from wallet.keystore import DEV_PASSWORD, SCRYPT_N, KeyStore, keystore_dir
from wallet.passwords import read_password

FAST = 2**10  # tests lower scrypt's cost; one test checks the real default
ANVIL_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"  # m/44'/60'/0'/0/1 of the public development mnemonic


@pytest.fixture
def store(tmp_path: Path) -> KeyStore:
    return KeyStore(tmp_path / "keys", scrypt_n=FAST)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_key_is_encrypted_owner_only_and_unlocks_with_its_password(tmp_path: Path) -> None:
    store = KeyStore(tmp_path / "keys")  # the real work factor
    info = store.create("ministry", "correct horse")
    assert mode(info.path) == 0o600 and mode(store.directory) == 0o700
    document = json.loads(info.path.read_text())
    assert document["version"] == 3 and document["crypto"]["kdf"] == "scrypt"
    assert document["crypto"]["kdfparams"]["n"] == SCRYPT_N
    account = store.unlock("ministry", "correct horse")
    assert account.address == info.address
    assert account.key.hex() not in info.path.read_text() and "correct horse" not in info.path.read_text()
    assert [k.public() for k in store.list()] == [{"label": "ministry", "address": info.address, "development": False}]


def test_found_by_label_or_address(store: KeyStore) -> None:
    info = store.create("registrar", "pw")
    assert store.info(info.address.lower()) == info == store.info("registrar")


def test_import_a_private_key_and_a_mnemonic(store: KeyStore) -> None:
    key = Account.create()
    assert store.import_key("imported", key.key.hex(), "pw").address == key.address
    assert store.import_mnemonic("from-words", PUBLIC_DEV_MNEMONIC, "pw", index=1).address == ANVIL_1
    with pytest.raises(errors.KeyExists):
        store.import_key("again", key.key.hex(), "pw")
    with pytest.raises(errors.CorruptedKeystore, match="mnemonic"):
        store.import_mnemonic("bad-words", "test " * 11 + "test", "pw")
    with pytest.raises(errors.CorruptedKeystore, match="private key"):
        store.import_key("bad-key", "0x1234", "pw")


def test_wrong_password(store: KeyStore) -> None:
    store.create("ministry", "right")
    with pytest.raises(errors.WrongPassword) as refused:
        store.unlock("ministry", "wrong")
    assert "wrong" not in str(refused.value).replace("wrong password", "")


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: text.replace('"version": 3', '"version": 2'),
        lambda text: json.dumps({**json.loads(text), "crypto": {**json.loads(text)["crypto"], "ciphertext": "zz"}}),
        lambda text: json.dumps({**json.loads(text), "address": "not an address"}),
    ],
)
def test_corrupted_keystore(store: KeyStore, damage) -> None:
    info = store.create("ministry", "pw")
    info.path.write_text(damage(info.path.read_text()))
    with pytest.raises(errors.CorruptedKeystore):
        store.unlock("ministry", "pw")


def test_a_keystore_naming_another_address_is_corrupted(store: KeyStore) -> None:
    info = store.create("ministry", "pw")
    document = json.loads(info.path.read_text())
    document["address"] = Account.create().address[2:].lower()
    info.path.write_text(json.dumps(document))
    with pytest.raises(errors.CorruptedKeystore, match="another address"):
        store.unlock("ministry", "pw")


def test_unknown_key(store: KeyStore) -> None:
    with pytest.raises(errors.UnknownKey):
        store.unlock("nobody", "pw")
    with pytest.raises(errors.UnknownKey):
        store.info(Account.create().address)


def test_bad_label_and_duplicate_label(store: KeyStore) -> None:
    with pytest.raises(errors.BadLabel):
        store.create("../escape", "pw")
    store.create("ministry", "pw")
    with pytest.raises(errors.KeyExists):
        store.create("ministry", "pw")


def test_change_password_and_delete(store: KeyStore) -> None:
    info = store.create("ministry", "old")
    store.change_password("ministry", "old", "new")
    assert mode(info.path) == 0o600
    with pytest.raises(errors.WrongPassword):
        store.unlock("ministry", "old")
    assert store.unlock("ministry", "new").address == info.address
    with pytest.raises(errors.WrongPassword):
        store.change_password("ministry", "old", "newer")
    store.delete("ministry")
    assert store.list() == [] and not info.path.exists()


def test_export_public_key(store: KeyStore) -> None:
    info = store.create("ministry", "pw")
    public_key = bytes.fromhex(store.public_key("ministry", "pw")[2:])
    assert to_checksum_address(keccak(public_key)[-20:]) == info.address


def test_readable_by_others_is_refused(store: KeyStore) -> None:
    info = store.create("ministry", "pw")
    info.path.chmod(0o644)
    with pytest.raises(errors.InsecureKeystore, match="chmod 600"):
        store.unlock("ministry", "pw")


def test_a_directory_inside_a_repository_is_refused(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    with pytest.raises(errors.InsecureKeystore, match="repository"):
        KeyStore(tmp_path / "repo" / "keys", scrypt_n=FAST).create("ministry", "pw")


def test_directory_from_configuration() -> None:
    assert keystore_dir({"WALLET_DIR": "/srv/keys"}) == Path("/srv/keys")
    assert keystore_dir({}) == Path.home() / ".planning-ledger" / "keystores"


def test_development_keys_only_for_a_local_chain(store: KeyStore) -> None:
    with pytest.raises(errors.DevKeyRefused):
        store.create_dev_set(chain_id=1)
    created = store.create_dev_set(chain_id=31337)
    assert {k.label for k in created} >= {"dev-ministry", "dev-registrar", "dev-relayer"}
    assert all(k.development for k in created)
    assert store.info("dev-ministry").address == ANVIL_1
    assert store.unlock("dev-ministry", DEV_PASSWORD, chain_id=31337).address == ANVIL_1
    with pytest.raises(errors.DevKeyRefused):
        store.unlock("dev-ministry", DEV_PASSWORD, chain_id=1)
    assert store.create_dev_set(chain_id=31337) == created, "creating the set again changes nothing"


def test_development_keys_need_the_development_flag_as_well_as_the_chain_id(
    store: KeyStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14, finding 11: chain id 31337 alone is what a careless private network keeps."""
    store.create_dev_set(chain_id=31337)
    monkeypatch.delenv("LEDGER_DEVELOPMENT")
    with pytest.raises(errors.DevKeyRefused, match="LEDGER_DEVELOPMENT=1"):
        store.unlock("dev-relayer", DEV_PASSWORD, chain_id=31337)
    with pytest.raises(errors.DevKeyRefused, match="LEDGER_DEVELOPMENT=1"):
        dev_account("admin", 31337)
    monkeypatch.setenv("LEDGER_DEVELOPMENT", "yes")  # only 1 says it
    with pytest.raises(errors.DevKeyRefused):
        dev_account("admin", 31337)


def test_password_sources_in_order(tmp_path: Path) -> None:
    file = tmp_path / "password"
    file.write_text("from-file\n")
    env = {"WALLET_PASSWORD": "from-env"}
    assert read_password(file=file, environ=env, prompt=lambda: "typed") == "from-file"
    assert read_password(environ=env, prompt=lambda: "typed") == "from-env"
    assert read_password(environ={}, prompt=lambda: "typed") == "typed"
    with pytest.raises(errors.PasswordUnavailable):
        read_password(environ={})
    with pytest.raises(errors.PasswordUnavailable):
        read_password(file=tmp_path / "missing", environ={})
