"""Holders proving control of a certificate: the verifier asks for a challenge, the holder signs it with the key
the chain binds to the certificate (`wallet present`), and the verifier posts the answer back."""

from __future__ import annotations

import time
from typing import Any

from apiflask import APIBlueprint
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.certificates.client import certificate_id
from ledger.certificates.vocabulary import STATUS_LABELS, Status
from ledger.store.models import Certificate
from wallet.presentation import Presentation

from .certificates import not_found
from .schemas import ChallengeOut, ChallengeRequest, PresentationIn, PresentationResult
from .services import services

bp = APIBlueprint("presentations", __name__, url_prefix="/api/v1/presentations", tag="Presentations")


@bp.post("/challenge")
@bp.input(ChallengeRequest, arg_name="body")
@bp.output(ChallengeOut)
@bp.doc(summary="A single-use EIP-712 challenge for the holder of a certificate to sign", responses=[404])
def challenge(body: ChallengeRequest) -> dict[str, Any]:
    """Hand the challenge to the holder; post the signed answer to `/presentations/verify` before it expires."""
    ledger = services()
    with Session(ledger.engine) as session:
        if session.scalar(select(Certificate.id).where(Certificate.number == body.number)) is None:
            raise not_found(body.number)
    return ledger.presentations.challenge(certificate_id(body.number), int(time.time())).to_json()


@bp.post("/verify")
@bp.input(PresentationIn, arg_name="body")
@bp.output(PresentationResult)
@bp.doc(summary="Check a holder's signed answer to a challenge", responses=[400, 401, 403, 404])
def verify(body: PresentationIn) -> dict[str, Any]:
    """Refusals name the reason: `not-holder` (signed by another key), `certificate-not-valid`, `expired`,
    `replayed`, `wrong-audience` … A challenge is spent by its first good answer."""
    ledger = services()
    presentation = Presentation.from_json(body.model_dump())
    record = ledger.presentations.verify(presentation, int(time.time()))
    cid = "0x" + presentation.challenge.certificate_id.hex()
    with Session(ledger.engine) as session:
        number = session.scalar(select(Certificate.number).where(Certificate.id == cid))
    status = Status[record.status]
    return {
        "verified": True,
        "number": number,
        "holder": record.holder,
        "status": status.name,
        "statusLabel": STATUS_LABELS[status],
    }
