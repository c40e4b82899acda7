"""One time format, against a real anvil and the indexer: every instant an answer sends is ISO 8601 with a zone (the
presentation challenge's window too, whose signed message keeps unix seconds)."""

from __future__ import annotations

import datetime as dt

from tests.conftest import Served
from wallet.presentation import Challenge, present

AUDIENCE = "tender.example"


def instant(text: str) -> dt.datetime:
    """An instant as the API sends it: ISO 8601 with a zone, or the test fails."""
    moment = dt.datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"{text!r} has no zone"
    return moment


def test_the_presentation_challenge_gives_its_window_as_instants_and_signs_unix_seconds(served: Served) -> None:
    number = served.firms[0][1]["number"]
    challenge = served.client.post("/api/v1/presentations/challenge", json={"number": number, "audience": AUDIENCE})
    body = challenge.json
    issued, expires = instant(body["issuedAt"]), instant(body["expiresAt"])
    signed = body["message"]  # the typed data keeps unix seconds: the signature covers them
    assert (int(issued.timestamp()), int(expires.timestamp())) == (signed["issuedAt"], signed["expiresAt"])
    assert expires > issued
    presentation = present(served.holder, Challenge.from_json(body)).to_json()
    assert served.client.post("/api/v1/presentations/verify", json=presentation).status_code == 200
