"""Where the vault's keys come from: LEDGER_VAULT_KEY (base64; several, comma-separated, the first current) or
else the key file (LEDGER_VAULT_KEY_FILE, default ``var/vault.key``: one base64 key a line, the first current,
mode 0600). Never from the database the keys seal.

The key file is created, with a fresh random key, only for a vault that has never been sealed (``Vault``
decides); a vault with sealed rows and no key is refused. A rotation writes the file with the new key first and
the old one after it, then, once every row is re-sealed, with the new key alone (``write``): a rotation cut off
between the two leaves both keys there, and every row readable.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ledger.errors import VaultKeyExposed, VaultKeyWrong
from ledger.settings import data_dir
from ledger.vault.keys import VaultKey

ENVIRONMENT = "LEDGER_VAULT_KEY"


def key_file() -> Path:
    return Path(os.environ.get("LEDGER_VAULT_KEY_FILE", data_dir() / "vault.key"))


@dataclass(frozen=True)
class KeyRing:
    """The keys at hand, the current one first; ``path`` is the key file, None when they came from the
    environment (which this process cannot rewrite)."""

    keys: tuple[VaultKey, ...]
    source: str
    path: Path | None

    @property
    def current(self) -> VaultKey:
        return self.keys[0]

    def get(self, key_id: str) -> VaultKey | None:
        return next((k for k in self.keys if k.id == key_id), None)


def load() -> KeyRing | None:
    """The keys of LEDGER_VAULT_KEY, else of the key file; None when neither exists."""
    if value := os.environ.get(ENVIRONMENT, "").strip():
        return KeyRing(_parse(value.split(","), ENVIRONMENT), ENVIRONMENT, None)
    path = key_file()
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    if stat.S_IMODE(mode) & 0o077:
        raise VaultKeyExposed(f"{path} is mode {stat.S_IMODE(mode):o}: other users may read it (chmod 600 {path})")
    return KeyRing(_parse(path.read_text(encoding="ascii").splitlines(), str(path)), str(path), path)


def create() -> KeyRing:
    """A key file with a fresh random key, made owner-only as it is created; another process that made it first
    wins, and its key is the one read."""
    path = key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return KeyRing(_parse(path.read_text(encoding="ascii").splitlines(), str(path)), str(path), path)
    key = VaultKey.generate()
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.as_text() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return KeyRing((key,), str(path), path)


def write(path: Path, keys: list[VaultKey]) -> KeyRing:
    """Replace the key file with ``keys`` (the current first), atomically: a crash leaves the old file or the new."""
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.writelines(key.as_text() + "\n" for key in keys)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
    return KeyRing(tuple(keys), str(path), path)


def _parse(lines: list[str], source: str) -> tuple[VaultKey, ...]:
    keys = tuple(VaultKey.from_text(line, source) for line in lines if line.strip())
    if not keys:
        raise VaultKeyWrong(f"{source} holds no key")
    return keys
