"""Identity end to end against a real anvil node: a regulator's keystore signs an act offline, another account
relays it, and the chain records the regulator; a holder's key answers a verifier's challenge, checked against
the read model. The chain's own refusals (role, jurisdiction, nonce) arrive as the wallet's named errors."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from eth_account import Account
from eth_utils import keccak
from sqlalchemy import Engine

from ledger import errors as reverts
from ledger.certificates.documents import firm_subject
from ledger.certificates.identifiers import credit_code_check_character
from ledger.certificates.queries import holder_lookup
from ledger.certificates.vocabulary import Grade, Status
from ledger.cli import main as ledger_cli
from ledger.index.indexer import Indexer
from ledger.relay import ActRelay
from ledger.store.nonces import DatabaseNonces
from scripts.samples import firm_request
from tests.chain_helpers import chain_now, deploy_test_contract
from tests.cli_helpers import run
from tests.conftest import Deployed
from wallet import errors
from wallet.cli import main as wallet_cli
from wallet.devkeys import dev_account
from wallet.keystore import DEV_PASSWORD
from wallet.presentation import Presentation, PresentationVerifier
from wallet.typed_acts import Domain, SignedAct, sign_act, to_typed_json


@pytest.fixture
def keys(tmp_path: Path) -> list[str]:
    """Wallet options: a keystore directory of its own and a password file."""
    (tmp_path / "password").write_text(DEV_PASSWORD + "\n")
    return ["--dir", str(tmp_path / "keys"), "--password-file", str(tmp_path / "password")]


def test_regulator_signs_offline_relayer_relays_holder_presents(
    deployed: Deployed, indexer: Indexer, engine: Engine, keys: list[str], ledger: list[str], tmp_path: Path
) -> None:
    w3, registry = deployed.w3, deployed.registry
    chain_id = str(w3.eth.chain_id)
    run(wallet_cli, *keys, "dev-keys", "--chain-id", chain_id)
    holder = json.loads(run(wallet_cli, *keys, "new", "holder").output)["address"]

    # 1. offline: the ministry signs a grade A certificate for a firm whose key is `holder`
    request = {**firm_request("自然资规甲字110001", Grade.A, province=11, now=chain_now(w3)), "holder": holder}
    (tmp_path / "issue.json").write_text(json.dumps({"request": to_typed_json(request)}))
    domain = ["--chain-id", chain_id, "--registry", registry.address]
    nonce = str(registry.functions.nonces(deployed.record.roles["ministry"]).call())
    signed_file = tmp_path / "signed.json"
    run(wallet_cli, *keys, "sign-act", "dev-ministry", "--act", "Issue", "--message", str(tmp_path / "issue.json"),
        *domain, "--nonce", nonce, "--deadline", str(chain_now(w3) + 600), "--out", str(signed_file))  # fmt: skip
    rpc = ["--rpc-url", w3.provider.endpoint_uri]  # the chain's clock, which the tests move ahead of the wall's
    verified = json.loads(run(wallet_cli, "verify-act", str(signed_file), *domain, *rpc).output)
    assert verified["signer"] == deployed.record.roles["ministry"]

    # 2. the relayer (no role) sends it; the chain records the ministry as issuer
    relayed = run(ledger_cli, *ledger, "relay", "--as", "relayer", str(signed_file)).output
    assert f"relayed by {deployed.record.roles['relayer']}" in relayed
    certificate_id = keccak(text=request["number"])
    on_chain = registry.functions.certificate(certificate_id).call()
    assert on_chain[7] == deployed.record.roles["ministry"], "the issuer is the regulator who signed"
    again = CliRunner().invoke(ledger_cli, [*ledger, "relay", "--as", "relayer", str(signed_file)])
    assert again.exit_code == 1 and "replayed" in again.output

    # 3. a tender platform challenges the holder; the holder's keystore answers; the read model vouches
    indexer.sync()
    verifier = PresentationVerifier(
        domain=Domain(w3.eth.chain_id, registry.address),
        audience="tender.example.cn",
        lookup=holder_lookup(engine),
        nonces=DatabaseNonces(engine),
    )
    challenge_file, answer_file = tmp_path / "challenge.json", tmp_path / "answer.json"
    challenge_file.write_text(json.dumps(verifier.challenge(certificate_id, chain_now(w3)).to_json()))
    run(wallet_cli, *keys, "present", "holder", str(challenge_file), "--out", str(answer_file))
    answer = Presentation.from_json(json.loads(answer_file.read_text()))
    assert verifier.verify(answer, chain_now(w3)).holder == holder
    with pytest.raises(errors.Replayed):
        verifier.verify(answer, chain_now(w3))

    # 4. once suspended on chain (and indexed), the same holder's fresh answer is refused
    deployed.sender("ministry").transact(registry.functions.suspend(certificate_id, 3))
    indexer.sync()
    challenge_file.write_text(json.dumps(verifier.challenge(certificate_id, chain_now(w3)).to_json()))
    run(wallet_cli, *keys, "present", "holder", str(challenge_file), "--out", str(answer_file))
    with pytest.raises(errors.CertificateNotValid, match="SUSPENDED"):
        verifier.verify(Presentation.from_json(json.loads(answer_file.read_text())), chain_now(w3))


@pytest.fixture
def relay(deployed: Deployed) -> ActRelay:
    return deployed.ledger.relay(dev_account("relayer", deployed.w3.eth.chain_id))


def signed_issue(
    deployed: Deployed, role: str, number: str, grade: Grade, province: int, nonce: int | None = None
) -> SignedAct:
    w3 = deployed.w3
    account = dev_account(role, w3.eth.chain_id)
    if nonce is None:
        nonce = deployed.registry.functions.nonces(account.address).call()
    message = {"request": firm_request(number, grade, province=province, now=chain_now(w3)), "nonce": nonce,
               "deadline": chain_now(w3) + 600}  # fmt: skip
    return sign_act(account, Domain(w3.eth.chain_id, deployed.registry.address), "Issue", message)


def test_a_key_without_the_role_is_refused_before_sending(deployed: Deployed, relay: ActRelay) -> None:
    sent_before = deployed.w3.eth.get_transaction_count(deployed.record.roles["relayer"])
    with pytest.raises(errors.MissingRole, match="Unauthorized"):
        relay.check(signed_issue(deployed, "registrar", "A-1", Grade.A, 33))  # the registrar registers planners
    with pytest.raises(errors.MissingRole, match="WrongJurisdiction"):
        relay.check(signed_issue(deployed, "zhejiang", "B-1", Grade.B, 11))  # Zhejiang for a Beijing firm
    assert deployed.w3.eth.get_transaction_count(deployed.record.roles["relayer"]) == sent_before, "nothing sent"


def test_a_replayed_or_out_of_order_act_is_refused(deployed: Deployed, relay: ActRelay) -> None:
    signed = signed_issue(deployed, "zhejiang", "B-1", Grade.B, 33)
    deployed.sender("relayer").wait(relay.relay(signed))
    with pytest.raises(errors.Replayed):
        relay.check(signed)
    with pytest.raises(errors.WrongNonce, match="next nonce is 1"):
        relay.check(signed_issue(deployed, "zhejiang", "B-2", Grade.B, 33, nonce=5))


def test_an_act_for_another_chain_or_contract_or_changed_is_refused(deployed: Deployed, relay: ActRelay) -> None:
    signed = signed_issue(deployed, "zhejiang", "B-1", Grade.B, 33)
    with pytest.raises(errors.WrongChain):
        relay.check(dataclasses.replace(signed, domain=Domain(1, signed.domain.registry)))
    with pytest.raises(errors.WrongContract):
        relay.check(dataclasses.replace(signed, domain=Domain(signed.domain.chain_id, "0x" + "12" * 20)))
    changed = {**signed.message, "request": {**signed.message["request"], "grade": int(Grade.A)}}
    with pytest.raises(errors.SignerMismatch):
        relay.check(dataclasses.replace(signed, message=changed))


def test_a_business_refusal_stays_the_contracts_own(deployed: Deployed, relay: ActRelay) -> None:
    deployed.sender("relayer").wait(relay.relay(signed_issue(deployed, "zhejiang", "B-1", Grade.B, 33)))
    with pytest.raises(reverts.AlreadyIssued):
        relay.check(signed_issue(deployed, "zhejiang", "B-1", Grade.B, 33))


def test_a_contract_wallet_regulator_signs_through_eip1271(deployed: Deployed, relay: ActRelay) -> None:
    """A multisig-style wallet is a provincial department; its owner's signature counts as the wallet's."""
    owner = Account.create()
    wallet = deploy_test_contract(deployed.w3, deployed.sender("admin"), "ContractWallet", owner.address)
    deployed.sender("ministry").transact(deployed.registry.functions.appointProvincialRegulator(wallet.address, 33))
    w3 = deployed.w3
    request = firm_request("B-1271", now=chain_now(w3), credit_code="91330106MA2B1271XX")
    deployed.sender("zhejiang").transact(deployed.registry.functions.issue(request))
    message = {"id": keccak(text="B-1271"), "reason": 4, "nonce": 0, "deadline": chain_now(w3) + 600}
    by_owner = sign_act(owner, Domain(w3.eth.chain_id, deployed.registry.address), "Suspend", message)
    by_wallet = dataclasses.replace(by_owner, signer=wallet.address)
    assert relay.check(by_wallet) == wallet.address

    deployed.sender("relayer").wait(relay.relay(by_wallet))
    assert deployed.registry.functions.statusOf(keccak(text="B-1271")).call() == Status.SUSPENDED
    stranger = sign_act(Account.create(), by_owner.domain, "Suspend", {**message, "nonce": 1})
    with pytest.raises(errors.SignerMismatch, match="contract wallet"):
        relay.check(dataclasses.replace(stranger, signer=wallet.address))


def test_cli_refusals_are_one_named_line(keys: list[str], tmp_path: Path) -> None:
    run(wallet_cli, *keys, "dev-keys")
    (tmp_path / "wrong").write_text("not the password\n")
    wrong = CliRunner().invoke(wallet_cli, [*keys[:2], "--password-file", str(tmp_path / "wrong"), "export-public",
                                            "dev-ministry"])  # fmt: skip
    assert wrong.exit_code == 1 and wrong.output.startswith("Error: wrong-password:")
    assert "not the password" not in wrong.output and "Traceback" not in wrong.output
    unknown = CliRunner().invoke(wallet_cli, [*keys, "show", "nobody"])
    assert unknown.exit_code == 1 and unknown.output.startswith("Error: unknown-key:")


def test_a_regulator_acts_with_a_keystore_key(
    deployed: Deployed, keys: list[str], ledger: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ledger suspend --key`: the keystore's key signs the transaction itself (the direct way, no relayer)."""
    run(wallet_cli, *keys, "dev-keys")
    deployed.sender("zhejiang").transact(
        deployed.registry.functions.issue(firm_request("B-KEY", now=chain_now(deployed.w3)))
    )
    monkeypatch.setenv("WALLET_DIR", keys[1])
    signer = ["--key", "dev-zhejiang", "--password-file", keys[3]]
    run(ledger_cli, *ledger, "suspend", "B-KEY", *signer, "--reason", "4")
    assert Status(deployed.registry.functions.statusOf(keccak(text="B-KEY")).call()) is Status.SUSPENDED


