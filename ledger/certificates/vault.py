"""The vault: certificate documents with their personal values and salts, and each planner's identity salt.

Written by whoever issues (the import, the CLI) before the act is sent, read back so a resubmitted document hashes
the same, never derived from the chain and never touched by a reindex.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, delete, insert, select
from sqlalchemy.orm import Session

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
from ledger.store.models import PlannerIdentity, StoredDocument

IN_CLAUSE = 500


def document_salts(session: Session, numbers: Iterable[str]) -> dict[str, dict[str, str]]:
    """Certificate number → {personal field: salt} for the documents the vault holds."""
    salts: dict[str, dict[str, str]] = {}
    for chunk in chunked(list(numbers), IN_CLAUSE):
        query = select(StoredDocument.certificate_number, StoredDocument.body).where(
            StoredDocument.certificate_number.in_(chunk)
        )
        for number, body in session.execute(query):
            personal = json.loads(body)["personal"]
            salts[number] = {name: shown["salt"] for name, shown in personal.items() if "salt" in shown}
    return salts


def identity_salts(session: Session, identity_numbers: Iterable[str]) -> dict[str, str]:
    """Identity number → the salt of that person's subject, for the people the vault knows."""
    salts: dict[str, str] = {}
    for chunk in chunked(list(identity_numbers), IN_CLAUSE):
        query = select(PlannerIdentity.identity_number, PlannerIdentity.salt).where(
            PlannerIdentity.identity_number.in_(chunk)
        )
        salts.update({number: salt for number, salt in session.execute(query).tuples()})
    return salts


def store(session: Session, documents: Sequence[Document], identities: Sequence[tuple[str, str, str]] = ()) -> None:
    """Keep ``documents`` (replacing older versions of the same numbers) and the planner identities
    ``(subject, identity number, salt)`` not yet known, in bulk."""
    numbers = [d.public["number"] for d in documents]
    for chunk in chunked(numbers, IN_CLAUSE):
        session.execute(delete(StoredDocument).where(StoredDocument.certificate_number.in_(chunk)))
    rows = [
        {
            "certificate_number": d.public["number"],
            "document_hash": "0x" + d.hash().hex(),
            "body": json.dumps(d.to_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")),
        }
        for d in documents
    ]
    if rows:
        session.execute(insert(StoredDocument), rows)
    known = identity_salts(session, [number for _, number, _ in identities])
    new = {number: (subject, salt) for subject, number, salt in identities if number not in known}
    if new:
        rows = [{"subject": s, "identity_number": n, "salt": salt} for n, (s, salt) in new.items()]
        session.execute(insert(PlannerIdentity), rows)


def keep_document(engine: Engine, fields: Mapping[str, Any], kind: Kind) -> tuple[Document, bytes]:
    """The document of a certificate about to be issued (by the CLI or by a regulator in the console) and its
    subject; the vault's salts are reused, so a resubmission hashes the same, and the document is kept here before
    anything is sent (an act never signed leaves only its salts, bound to a number nothing on chain carries)."""
    number = str(fields.get("number", ""))
    with Session(engine) as session, session.begin():
        salts = document_salts(session, [number]).get(number)
        identities: list[tuple[str, str, str]] = []
        if kind == Kind.FIRM:
            document = firm_document(fields, salts)
            subject = firm_subject(document.public["creditCode"])
        else:
            identity = validate_id_number(str(fields.get("identityNumber", "")))
            salt = identity_salts(session, [identity]).get(identity) or new_salt()
            document = planner_document(fields, salt)
            subject = planner_subject(identity, salt)
            identities.append(("0x" + subject.hex(), identity, salt))
        store(session, [document], identities)
    return document, subject
