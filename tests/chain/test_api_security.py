"""Attacks on the API from issue 14's security review, each against a real anvil: what a hostile client tried,
and what it gets now."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
import segno

from tests.api_helpers import is_problem
from tests.chain.test_api_identity import signed_suspension
from tests.conftest import Served
from wallet.devkeys import dev_account


@pytest.mark.parametrize("fault", ["unknown-label", "wrong-password"])
def test_a_relayer_keystore_fault_is_a_server_fault_without_path_or_label(
    served: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    """Finding 10: a keystore the relayer cannot open was answered 401 with the keystore's path and label."""
    keys = tmp_path / "secret-keystores"
    monkeypatch.setenv("WALLET_DIR", str(keys))
    monkeypatch.setenv("WALLET_PASSWORD", "not-the-password")
    label = "relayer-hot-wallet"
    if fault == "wrong-password":
        from wallet.keystore import KeyStore

        KeyStore(keys, scrypt_n=2).import_key(label, dev_account("relayer", 31337).key.hex(), "the-password")
    client = served.app(RELAYER_ACCOUNT=None, RELAYER_KEY=label)
    number = served.firms[0][1]["number"]
    answer = client.post("/api/v1/acts", json=signed_suspension(served, dev_account("ministry", 31337), number))
    body = is_problem(answer, 503, "relay-unavailable")
    text = json.dumps(body, ensure_ascii=False)
    assert str(keys) not in text and label not in text and "keystore" not in text.lower()


@pytest.mark.parametrize("path", ["/c/{number}", "/c/{number}/print"])
def test_the_qr_code_leads_to_public_origin_whatever_host_the_request_names(served: Served, path: str) -> None:
    """Finding 11: the page's QR code took the request's Host header, so a forged Host (a poisoned cache, a
    phishing mirror) printed a code that leads elsewhere."""
    number = served.firms[0][1]["number"]
    url = path.format(number=number)
    forged = served.client.get(url, headers={"Host": "phishing.example"})
    assert forged.status_code == 200
    expected = segno.make(f"http://verify.test/c/{quote(number)}", error="m").svg_inline(scale=4, border=2, dark="#111")
    assert expected in forged.text
    assert served.client.get(url).text.count(expected) == 1