def test_the_ministry_moves_a_firm_and_a_signer_kills_its_signed_act_from_the_command_line(
    deployed: Deployed, ledger: list[str], relay: ActRelay
) -> None:
    """`ledger move-firm` rebinds a firm's jurisdiction; `ledger invalidate-nonce` spends what a key signed."""
    body = "91330106MA2B0MXE1"
    code, w3 = body + credit_code_check_character(body), deployed.w3
    deployed.sender("zhejiang").transact(
        deployed.registry.functions.issue(firm_request("B-MOVE", now=chain_now(w3), credit_code=code))
    )
    run(ledger_cli, *ledger, "move-firm", code, "11", "--as", "ministry")
    assert deployed.registry.functions.firmProvinceOf(firm_subject(code)).call() == 11

    beijing = dev_account("beijing", w3.eth.chain_id)
    nonce = deployed.registry.functions.nonces(beijing.address).call()
    message = {"id": keccak(text="B-MOVE"), "reason": 4, "nonce": nonce, "deadline": chain_now(w3) + 600}
    signed = sign_act(beijing, Domain(w3.eth.chain_id, deployed.registry.address), "Suspend", message)
    assert relay.check(signed) == beijing.address
    out = run(ledger_cli, *ledger, "invalidate-nonce", "--as", "beijing").output
    assert f"nonce {nonce} of {beijing.address}" in out
    with pytest.raises(errors.Replayed, match="invalidated"):
        relay.check(signed)
