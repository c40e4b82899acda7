"""One time format, against a real anvil and the indexer: every instant an answer sends is ISO 8601 with a zone (the
presentation challenge's window too, whose signed message keeps unix seconds), a validity's last day is a Beijing
date beside its exclusive end in every certificate answer, and the pages show instants in Beijing time."""

from __future__ import annotations

import datetime as dt

from ledger.certificates.documents import BEIJING
from tests.conftest import Served
from wallet.presentation import Challenge, present

AUDIENCE = "tender.example"


def instant(text: str) -> dt.datetime:
    """An instant as the API sends it: ISO 8601 with a zone, or the test fails."""
    moment = dt.datetime.fromisoformat(text)
    assert moment.tzinfo is not None, f"{text!r} has no zone"
    return moment


def test_the_pages_show_instants_in_beijing_time(served: Served) -> None:
    _, request = served.firms[0]
    number = request["number"]
    issued = instant(served.client.get(f"/api/v1/certificates/{number}").json["history"][0]["at"])
    page = served.client.get(f"/c/{number}").get_data(as_text=True)
    assert issued.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + " 北京时间" in page
    assert "UTC" not in page
    printed = served.client.get(f"/c/{number}/print").get_data(as_text=True)
    assert "北京时间" in printed and "UTC" not in printed


def test_valid_until_date_is_the_last_day_included_in_beijing(served: Served) -> None:
    document, request = served.firms[0]
    number, last_day = request["number"], document.public["validUntil"]  # the certificate's printed 有效期止
    validity = served.client.get(f"/api/v1/certificates/{number}").json["validity"]
    end = instant(validity["validUntil"]).astimezone(BEIJING)
    assert end.time() == dt.time(0, 0), "the exclusive end is Beijing midnight"
    assert validity["validUntilDate"] == (end.date() - dt.timedelta(days=1)).isoformat() == last_day

    shown = f"{document.public['validFrom']} 至 {last_day}"
    assert shown in served.client.get(f"/c/{number}").get_data(as_text=True)
    assert shown in served.client.get(f"/c/{number}/print").get_data(as_text=True)

    batch = served.client.post("/api/v1/verify", json={"numbers": [number]}).json["results"]
    search = served.client.get("/api/v1/certificates", query_string={"kind": "FIRM", "limit": 200}).json["items"]
    firm = served.client.get(f"/api/v1/firms/{document.public['creditCode']}").json
    for item in (batch[0], next(i for i in search if i["number"] == number), firm["certificates"][0]):
        assert (item["validUntil"], item["validUntilDate"]) == (validity["validUntil"], last_day)
    planner_document, planner_request, _ = served.planners[0]
    binding = next(p for p in firm["planners"] if p["registrationNumber"] == planner_request["number"])
    assert binding["validUntilDate"] == planner_document.public["validUntil"]


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
