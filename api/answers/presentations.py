"""Holders proving control of a certificate: a challenge for a certificate the read model knows, and what a good
answer to it says about the certificate (its number and its status at the verifier's instant)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session

from ledger.certificates import queries
from ledger.certificates.client import certificate_id
from ledger.certificates.vocabulary import STATUS_LABELS, Status
from wallet.presentation import Presentation

from ..services import Services
from .fields import hexed, instant
from .verification import not_found


def challenge(ledger: Services, number: str, audience: str) -> dict[str, Any]:
    """A single-use challenge for the holder of certificate ``number``, for the relying party ``audience``; an
    unknown number is refused (404)."""
    with Session(ledger.engine) as session:
        if not queries.is_known(session, number):
            raise not_found(number)
    issued = ledger.presentations.challenge(certificate_id(number), int(time.time()), audience)
    return {**issued.to_json(), "issuedAt": instant(issued.issued_at), "expiresAt": instant(issued.expires_at)}


def verified(ledger: Services, presentation: Presentation) -> dict[str, Any]:
    """The verifier's judgement of a signed answer (a refusal raises); on success, whose certificate it is."""
    record = ledger.presentations.verify(presentation, int(time.time()))
    cid = hexed(presentation.challenge.certificate_id)
    with Session(ledger.engine) as session:
        number = queries.numbers_of(session, [cid]).get(cid)
    status = Status[record.status]
    return {
        "verified": True,
        "number": number,
        "audience": presentation.challenge.audience,
        "holder": record.holder,
        "status": status.name,
        "statusLabel": STATUS_LABELS[status],
    }
