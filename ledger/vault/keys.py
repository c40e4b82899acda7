"""One vault key: AES-256-GCM sealing, the blind index (HMAC-SHA256) and the backup MAC, each under its own
subkey derived by HKDF, so one 256-bit secret never serves two algorithms.

A ciphertext is ``<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>``: it names the key that sealed it, so during a
rotation every row is opened by its own key. The key id is derived from the key (a fingerprint, not a secret), so
a wrong key is told apart from a damaged row. Each ciphertext is bound to its row (``context``, the associated
data): a ciphertext copied onto another row fails its tag.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ledger.errors import VaultKeyWrong

KEY_BYTES = 32
NONCE_BYTES = 12


def _subkey(secret: bytes, purpose: bytes, length: int = KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=b"ledger-vault/" + purpose).derive(secret)


class VaultKey:
    """A 256-bit vault key and what is derived from it."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != KEY_BYTES:
            raise VaultKeyWrong(f"a vault key has {KEY_BYTES} bytes, not {len(secret)}")
        self.secret = secret
        self.id = _subkey(secret, b"key-id", 8).hex()
        self._aead = AESGCM(_subkey(secret, b"aes-256-gcm"))
        self._index = _subkey(secret, b"blind-index")
        self._mac = _subkey(secret, b"backup-mac")

    @classmethod
    def generate(cls) -> VaultKey:
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_text(cls, text: str, source: str) -> VaultKey:
        """A key written as base64 (standard or URL-safe), as the key file and LEDGER_VAULT_KEY hold it."""
        try:
            secret = base64.urlsafe_b64decode(text.strip().replace("+", "-").replace("/", "_"))
        except (binascii.Error, ValueError) as exc:
            raise VaultKeyWrong(f"{source}: a vault key is base64 of {KEY_BYTES} bytes") from exc
        return cls(secret)

    def as_text(self) -> str:
        return base64.urlsafe_b64encode(self.secret).decode()

    def seal(self, plaintext: bytes, context: bytes) -> str:
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = nonce + self._aead.encrypt(nonce, plaintext, context)
        return f"{self.id}:{base64.urlsafe_b64encode(sealed).decode()}"

    def open(self, sealed: str, context: bytes) -> bytes:
        key_id, _, body = sealed.partition(":")
        if key_id != self.id:
            raise VaultKeyWrong(f"a row is sealed with key {key_id}, not {self.id}")
        raw = base64.urlsafe_b64decode(body)
        try:
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], context)
        except InvalidTag:
            raise VaultKeyWrong(f"a row sealed with key {key_id} does not open: damaged, or off its row") from None

    def index(self, value: str) -> str:
        """The blind index of ``value`` (the lookup column's value): equal values match, nothing of ``value`` shows."""
        return hmac.new(self._index, value.encode(), hashlib.sha256).hexdigest()

    def mac(self, data: bytes) -> str:
        return hmac.new(self._mac, data, hashlib.sha256).hexdigest()


def key_id_of(sealed: str) -> str:
    """The id of the key a ciphertext names."""
    return sealed.partition(":")[0]
