"""Credit supervision end to end on a real anvil node: credit acts on chain, indexed, graded and listed by the API.

A planner transfer that takes a grade A firm below ten registered planners puts it on the yellow list within one
indexer cycle and a new hire takes it off; dishonesty records list and delist firms, restorations end them;
random-inspection draws are recomputed here from the API's public data alone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from eth_utils import keccak

from ledger import errors
from ledger.certificates.documents import Document, firm_subject
from ledger.cli import main as ledger_cli
from ledger.credit import inspections
from ledger.credit.acts import CreditClient, credit_request, inspection_request, record_id
from ledger.credit.vocabulary import Category, CreditKind, InspectionOutcome, Severity
from scripts.samples import firm_request
from tests.api_helpers import is_problem
from tests.chain_helpers import chain_now
from tests.cli_helpers import run
from tests.conftest import Served
from wallet.cli import main as wallet_cli
from wallet.devkeys import dev_account
from wallet.keystore import DEV_PASSWORD
from wallet.reasons import REVOCATION, RevocationReason
from wallet.typed_acts import to_typed_json

DAY = 86400


def credit(served: Served, role: str) -> CreditClient:
    return CreditClient(served.deployed.credit, served.deployed.sender(role))


def firms_by_grade(served: Served, grade: str) -> list[tuple[Document, dict]]:
    return [(doc, req) for doc, req in served.firms if doc.public["grade"] == grade]


def listed(served: Served, name: str) -> list[dict]:
    response = served.client.get(f"/api/v1/lists/{name}")
    assert response.status_code == 200, response.json
    return response.json["entries"]


def reasons_for(served: Served, name: str, credit_code: str) -> set[str]:
    return {e["reason"] for e in listed(served, name) if e["creditCode"] == credit_code}


def four_eyes_revoke(served: Served, officials: tuple[str, str], certificate: bytes, reason: int) -> None:
    """A revocation (other than 注销) as the contract takes it: one official proposes, a second confirms."""
    chain_id = served.deployed.w3.eth.chain_id
    proposer, confirmer = (served.deployed.ledger.licensing_client(dev_account(o, chain_id)) for o in officials)
    proposal = proposer.propose_revocation(certificate, int(reason), keccak(text="evidence"))
    confirmer.confirm_revocation(proposal.id)


def transfer(served: Served, planner: tuple[Document, dict, bytes], to_code: str) -> None:
    document, request, _ = planner
    moved = Document(document.schema, {**document.public, "employerCreditCode": to_code}, document.personal)
    call = served.deployed.registry.functions.transfer(
        keccak(text=request["number"]), firm_subject(to_code), moved.hash(), moved.public_data()
    )
    served.deployed.sender("registrar").transact(call)


def test_a_transfer_below_ten_planners_puts_a_grade_a_firm_on_the_yellow_list_and_a_hire_takes_it_off(
    served: Served,
) -> None:
    (firm, firm_request), *_ = firms_by_grade(served, "A")
    (other, _), *_ = firms_by_grade(served, "B")
    code, other_code = firm.public["creditCode"], other.public["creditCode"]
    own = [p for p in served.planners if p[1]["employer"] == firm_subject(code)]
    assert len(own) >= 10, "the register gives grade A firms ten planners or more"
    assert "planners-below-rule" not in reasons_for(served, "yellow", code)

    leaving = own[: len(own) - 9]
    for planner in leaving:
        transfer(served, planner, other_code)
    served.indexer.sync()
    entry = next(e for e in listed(served, "yellow") if e["creditCode"] == code)
    assert entry["reason"] == "planners-below-rule"
    assert entry["detail"] == {
        "registeredPlanners": 9, "minimum": 10, "grade": 1, "number": firm_request["number"],
    }  # fmt: skip
    standing = served.client.get(f"/api/v1/firms/{code}/credit").json
    assert any(e["reason"] == "planners-below-rule" for e in standing["lists"])

    transfer(served, leaving[0], code)  # the firm hires one back
    served.indexer.sync()
    assert "planners-below-rule" not in reasons_for(served, "yellow", code)


def test_dishonesty_lists_a_firm_until_its_restoration_and_serious_cases_are_blacklisted(served: Served) -> None:
    w3 = served.deployed.w3
    now = chain_now(w3)
    ministry = credit(served, "ministry")
    (first, first_request), (second, second_request), *_ = firms_by_grade(served, "B")
    first_id, second_id = keccak(text=first_request["number"]), keccak(text=second_request["number"])
    general = credit_request(first_id, decision="罚〔2026〕1号", now=now, published_from=now - 100 * DAY, days=300)
    recorded = ministry.record(general)
    assert recorded == record_id(general["decisionNumber"], first_request["subject"]), "the decision on the subject"
    served.indexer.sync()
    code = first.public["creditCode"]
    assert reasons_for(served, "yellow", code) == {"dishonesty-published"}
    standing = served.client.get(f"/api/v1/firms/{code}/credit").json
    (record,) = standing["records"]
    assert (record["kind"], record["severity"], record["points"], record["published"]) == (
        "DISHONESTY", "GENERAL", 10, True,
    )  # fmt: skip
    assert standing["indices"]["dishonesty"] == 1.0, "the only dishonest firm tops the dishonesty index"

    with pytest.raises(errors.AlreadyRecorded):
        ministry.record(general)
    ministry.restore(recorded, "修复〔2026〕1号")
    served.indexer.sync()
    assert reasons_for(served, "yellow", code) == set()
    (record,) = served.client.get(f"/api/v1/firms/{code}/credit").json["records"]
    assert record["restored"] is not None and record["published"] is False
    assert record["restorationDecision"] == "修复〔2026〕1号"

    serious = credit_request(
        second_id, decision="罚〔2026〕2号", now=now, severity=Severity.SERIOUS, category=Category.FRAUD, days=400
    )
    ministry.record(serious)
    served.indexer.sync()
    code = second.public["creditCode"]
    assert reasons_for(served, "black", code) == {"serious-dishonesty"}
    standing = served.client.get(f"/api/v1/firms/{code}/credit").json
    assert (standing["creditGrade"], standing["veto"]) == ("D", "serious-dishonesty")


def test_revocation_for_fraud_and_a_renting_planner_are_blacklisted(served: Served) -> None:
    (firm, request), *_ = firms_by_grade(served, "B")
    four_eyes_revoke(served, ("ministry", "ministry-2"), keccak(text=request["number"]), RevocationReason.FRAUD)
    planner_document, planner_request, _ = served.planners[-1]
    renting = credit_request(
        keccak(text=planner_request["number"]),
        decision="中规协罚〔2026〕9号",
        now=chain_now(served.deployed.w3),
        category=Category.RENTING_LENDING,
    )
    credit(served, "registrar").record(renting)
    served.indexer.sync()
    black = listed(served, "black")
    fraud = next(e for e in black if e["reason"] == "revoked-for-fraud")
    assert fraud["creditCode"] == firm.public["creditCode"] and fraud["reasonLabel"] == "资质因弄虚作假被撤销"
    barred = dt.datetime.fromisoformat(fraud["detail"]["barredUntil"])  # an instant with its zone, as every instant
    assert barred - dt.datetime.fromisoformat(fraud["since"]) == dt.timedelta(days=3 * 365)
    revoked = served.client.get(f"/api/v1/certificates/{request['number']}").json["history"][-1]
    assert (revoked["act"], revoked["reason"]) == ("REVOKE", 2)
    assert revoked["reasonLabel"] == REVOCATION[RevocationReason.FRAUD].label
    page = served.client.get(f"/c/{request['number']}").get_data(as_text=True)
    assert REVOCATION[RevocationReason.FRAUD].label in page and "原因代码" not in page
    renting_entry = next(e for e in black if e["reason"] == "renting-lending")
    assert renting_entry["subjectKind"] == "PLANNER" and renting_entry["name"] == planner_document.public["name"]
    assert any(e["reason"] == "planner-sanctioned" for e in listed(served, "yellow"))


def test_a_revocation_counts_only_against_the_subjects_qualification_of_the_moment(served: Served) -> None:
    """A certificate displaced by a later one for the same firm is not the firm's qualification: revoking it
    lists nobody, as the contract would refuse credit against it; revoking the live one does."""
    code, w3 = "91330106MA2B0DSPL1", served.deployed.w3
    zhejiang, registry = served.deployed.sender("zhejiang"), served.deployed.registry
    for number in ("B-DISPLACED", "B-CURRENT"):
        zhejiang.transact(registry.functions.issue(firm_request(number, now=chain_now(w3), credit_code=code)))
    province = ("zhejiang", "zhejiang-2")
    four_eyes_revoke(served, province, keccak(text="B-DISPLACED"), RevocationReason.RENTING_LENDING)
    served.indexer.sync()
    assert reasons_for(served, "black", code) == set()
    four_eyes_revoke(served, province, keccak(text="B-CURRENT"), RevocationReason.FRAUD)
    served.indexer.sync()
    assert reasons_for(served, "black", code) == {"revoked-for-fraud"}


def test_credit_acts_keep_the_certificates_jurisdictions(served: Served) -> None:
    now = chain_now(served.deployed.w3)
    (_, grade_a), *_ = firms_by_grade(served, "A")
    request = credit_request(keccak(text=grade_a["number"]), decision="浙罚〔2026〕1号", now=now)
    with pytest.raises(errors.Unauthorized):
        credit(served, "zhejiang").record(request)
    with pytest.raises(errors.InvalidPublication):
        credit(served, "ministry").record({**request, "publishedUntil": request["publishedFrom"] + 30 * DAY})


def test_a_credit_act_signed_by_the_wallet_is_relayed_by_the_api_and_by_the_cli(served: Served, tmp_path: Path) -> None:
    """Regression: a credit act signed with `wallet sign-act` was refused (`wrong-contract`) by every relay path.
    Now it signs and relays exactly like a certificate act: in the credit registry's domain, to its function."""
    w3 = served.deployed.w3
    chain_id, credit_address = str(w3.eth.chain_id), served.deployed.record.credit_address
    ministry = dev_account("ministry", w3.eth.chain_id)
    (tmp_path / "password").write_text(DEV_PASSWORD + "\n")
    keys = ["--dir", str(tmp_path / "keys"), "--password-file", str(tmp_path / "password")]
    run(wallet_cli, *keys, "dev-keys", "--chain-id", chain_id)
    (firm, request), *_ = firms_by_grade(served, "A")
    credit_code = firm.public["creditCode"]

    def signed_record(decision: str, nonce: int) -> Path:
        honour = credit_request(
            keccak(text=request["number"]), decision=decision, now=chain_now(w3),
            kind=CreditKind.HONOUR, severity=Severity.NONE, category=Category.NATIONAL_AWARD, points=30, days=365,
        )  # fmt: skip
        (tmp_path / "record.json").write_text(json.dumps({"request": to_typed_json(honour)}))
        out = tmp_path / f"signed-{nonce}.json"
        run(wallet_cli, *keys, "sign-act", "dev-ministry", "--act", "RecordCredit",
            "--message", str(tmp_path / "record.json"), "--chain-id", chain_id, "--registry", credit_address,
            "--nonce", str(nonce), "--deadline", str(chain_now(w3) + 600), "--out", str(out))  # fmt: skip
        verified = run(wallet_cli, "verify-act", str(out), "--chain-id", chain_id, "--registry", credit_address,
                       "--rpc-url", w3.provider.endpoint_uri)  # fmt: skip
        assert json.loads(verified.output)["signer"] == ministry.address
        return out

    # through the API: accepted, mined, indexed, and the firm's credit shows the ministry as issuer
    nonce = served.deployed.credit.functions.nonces(ministry.address).call()
    accepted = served.client.post(
        "/api/v1/acts", json=json.loads(signed_record("自然资奖〔2026〕1号", nonce).read_text())
    )
    assert accepted.status_code == 202, accepted.json
    assert accepted.json["act"] == "RecordCredit" and accepted.json["signer"] == ministry.address
    w3.eth.wait_for_transaction_receipt(accepted.json["txHash"])
    served.indexer.sync()
    assert served.client.get(accepted.json["statusUrl"]).json["indexed"] is True
    (record,) = served.client.get(f"/api/v1/firms/{credit_code}/credit").json["records"]
    assert record["issuer"] == ministry.address and record["kind"] == "HONOUR"

    # through the CLI: `ledger relay` sends the next one and indexes it into the same read model
    database = served.engine.url.render_as_string(hide_password=False)
    ledger = ["--rpc-url", w3.provider.endpoint_uri, "--record", str(served.deployed.record_path),
              "--database-url", database]  # fmt: skip
    relayed = run(ledger_cli, *ledger, "relay", "--as", "relayer", str(signed_record("自然资奖〔2026〕2号", nonce + 1)))
    assert "RecordCredit signed by " + ministry.address in relayed.output
    records = served.client.get(f"/api/v1/firms/{credit_code}/credit").json["records"]
    assert sorted(r["decisionNumber"] for r in records) == ["自然资奖〔2026〕1号", "自然资奖〔2026〕2号"]


