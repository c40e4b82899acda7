"""Certificates for the ledger tests, taken from the synthetic register so they look like the real thing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from web3 import Web3

from ledger.certificates.documents import (
    Document,
    firm_document,
    firm_subject,
    issue_request,
    new_salt,
    planner_document,
)
from ledger.certificates.documents import planner_subject as identity_subject
from ledger.certificates.identifiers import validate_credit_code
from ledger.certificates.importer import FIRM_COLUMNS, PLANNER_COLUMNS
from scripts.generate_register import Register, generate
from tests.chain_helpers import chain_now


def register_for(w3: Web3, firms: int = 4, seed: int = 7) -> Register:
    """A small register dated by the chain's clock, so every certificate in it is current on chain."""
    today = dt.datetime.fromtimestamp(chain_now(w3), dt.UTC).date()
    return generate(seed, firms, today)


def english(row: dict[str, str], planner: bool = False) -> dict[str, Any]:
    columns = PLANNER_COLUMNS if planner else FIRM_COLUMNS
    return {c.field: row[c.header] for c in columns if row.get(c.header)}


def firm_issue(row: dict[str, str]) -> tuple[Document, dict[str, Any]]:
    document = firm_document(english(row))
    code = validate_credit_code(document.public["creditCode"])
    return document, issue_request(document, subject=firm_subject(code.value), province=code.province or 11)


def planner_issue(row: dict[str, str], salt: str | None = None) -> tuple[Document, dict[str, Any], bytes]:
    fields = english(row, planner=True)
    salt = salt or new_salt()
    document = planner_document(fields, salt)
    subject = identity_subject(fields["identityNumber"], salt)
    employer = firm_subject(fields["employerCreditCode"])
    return document, issue_request(document, subject=subject, province=0, employer=employer), subject
