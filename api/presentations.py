"""Holders proving control of a certificate: the verifier asks for a challenge, the holder signs it with the key
the chain binds to the certificate (`wallet present`), and the verifier posts the answer back."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from wallet.presentation import Presentation

from .answers import presentations
from .schemas import ChallengeOut, ChallengeRequest, PresentationIn, PresentationResult
from .services import services

bp = APIBlueprint("presentations", __name__, url_prefix="/api/v1/presentations", tag="Presentations")


@bp.post("/challenge")
@bp.input(ChallengeRequest, arg_name="body")
@bp.output(ChallengeOut)
@bp.doc(summary="A single-use EIP-712 challenge for the holder of a certificate to sign", responses=[404])
def challenge(body: ChallengeRequest) -> dict[str, Any]:
    """Name your own `audience` (the relying party that will check the answer); hand the challenge to the holder;
    post the signed answer to `/presentations/verify` before it expires. The certificate, audience and window are
    kept with the challenge's nonce and compared with the answer."""
    return presentations.challenge(services(), body.number, body.audience)


@bp.post("/verify")
@bp.input(PresentationIn, arg_name="body")
@bp.output(PresentationResult)
@bp.doc(summary="Check a holder's signed answer to a challenge", responses=[400, 401, 403, 404])
def verify(body: PresentationIn) -> dict[str, Any]:
    """Refusals name the reason: `not-holder` (signed by another key), `certificate-not-valid`, `expired`,
    `replayed`, `wrong-challenge` (another certificate, audience or window than the challenge was issued for) …
    A challenge is spent by its first good answer; check that `audience` is yours."""
    return presentations.verified(services(), Presentation.from_json(body.model_dump()))