def announce(served: Served, by: CreditClient, title: str, secret: bytes, **filters: int) -> tuple[bytes, int]:
    """Announces a round over the filter, committing to its population as the index has it now and to ``secret``."""
    w3 = served.deployed.w3
    served.indexer.sync()
    head = w3.eth.get_block("latest")
    with served.engine.connect() as connection:
        members = inspections.members(
            connection, filters.get("province", 0), filters.get("grade", 0), head["number"] + 1, head["timestamp"]
        )
    draw_block = head["number"] + 2
    request = inspection_request(
        title,
        draw_block=draw_block,
        roster=["I-01", "I-02", "I-03", "I-04"],
        sample_size=2,
        secret=secret,
        population=[bytes.fromhex(cid[2:]) for cid, _ in members],
        **filters,
    )
    return by.announce(request), draw_block


def mine_past(served: Served, block: int) -> None:
    w3 = served.deployed.w3
    while w3.eth.block_number <= block:
        w3.provider.make_request("evm_mine", [])


def test_an_inspection_draw_is_recomputed_from_public_data(served: Served) -> None:
    w3 = served.deployed.w3
    ministry = credit(served, "ministry")
    secret = keccak(text="the ministry's secret for 测试1号")
    round_id, draw_block = announce(served, ministry, "抽查〔2026〕测试1号", secret)
    served.indexer.sync()
    (summary,) = served.client.get("/api/v1/inspections").json["rounds"]
    answer = served.client.get(f"/api/v1/inspections/{summary['id']}").json
    assert answer["drawn"] is False and answer["selection"] is None and answer["secret"] is None
    assert len(answer["population"]) == len(served.firms), "every valid firm certificate, nationwide, both grades"
    assert answer["populationCommitted"] is True

    mine_past(served, draw_block)
    served.indexer.sync()
    assert served.client.get(f"/api/v1/inspections/{summary['id']}").json["drawn"] is False, "mined, not revealed"
    seed = ministry.reveal(round_id, secret)
    served.indexer.sync()
    answer = served.client.get(f"/api/v1/inspections/{summary['id']}").json
    assert answer["drawn"] is True and answer["seed"] == "0x" + seed.hex()
    # Recompute the draw from the answer alone, by the published procedure.
    rid = bytes.fromhex(answer["id"][2:])
    population = sorted(bytes.fromhex(m["certificateId"][2:]) for m in answer["population"])
    assert inspections.population_root(population).hex() == answer["populationRoot"][2:]
    block_hash = bytes.fromhex(answer["drawBlockHash"][2:])
    assert block_hash == bytes(w3.eth.get_block(draw_block)["hash"])
    revealed = bytes.fromhex(answer["secret"][2:])
    assert inspections.seed_commitment(revealed).hex() == answer["seedCommitment"][2:]
    assert inspections.seed_of(rid, revealed, block_hash) == seed
    positions = inspections.sample(seed, len(population), answer["sampleSize"])
    assert positions == served.deployed.credit.functions.sampleOf(rid).call(), "the contract's own draw"
    assert [s["certificateId"] for s in answer["selection"]] == ["0x" + population[p].hex() for p in positions]
    for selection in answer["selection"]:
        cid = bytes.fromhex(selection["certificateId"][2:])
        inspectors = sorted(answer["roster"], key=lambda r: keccak(seed + rid + cid + r.encode()))[:2]
        assert selection["inspectors"] == inspectors

    (chosen, *_) = inspections.draw(seed, rid, population, answer["sampleSize"], answer["roster"], 2)
    ministry.record_result(round_id, chosen, InspectionOutcome.RECTIFY, keccak(b"report"))
    served.indexer.sync()
    answer = served.client.get(f"/api/v1/inspections/{summary['id']}").json
    assert answer["selection"][0]["result"]["outcome"] == "RECTIFY"
    with pytest.raises(errors.ResultAlreadyRecorded):
        ministry.record_result(round_id, chosen, InspectionOutcome.PASSED, keccak(b"report"))


