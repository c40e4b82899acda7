"""An integrator signs an act from the API alone: `GET /api/v1/act-types` says what can be signed and where,
`POST /api/v1/acts/prepare` gives the typed data with the signer's nonce and a deadline, any EIP-712 wallet signs
it (here eth-account's own `sign_typed_data`, not this project's hashing) and `POST /api/v1/acts` relays it."""

from __future__ import annotations

from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from ledger.certificates.client import certificate_id
from tests.api_helpers import is_problem
from tests.conftest import Served
from wallet.devkeys import dev_account
from wallet.typed_acts import ACTS


def signed_by_wallet(account: LocalAccount, prepared: dict[str, Any]) -> dict[str, Any]:
    """What a browser does: eth_signTypedData_v4 on the typed data as the API gave it, then the body it said."""
    signature = Account.sign_typed_data(account.key, full_message=prepared["typedData"]).signature
    return {**prepared["signedAct"], "signature": "0x" + bytes(signature).hex()}


def relayed(served: Served, body: dict[str, Any]) -> dict[str, Any]:
    accepted = served.client.post("/api/v1/acts", json=body)
    assert accepted.status_code == 202, accepted.json
    served.deployed.w3.eth.wait_for_transaction_receipt(accepted.json["txHash"])
    served.indexer.sync()
    return served.client.get(accepted.json["statusUrl"]).json


def test_every_act_is_published_with_its_types_and_the_contract_that_takes_it(served: Served) -> None:
    published = {a["act"]: a for a in served.client.get("/api/v1/act-types").json["acts"]}
    assert set(published) == set(ACTS)
    ledger = served.deployed.ledger
    assert published["Suspend"]["contract"] == ledger.registry.address
    assert published["RecordCredit"]["domain"]["name"] == "PlanningQualificationCredit"
    accept = published["Accept"]
    assert accept["contract"] == ledger.licensing_acts.address == accept["domain"]["verifyingContract"]
    assert [f["name"] for f in accept["types"]["Accept"]] == ["application", "nonce", "deadline"]
    assert "EIP712Domain" in accept["types"]


def test_a_suspension_and_a_licensing_step_prepared_signed_by_a_wallet_and_relayed(served: Served) -> None:
    ministry = dev_account("ministry", 31337)
    number = served.firms[0][1]["number"]
    fields = {"id": "0x" + certificate_id(number).hex(), "reason": 4}
    prepared = served.client.post("/api/v1/acts/prepare", json={"act": "Suspend", "signer": ministry.address,
                                                                "fields": fields, "validFor": 600})  # fmt: skip
    assert prepared.status_code == 200, prepared.json
    message = prepared.json["typedData"]["message"]
    assert message["nonce"] == served.deployed.registry.functions.nonces(ministry.address).call()
    status = relayed(served, signed_by_wallet(ministry, prepared.json))
    assert [c["status"] for c in status["certificates"]] == ["SUSPENDED"]

    firm, zhejiang = Account.create(), dev_account("zhejiang", 31337)
    filing = {"request": {"kind": 1, "subject": "0x" + keccak(text="91330106MA2BPREP01").hex(),
                          "certificate": "0x" + "00" * 32, "province": 33, "employer": "0x" + "00" * 32,
                          "dossier": "0x" + keccak(text="dossier").hex(), "publicData": "0x"}}  # fmt: skip
    prepared = served.client.post("/api/v1/acts/prepare", json={"act": "File", "signer": firm.address,
                                                                "fields": filing})  # fmt: skip
    application = relayed(served, signed_by_wallet(firm, prepared.json))["applications"][0]["id"]
    prepared = served.client.post("/api/v1/acts/prepare", json={"act": "Accept", "signer": zhejiang.address.lower(),
                                                                "fields": {"application": application}})  # fmt: skip
    assert prepared.json["typedData"]["domain"]["verifyingContract"] == served.deployed.ledger.licensing_acts.address
    status = relayed(served, signed_by_wallet(zhejiang, prepared.json))
    assert status["applications"][0]["stage"] == "ACCEPTED"


def test_what_does_not_fit_an_act_is_refused_before_anything_is_read_or_signed(served: Served) -> None:
    signer = Account.create().address

    def prepare(**body: Any) -> Any:
        return served.client.post("/api/v1/acts/prepare", json={"signer": signer, **body})

    is_problem(prepare(act="Transmogrify", fields={}), 400, "malformed-message")
    is_problem(prepare(act="Accept", fields={"application": "0x" + "11" * 32, "nonce": 7}), 400, "malformed-message")
    is_problem(prepare(act="Accept", fields={"application": "0x1234"}), 400, "malformed-message")
    is_problem(prepare(act="Suspend", fields={"id": "0x" + "11" * 32, "reason": 70000}), 400, "malformed-message")
    some = "0x" + "11" * 32
    for act, fields in (("Suspend", {"id": some, "reason": 3}), ("Revoke", {"id": some, "reason": 2}),
                        ("ProposeRevocation", {"certificate": some, "reason": 0, "evidenceHash": some})):  # fmt: skip
        refused = is_problem(prepare(act=act, fields=fields), 400, "invalid-request")  # outside the act's vocabulary
        assert refused["errors"][0]["field"] == "fields.reason", act
    assert prepare(act="Accept", fields={"application": "0x" + "11" * 32}, validFor=31 * 86400).status_code == 400
