"""Storage proofs (issue 15): a verifier who trusts only a block hash gets the contract's own verdict from
``storage_proof``'s answer, and refuses one whose header, trie nodes, stated values, certificate or claimed verdict
is not what the chain holds."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rlp
from click.testing import CliRunner

from ledger.certificates.client import certificate_id
from ledger.certificates.storage_proofs import storage_proof
from tests.chain_helpers import advance_time, chain_now
from tests.conftest import Served
from wallet import cli
from wallet.errors import BadProof, CertificateAbsent, ClaimContradicted, HeaderMismatch
from wallet.storage_proof import Verdict, verify


@dataclass
class Proven:
    """A served register with one firm revoked, and a storage proof of a firm, the revoked one and a planner."""

    served: Served
    active: str
    revoked: str
    planner: str
    block: int
    block_hash: str
    proof: dict[str, Any]

    @property
    def registry(self) -> str:
        return self.served.deployed.registry.address

    def verify(self, number: str, document: dict[str, Any] | None = None) -> Verdict:
        return verify(document or self.proof, self.block_hash, number, self.registry)

    def answer(self, number: str) -> dict[str, Any]:
        """The API's chain answer at the proof's block, with the proof embedded as the API will embed it."""
        answer = self.served.client.get(f"/api/v1/certificates/{number}", query_string={"source": "chain"}).json
        assert answer["proof"]["blockNumber"] == self.block
        return {**answer, "proof": {**answer["proof"], "storage": self.proof}}


@pytest.fixture
def proven(served: Served) -> Proven:
    deployed = served.deployed
    active, revoked = served.firms[0][1]["number"], served.firms[2][1]["number"]
    planner = served.planners[0][1]["number"]
    deployed.sender("ministry").transact(deployed.registry.functions.revoke(certificate_id(revoked), 3))
    block = deployed.w3.eth.block_number
    block_hash = "0x" + deployed.w3.eth.get_block(block)["hash"].hex()
    proof = storage_proof(deployed.w3, deployed.registry.address, [active, revoked, planner], block)
    return Proven(served, active, revoked, planner, block, block_hash, json.loads(json.dumps(proof)))


def test_a_genuine_proof_gives_the_contracts_own_verdict(proven: Proven) -> None:
    registry = proven.served.deployed.registry
    for number in (proven.active, proven.revoked, proven.planner):
        verdict = proven.verify(number)
        cid = certificate_id(number)
        view = registry.functions.certificate(cid).call(block_identifier=proven.block)
        status = registry.functions.statusOf(cid).call(block_identifier=proven.block)
        valid = registry.functions.isValid(cid).call(block_identifier=proven.block)
        record = verdict.record
        assert (verdict.status, verdict.valid) == (("NONE", "ACTIVE", "SUSPENDED", "REVOKED")[status], valid)
        assert record["documentHash"] == "0x" + view[1].hex()
        assert (record["holder"], record["validFrom"], record["validUntil"]) == (view[2], view[3], view[4])
        assert (record["status"], record["kind"], record["issuer"], record["grade"]) == tuple(view[5:9])
        assert (record["version"], record["heldSince"]) == (view[10], view[11])
        assert record["subjectOrSuccessor"] == "0x" + view[0].hex()  # none is superseded
        assert verdict.employer == (None if view[12] == b"\0" * 32 else "0x" + view[12].hex())
        assert verdict.block_number == proven.block and verdict.id == "0x" + cid.hex()
    assert proven.verify(proven.revoked).status == "REVOKED"
    assert proven.verify(proven.planner).employer is not None


def test_the_proof_is_one_get_proof_of_five_slots_per_certificate(proven: Proven) -> None:
    state = proven.proof["stateProof"]
    assert len(state["storageProof"]) == 15 == sum(len(c["recordSlots"]) + 1 for c in proven.proof["certificates"])
    assert proven.proof["header"]["hash"] == proven.block_hash
    assert proven.proof["layout"]["records"]["slot"] == 5 and proven.proof["layout"]["employers"]["slot"] == 6


def test_an_answer_and_its_proof_agree(proven: Proven) -> None:
    for number in (proven.active, proven.revoked, proven.planner):
        assert proven.verify(number, proven.answer(number)).claimable()["number"] == number


def test_a_forged_verdict_is_contradicted_by_the_slots(proven: Proven) -> None:
    answer = proven.answer(proven.revoked)
    answer |= {"status": "ACTIVE", "valid": True}
    with pytest.raises(ClaimContradicted) as refused:
        proven.verify(proven.revoked, answer)
    assert refused.value.fields == ("status", "valid")
    assert refused.value.verdict.status == "REVOKED"  # type: ignore[attr-defined]

    answer = proven.answer(proven.planner)
    answer["employer"] = {**answer["employer"], "subject": "0x" + "11" * 32}
    with pytest.raises(ClaimContradicted, match="employer"):
        proven.verify(proven.planner, answer)


def test_an_altered_storage_value_is_refused(proven: Proven) -> None:
    status_slot = int(proven.proof["certificates"][1]["recordSlots"][2], 16)
    stated = copy.deepcopy(proven.proof)
    entry = next(e for e in stated["stateProof"]["storageProof"] if int(e["key"], 16) == status_slot)
    entry["value"] = hex(int(entry["value"], 16) ^ (2 << 240))  # REVOKED (3) → ACTIVE (1)
    with pytest.raises(BadProof, match="do not prove"):
        proven.verify(proven.revoked, stated)

    # The same change made in the trie's leaf itself: the leaf no longer hashes to what its parent names.
    forged = copy.deepcopy(proven.proof)
    entry = next(e for e in forged["stateProof"]["storageProof"] if int(e["key"], 16) == status_slot)
    path, word = rlp.decode(bytes.fromhex(entry["proof"][-1][2:]))
    altered = (int.from_bytes(rlp.decode(word), "big") ^ (2 << 240)).to_bytes(32, "big").lstrip(b"\0")
    entry["proof"][-1] = "0x" + rlp.encode([path, rlp.encode(altered)]).hex()
    entry["value"] = hex(int.from_bytes(altered, "big"))
    with pytest.raises(BadProof, match="lacks the trie node"):
        proven.verify(proven.revoked, forged)


def test_a_header_that_is_not_the_trusted_block_is_refused(proven: Proven) -> None:
    moved = copy.deepcopy(proven.proof)
    moved["header"]["timestamp"] = hex(int(moved["header"]["timestamp"], 16) + 1)
    with pytest.raises(HeaderMismatch):
        proven.verify(proven.active, moved)
    earlier = "0x" + proven.served.deployed.w3.eth.get_block(proven.block - 1)["hash"].hex()
    with pytest.raises(HeaderMismatch):
        verify(proven.proof, earlier, proven.active, proven.registry)


def test_a_proof_of_another_certificate_proves_nothing_of_this_one(proven: Proven) -> None:
    deployed = proven.served.deployed
    other = storage_proof(deployed.w3, proven.registry, [proven.active], proven.block)
    with pytest.raises(BadProof, match="lacks the trie node"):
        verify(other, proven.block_hash, proven.revoked, proven.registry)
    with pytest.raises(BadProof, match=r"no account|lacks the trie node"):
        verify(proven.proof, proven.block_hash, proven.active, deployed.credit.address)


def test_a_certificate_the_registry_never_held_is_proven_absent(proven: Proven) -> None:
    deployed = proven.served.deployed
    absent = storage_proof(deployed.w3, proven.registry, ["NOSUCH-1"], proven.block)
    with pytest.raises(CertificateAbsent):
        verify(absent, proven.block_hash, "NOSUCH-1", proven.registry)


def test_a_lapsed_certificate_is_expired_at_the_blocks_time(served: Served) -> None:
    deployed = served.deployed
    request = served.firms[1][1]
    number = request["number"] + "-SHORT"
    now = chain_now(deployed.w3)
    short = {**request, "number": number, "validFrom": now - 60, "validUntil": now + 60}
    deployed.sender("ministry").transact(deployed.registry.functions.issue(short))
    advance_time(deployed.w3, 120)
    block = deployed.w3.eth.block_number
    trusted = "0x" + deployed.w3.eth.get_block(block)["hash"].hex()
    proof = storage_proof(deployed.w3, deployed.registry.address, [number], block)
    verdict = verify(proof, trusted, number, deployed.registry.address)
    assert (verdict.status, verdict.valid, verdict.record["status"]) == ("EXPIRED", False, 1)
    assert deployed.registry.functions.statusOf(certificate_id(number)).call(block_identifier=block) == 5


def test_the_wallet_command_verifies_or_says_why_not(proven: Proven, tmp_path: Path) -> None:
    path = tmp_path / "answer.json"
    path.write_text(json.dumps(proven.answer(proven.revoked)))
    options = ["verify-proof", str(path), "--number", proven.revoked, "--registry", proven.registry]
    runner = CliRunner()
    result = runner.invoke(cli.main, [*options, "--block-hash", proven.block_hash])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["status"] == "REVOKED"
    url = proven.served.deployed.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    assert runner.invoke(cli.main, [*options, "--rpc-url", url]).exit_code == 0

    path.write_text(json.dumps(proven.answer(proven.revoked) | {"status": "ACTIVE"}))
    result = runner.invoke(cli.main, [*options, "--rpc-url", url])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "claim-contradicted" in result.stderr and "status 'ACTIVE', proven 'REVOKED'" in result.stderr
