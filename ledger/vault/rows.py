"""What a vault row seals and what the seal is bound to: a document's whole canonical JSON to its certificate
number, a planner's identity number and salt to the planner's subject. The one place rows are sealed and opened,
for the certificates' vault, the move out of the read model and a key rotation alike."""

from __future__ import annotations

import json
from typing import Any, Protocol


class Sealer(Protocol):
    """What seals rows: a vault transaction (``VaultSession``), or one key (``VaultKey``, checking a backup)."""

    def seal(self, plaintext: bytes, context: bytes) -> str: ...

    def open(self, sealed: str, context: bytes) -> bytes: ...

    def index(self, value: str) -> str: ...


def _document_context(number: str) -> bytes:
    return b"documents\x00" + number.encode()


def _identity_context(subject: str) -> bytes:
    return b"planner_identities\x00" + subject.encode()


def document_row(vault: Sealer, number: str, document_hash: str, body: str) -> dict[str, Any]:
    return {
        "certificate_number": number,
        "document_hash": document_hash,
        "sealed": vault.seal(body.encode(), _document_context(number)),
    }


def document_body(vault: Sealer, number: str, sealed: str) -> str:
    return vault.open(sealed, _document_context(number)).decode()


def identity_row(vault: Sealer, subject: str, identity_number: str, salt: str) -> dict[str, Any]:
    clear = json.dumps({"identityNumber": identity_number, "salt": salt}, separators=(",", ":"))
    return {
        "subject": subject,
        "identity_index": vault.index(identity_number),
        "sealed": vault.seal(clear.encode(), _identity_context(subject)),
    }


def identity_of(vault: Sealer, subject: str, sealed: str) -> tuple[str, str]:
    """(identity number, salt) of a planner's row."""
    clear = json.loads(vault.open(sealed, _identity_context(subject)))
    return clear["identityNumber"], clear["salt"]
