"""A signed act's reason code is one of its act's vocabulary (wallet/reasons.py) on every path that signs or relays
one, not only in ``acts/prepare``: ``POST /api/v1/acts``, ``wallet sign-act`` and ``ledger relay`` refuse another
before anything is sent (the chain records any number, and every history would show it as 其他原因)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ledger.certificates.client import certificate_id
from ledger.cli import main as ledger_cli
from tests.api_helpers import is_problem
from tests.chain_helpers import chain_now
from tests.conftest import Deployed, Served
from wallet.cli import main as wallet_cli
from wallet.devkeys import dev_account
from wallet.keystore import DEV_PASSWORD
from wallet.typed_acts import Domain, sign_act

CANCELLATION = 3  # 注销: a revocation's code, no ground for a suspension


def suspension(deployed: Deployed, number: str, reason: int) -> dict[str, Any]:
    """The ministry's Suspend of ``number``, signed by the wallet's own signer (which takes any uint16)."""
    w3, registry = deployed.w3, deployed.registry
    ministry = dev_account("ministry", w3.eth.chain_id)
    nonce = registry.functions.nonces(ministry.address).call()
    message = {"id": certificate_id(number), "reason": reason, "nonce": nonce, "deadline": chain_now(w3) + 600}
    return sign_act(
        ministry, Domain.for_act("Suspend", w3.eth.chain_id, registry.address), "Suspend", message
    ).to_json()


def test_the_relay_refuses_a_reason_outside_the_acts_vocabulary_and_sends_nothing(served: Served) -> None:
    number = served.firms[0][1]["number"]
    ministry = dev_account("ministry", served.deployed.w3.eth.chain_id).address
    nonce = served.deployed.registry.functions.nonces(ministry).call()

    refused = is_problem(served.client.post("/api/v1/acts", json=suspension(served.deployed, number, CANCELLATION)),
                         400, "invalid-request")  # fmt: skip
    assert refused["errors"] == [{"in": "json", "field": "typedData.message.reason", "message": "one of [1, 2, 4, 5]"}]
    assert "Suspend takes reason 1, 2, 4, 5, not 3" in refused["detail"] and "act-types" in refused["detail"]
    assert served.deployed.registry.functions.nonces(ministry).call() == nonce  # nothing was sent
    assert served.client.get(f"/api/v1/certificates/{number}").json["status"] == "ACTIVE"

    accepted = served.client.post("/api/v1/acts", json=suspension(served.deployed, number, 4))  # 挂证 suspected
    assert accepted.status_code == 202, accepted.json


def test_wallet_sign_act_and_ledger_relay_refuse_a_reason_outside_the_acts_vocabulary(
    deployed: Deployed, ledger: list[str], tmp_path: Path
) -> None:
    w3, registry = deployed.w3, deployed.registry
    (tmp_path / "password").write_text(DEV_PASSWORD + "\n")
    keys = ["--dir", str(tmp_path / "keys"), "--password-file", str(tmp_path / "password")]
    CliRunner().invoke(wallet_cli, [*keys, "dev-keys", "--chain-id", str(w3.eth.chain_id)], catch_exceptions=False)
    (tmp_path / "suspend.json").write_text(json.dumps({"id": "0x" + "11" * 32, "reason": CANCELLATION}))
    out = tmp_path / "signed.json"
    signing = CliRunner().invoke(wallet_cli, [
        *keys, "sign-act", "dev-ministry", "--act", "Suspend", "--message", str(tmp_path / "suspend.json"),
        "--chain-id", str(w3.eth.chain_id), "--registry", registry.address, "--nonce", "0", "--out", str(out),
    ])  # fmt: skip
    assert signing.exit_code == 2 and "--message" in signing.output, signing.output
    assert "Suspend takes reason 1, 2, 4, 5, not 3" in signing.output and "renting or lending" in signing.output
    assert not out.exists()

    # a file signed elsewhere, by a signer that does not check: `ledger relay` refuses it as the API does
    out.write_text(json.dumps(suspension(deployed, "自然资规甲字110001", CANCELLATION)))
    nonce = registry.functions.nonces(deployed.record.roles["ministry"]).call()
    relaying = CliRunner().invoke(ledger_cli, [*ledger, "relay", "--as", "relayer", str(out)])
    assert relaying.exit_code == 2 and "Suspend takes reason 1, 2, 4, 5, not 3" in relaying.output, relaying.output
    assert registry.functions.nonces(deployed.record.roles["ministry"]).call() == nonce
