"""Encrypted key files: Web3 Secret Storage v3 with scrypt, one file per key, readable by its owner only.

The directory comes from configuration (``WALLET_DIR``), by default ``~/.planning-ledger/keystores``; it is
refused inside a source repository so a key can never be committed by accident. A key is named by a label
(the file name) and found by label or address. Nothing here prints or logs a password or a private key.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import ValidationError, is_hex_address, to_checksum_address

from .devkeys import DEV_ROLES, dev_account, require_local_chain
from .errors import BadLabel, CorruptedKeystore, InsecureKeystore, KeyExists, UnknownKey, WrongPassword

Account.enable_unaudited_hdwallet_features()

DEFAULT_DIR = Path.home() / ".planning-ledger" / "keystores"
DIR_ENV = "WALLET_DIR"
SCRYPT_N = 2**18  # eth-account's default work factor (about 0.7 s and 256 MiB per unlock on these machines)
DEV_PASSWORD = "development"  # public: development keystores protect public keys
_LABEL = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_META = "x-planning-ledger"


def keystore_dir(environ: os._Environ[str] | dict[str, str] = os.environ) -> Path:
    """The configured keystore directory (``WALLET_DIR``), else the default under the user's home."""
    configured = environ.get(DIR_ENV)
    return Path(configured).expanduser() if configured else DEFAULT_DIR


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown of a key without its password: never the private key."""

    label: str
    address: str
    development: bool
    path: Path

    def public(self) -> dict[str, Any]:
        return {"label": self.label, "address": self.address, "development": self.development}


class KeyStore:
    """The keystores in one directory. ``scrypt_n`` is lowered only by tests (it is written into each file)."""

    def __init__(self, directory: Path | None = None, *, scrypt_n: int = SCRYPT_N) -> None:
        self.directory = (directory or keystore_dir()).expanduser().resolve()
        self.scrypt_n = scrypt_n

    # ------------------------------------------------------------ creating

    def create(self, label: str, password: str) -> KeyInfo:
        """A fresh random key."""
        return self._store(label, Account.create(), password, development=False)

    def import_key(self, label: str, private_key: str, password: str) -> KeyInfo:
        try:
            account = Account.from_key(private_key)
        except (ValueError, TypeError):  # the original message may quote the key: not chained
            raise CorruptedKeystore("not a private key: expected 32 bytes as 64 hexadecimal digits") from None
        return self._store(label, account, password, development=False)

    def import_mnemonic(self, label: str, mnemonic: str, password: str, *, index: int = 0) -> KeyInfo:
        """The key at BIP-44 path m/44'/60'/0'/0/``index`` of a BIP-39 mnemonic."""
        try:
            account = Account.from_mnemonic(mnemonic.strip(), account_path=f"m/44'/60'/0'/0/{index}")
        except (ValueError, TypeError, ValidationError):  # the original message quotes the words: not chained
            raise CorruptedKeystore("not a valid BIP-39 mnemonic (word list or checksum)") from None
        return self._store(label, account, password, development=False)

    def create_dev_set(self, chain_id: int) -> list[KeyInfo]:
        """The labelled development keys (``dev-ministry``, …) for a local chain, under the public password."""
        require_local_chain(chain_id)
        created = []
        for role in DEV_ROLES:
            label = f"dev-{role}"
            if self._path(label).exists():
                created.append(self.info(label))
                continue
            created.append(self._store(label, dev_account(role, chain_id), DEV_PASSWORD, development=True))
        return created

    # ------------------------------------------------------------ reading

    def list(self) -> list[KeyInfo]:
        if not self.directory.is_dir():
            return []
        return [self._read_info(path) for path in sorted(self.directory.glob("*.json"))]

    def info(self, key: str) -> KeyInfo:
        """The key named by label or address."""
        if is_hex_address(key):
            wanted = to_checksum_address(key)
            for info in self.list():
                if info.address == wanted:
                    return info
            raise UnknownKey(f"no keystore for address {wanted} in {self.directory}")
        path = self._path(key)
        if not path.exists():
            raise UnknownKey(f"no keystore labelled {key!r} in {self.directory}")
        return self._read_info(path)

    def unlock(self, key: str, password: str, *, chain_id: int | None = None) -> LocalAccount:
        """The account, decrypted. A development key is refused unless ``chain_id`` is a local chain."""
        info = self.info(key)
        if info.development:
            require_local_chain(chain_id if chain_id is not None else -1)
        return self._decrypt(info, password)

    def _decrypt(self, info: KeyInfo, password: str) -> LocalAccount:
        self._check_private(info.path)
        document = _load(info.path)
        try:
            secret = Account.decrypt(document, password)
        except ValueError as exc:
            if "MAC mismatch" in str(exc):
                raise WrongPassword(f"wrong password for keystore {info.label!r}") from None
            raise CorruptedKeystore(f"keystore {info.label!r} cannot be decrypted: {exc}") from None
        except (KeyError, TypeError, AttributeError) as exc:
            raise CorruptedKeystore(f"keystore {info.label!r} is damaged ({type(exc).__name__})") from None
        account = Account.from_key(secret)
        if account.address != info.address:
            raise CorruptedKeystore(f"keystore {info.label!r} decrypts to another address than it names")
        return account

    def public_key(self, key: str, password: str) -> str:
        """The uncompressed secp256k1 public key (needs the password: a keystore stores only the address).
        Allowed for development keys on any machine: a public key signs nothing."""
        account = self._decrypt(self.info(key), password)
        return account._key_obj.public_key.to_hex()  # eth-account exposes the key object only privately

    # ------------------------------------------------------------ changing

    def change_password(self, key: str, old: str, new: str) -> KeyInfo:
        info = self.info(key)
        account = self._decrypt(info, old)
        self._write(info.path, self._encrypt(account, new, info.label, info.development), replace=True)
        return info

    def delete(self, key: str) -> KeyInfo:
        info = self.info(key)
        info.path.unlink()
        return info

    # ------------------------------------------------------------ files

    def _store(self, label: str, account: LocalAccount, password: str, *, development: bool) -> KeyInfo:
        if not _LABEL.match(label):
            raise BadLabel(f"label {label!r} must be 1-64 of a-z 0-9 . _ - and start with a letter or digit")
        if any(info.address == account.address for info in self.list()):
            raise KeyExists(f"a keystore for {account.address} already exists in {self.directory}")
        path = self._path(label)
        self._write(path, self._encrypt(account, password, label, development), replace=False)
        return KeyInfo(label, account.address, development, path)

    def _encrypt(self, account: LocalAccount, password: str, label: str, development: bool) -> dict[str, Any]:
        document = Account.encrypt(account.key, password, kdf="scrypt", iterations=self.scrypt_n)
        document[_META] = {"label": label, "development": development}
        return document

    def _path(self, label: str) -> Path:
        return self.directory / f"{label}.json"

    def _prepare_directory(self) -> None:
        if _inside_repository(self.directory):
            raise InsecureKeystore(
                f"{self.directory} is inside a source repository; keep keystores outside it (set {DIR_ENV})"
            )
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)

    def _write(self, path: Path, document: dict[str, Any], *, replace: bool) -> None:
        """Written with mode 0600 from the first byte; ``replace`` swaps the file atomically."""
        self._prepare_directory()
        fd, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")  # mode 0600
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(document, out)
            if replace:
                os.replace(temporary, path)
            else:
                os.link(temporary, path)  # refuses a label already taken, atomically
        except FileExistsError:
            raise KeyExists(f"a keystore labelled {path.stem!r} already exists in {self.directory}") from None
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)

    def _read_info(self, path: Path) -> KeyInfo:
        document = _load(path)
        meta = document.get(_META) or {}
        try:
            address = to_checksum_address("0x" + str(document["address"]).removeprefix("0x"))
        except (KeyError, ValueError) as exc:
            raise CorruptedKeystore(f"keystore {path.name} has no valid address") from exc
        return KeyInfo(path.stem, address, bool(meta.get("development")), path)

    @staticmethod
    def _check_private(path: Path) -> None:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise InsecureKeystore(f"{path} is readable by others (mode {mode:o}); run: chmod 600 {path}")


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptedKeystore(f"keystore {path.name} is not readable JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("version") != 3 or "crypto" not in document:
        raise CorruptedKeystore(f"keystore {path.name} is not a version 3 Web3 Secret Storage file")
    return document


def _inside_repository(directory: Path) -> bool:
    return any((parent / ".git").exists() for parent in (directory, *directory.parents))