def test_results_only_for_drawn_firms_and_only_by_the_rounds_authority(served: Served) -> None:
    """Issue 14, finding 5, against the deployed contracts: a firm of the filter the draw did not select gets no
    result, and a province records none in the ministry's nationwide round."""
    ministry = credit(served, "ministry")
    secret = keccak(text="a secret for 测试2号")
    round_id, draw_block = announce(served, ministry, "抽查〔2026〕测试2号", secret)
    mine_past(served, draw_block)
    seed = ministry.reveal(round_id, secret)
    served.indexer.sync()
    with served.engine.connect() as connection:
        population = sorted(
            bytes.fromhex(cid[2:])
            for cid, _ in inspections.members(connection, 0, 0, 10**12, chain_now(served.deployed.w3))
        )
    drawn = inspections.draw(seed, round_id, population, 2, ["I-01"], 1)
    chosen = {s.position for s in drawn}
    position = next(p for p in range(len(population)) if p not in chosen)
    undrawn = inspections.Selection(population[position], position, inspections.merkle_proof(population, position), ())
    with pytest.raises(errors.NotDrawn):
        ministry.record_result(round_id, undrawn, InspectionOutcome.FAILED, keccak(b"r"))
    with pytest.raises(errors.Unauthorized):
        credit(served, "zhejiang").record_result(round_id, drawn[0], InspectionOutcome.FAILED, keccak(b"r"))
    with pytest.raises(errors.AlreadyDrawn):
        ministry.reveal(round_id, secret)


def test_unknown_lists_and_rounds_are_problems(served: Served) -> None:
    is_problem(served.client.get("/api/v1/lists/grey"), 404, "list-not-found")
    is_problem(served.client.get("/api/v1/inspections/0x" + "00" * 32), 404, "round-not-found")
    is_problem(served.client.get("/api/v1/firms/91330000755918469E/credit"), 404, "firm-not-found")
    is_problem(served.client.get("/api/v1/lists/yellow?limit=0"), 400, "invalid-request")


def test_the_dashboard_and_the_firm_page_show_credit(served: Served) -> None:
    (firm, _), *_ = firms_by_grade(served, "A")
    page = served.client.get("/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "监管驾驶舱" in html and 'id="by-province"' in html and "data-province=" in html
    firm_page = served.client.get(f"/f/{firm.public['creditCode']}").get_data(as_text=True)
    assert "信用等级" in firm_page and "grade grade-" in firm_page
