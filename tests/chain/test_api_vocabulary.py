"""What a reader or a client is told in words, against a real anvil and the indexer: the reason codes'
vocabulary (act types, history, page) and the credit factors and list reasons in Chinese, on the API and the pages
alike."""

from __future__ import annotations

import pytest
from eth_utils import keccak

from ledger.certificates.client import certificate_id
from ledger.credit.acts import CreditClient, credit_request
from ledger.credit.vocabulary import FACTOR_LABELS, LIST_REASON_LABELS, ListReason
from tests.chain_helpers import chain_now
from tests.conftest import Served
from wallet.reasons import REVOCATION, SUSPENSION, RevocationReason, SuspensionReason


def test_act_types_publish_the_reason_codes_each_act_takes(served: Served) -> None:
    acts = {a["act"]: a for a in served.client.get("/api/v1/act-types").json["acts"]}
    cancellation = served.deployed.registry.functions.CANCELLATION().call()
    assert cancellation == RevocationReason.CANCELLED
    (alone,) = acts["Revoke"]["reasons"]  # the contract takes a lone revocation for 注销 only
    assert alone == {
        "code": cancellation,
        "label": REVOCATION[cancellation].label,
        "labelEn": REVOCATION[cancellation].label_en,
        "legalGround": "《中华人民共和国行政许可法》第七十条",
    }
    assert [r["code"] for r in acts["ProposeRevocation"]["reasons"]] == [1, 2, 3, 4, 5]
    assert [r["code"] for r in acts["Suspend"]["reasons"]] == [1, 2, 4, 5]
    not_stated = {"code": 0, "label": "未说明", "labelEn": "not stated", "legalGround": None}
    assert acts["Reinstate"]["reasons"][0] == not_stated
    assert acts["Issue"]["reasons"] is None and acts["BindHolder"]["reasons"] is None


def test_a_revoked_certificate_names_its_reasons_in_the_answer_and_on_the_page(served: Served) -> None:
    _, request = served.firms[1]
    number, cid = request["number"], certificate_id(request["number"])
    ministry, registry = served.deployed.sender("ministry"), served.deployed.registry
    ministry.transact(registry.functions.suspend(cid, SuspensionReason.FRAUD_SUSPECTED))
    ministry.transact(registry.functions.revoke(cid, RevocationReason.CANCELLED))
    served.indexer.sync()

    history = served.client.get(f"/api/v1/certificates/{number}").json["history"]
    assert [(a["act"], a["reason"], a["reasonLabel"]) for a in history] == [
        ("ISSUE", None, None),
        ("SUSPEND", 2, SUSPENSION[SuspensionReason.FRAUD_SUSPECTED].label),
        ("REVOKE", 3, REVOCATION[RevocationReason.CANCELLED].label),
    ]
    page = served.client.get(f"/c/{number}").get_data(as_text=True)
    assert SUSPENSION[SuspensionReason.FRAUD_SUSPECTED].label in page
    assert REVOCATION[RevocationReason.CANCELLED].label in page
    assert "原因代码" not in page


@pytest.mark.parametrize("served", [6], indirect=True)  # significance needs six firms or more
def test_the_firm_page_shows_credit_factors_and_list_reasons_in_chinese(served: Served) -> None:
    document, request = next((d, r) for d, r in served.firms if d.public["grade"] == "B")
    record = credit_request(keccak(text=request["number"]), decision="罚〔2026〕7号", now=chain_now(served.deployed.w3))
    CreditClient(served.deployed.credit, served.deployed.sender("ministry")).record(record)
    served.indexer.sync()
    code = document.public["creditCode"]

    standing = served.client.get(f"/api/v1/firms/{code}/credit").json
    assert "dishonesty_points" in standing["significantFactors"]
    assert standing["significantFactorLabels"] == [FACTOR_LABELS[f] for f in standing["significantFactors"]]
    assert all(f["label"] == FACTOR_LABELS[f["indicator"]] for f in standing["factors"])
    (entry,) = standing["lists"]
    assert (entry["reason"], entry["reasonLabel"]) == (
        ListReason.DISHONESTY_PUBLISHED,
        LIST_REASON_LABELS[ListReason.DISHONESTY_PUBLISHED],
    )

    page = served.client.get(f"/f/{code}").get_data(as_text=True)
    assert FACTOR_LABELS["dishonesty_points"] in page
    assert LIST_REASON_LABELS[ListReason.DISHONESTY_PUBLISHED] in page
    raw = [identifier for identifier in (*FACTOR_LABELS, *ListReason) if identifier in page]
    assert raw == [], "identifiers shown to a reader"
