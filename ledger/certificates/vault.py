"""The certificates' vault: documents with their personal values and salts, and each planner's identity salt.

Written by whoever issues (the import, the CLI, the console) before the act is sent, read back so a resubmitted
document hashes the same, never derived from the chain and kept in a database of its own (``ledger.vault``).

A document is sealed whole, not field by field: its public fields are on chain anyway, so nothing is lost by
sealing them, and no personal field (a schema may add one) can be left in clear by a list kept here falling
behind ``documents.SCHEMAS``. A planner's identity number is sealed with its salt, and found by its blind index:
the salt must stay as secret as the number, since the subject on chain is their commitment and identity numbers
are few enough to try one by one against a known salt. Salts never change, so hashes and subjects on chain keep
matching.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete, insert, select

from ledger.certificates.documents import (
    Document,
    firm_document,
    firm_subject,
    new_salt,
    planner_document,
    planner_subject,
)
from ledger.certificates.identifiers import validate_id_number
from ledger.certificates.vocabulary import Kind
from ledger.store.engine import chunked
from ledger.vault.database import Vault, VaultSession
from ledger.vault.models import PlannerIdentity, StoredDocument
from ledger.vault.rows import document_body, document_row, identity_of, identity_row

IN_CLAUSE = 500


def documents(vault: VaultSession, numbers: Iterable[str]) -> dict[str, Document]:
    """Certificate number → the document the vault holds for it."""
    return {number: Document.from_json(body) for number, body in _bodies(vault, numbers).items()}


def document_salts(vault: VaultSession, numbers: Iterable[str]) -> dict[str, dict[str, str]]:
    """Certificate number → {personal field: salt} for the documents the vault holds."""
    return {
        number: {name: shown["salt"] for name, shown in body["personal"].items() if "salt" in shown}
        for number, body in _bodies(vault, numbers).items()
    }


def _bodies(vault: VaultSession, numbers: Iterable[str]) -> dict[str, dict[str, Any]]:
    bodies: dict[str, dict[str, Any]] = {}
    for chunk in chunked(list(numbers), IN_CLAUSE):
        query = select(StoredDocument.certificate_number, StoredDocument.sealed).where(
            StoredDocument.certificate_number.in_(chunk)
        )
        for number, sealed in vault.session.execute(query):
            bodies[number] = json.loads(document_body(vault, number, sealed))
    return bodies


def identity_salts(vault: VaultSession, identity_numbers: Iterable[str]) -> dict[str, str]:
    """Identity number → the salt of that person's subject, for the people the vault knows."""
    by_index = {vault.index(number): number for number in set(identity_numbers)}
    salts: dict[str, str] = {}
    for chunk in chunked(list(by_index), IN_CLAUSE):
        query = select(PlannerIdentity.subject, PlannerIdentity.sealed).where(PlannerIdentity.identity_index.in_(chunk))
        for subject, sealed in vault.session.execute(query):
            number, salt = identity_of(vault, subject, sealed)
            salts[number] = salt
    return salts


def store(vault: VaultSession, documents: Sequence[Document], identities: Sequence[tuple[str, str, str]] = ()) -> None:
    """Keep ``documents`` (replacing older versions of the same numbers) and the planner identities
    ``(subject, identity number, salt)`` not yet known, in bulk."""
    numbers = [d.public["number"] for d in documents]
    for chunk in chunked(numbers, IN_CLAUSE):
        vault.session.execute(delete(StoredDocument).where(StoredDocument.certificate_number.in_(chunk)))
    rows = [
        document_row(
            vault,
            d.public["number"],
            "0x" + d.hash().hex(),
            json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        )
        for d in documents
    ]
    if rows:
        vault.session.execute(insert(StoredDocument), rows)
    known = identity_salts(vault, [number for _, number, _ in identities])
    new = {number: (subject, salt) for subject, number, salt in identities if number not in known}
    if new:
        rows = [identity_row(vault, subject, number, salt) for number, (subject, salt) in new.items()]
        vault.session.execute(insert(PlannerIdentity), rows)


def keep_document(vault: Vault, fields: Mapping[str, Any], kind: Kind) -> tuple[Document, bytes]:
    """The document of a certificate about to be issued (by the CLI or by a regulator in the console) and its
    subject; the vault's salts are reused, so a resubmission hashes the same, and the document is kept here before
    anything is sent (an act never signed leaves only its salts, bound to a number nothing on chain carries)."""
    number = str(fields.get("number", ""))
    with vault.transaction() as sealed:
        salts = document_salts(sealed, [number]).get(number)
        identities: list[tuple[str, str, str]] = []
        if kind == Kind.FIRM:
            document = firm_document(fields, salts)
            subject = firm_subject(document.public["creditCode"])
        else:
            identity = validate_id_number(str(fields.get("identityNumber", "")))
            salt = identity_salts(sealed, [identity]).get(identity) or new_salt()
            document = planner_document(fields, salt)
            subject = planner_subject(identity, salt)
            identities.append(("0x" + subject.hex(), identity, salt))
        store(sealed, [document], identities)
    return document, subject
