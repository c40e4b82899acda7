"""The indexer against a real anvil: reorgs, rebuild equals incremental, crash safety, one deployment per database."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ledger.certificates.client import RegistryClient, certificate_id
from ledger.certificates.vocabulary import Grade
from ledger.errors import IndexMismatch
from ledger.index.indexer import Indexer
from ledger.store.engine import make_engine, migrate
from ledger.store.models import Certificate, CertificateEvent
from ledger.wiring import Ledger
from scripts.samples import firm_request, successor_request
from tests.chain_helpers import advance_time, chain_now
from tests.conftest import Deployed, fresh_database
from tests.index_helpers import assert_read_model_matches_chain, projection_snapshot
from tests.register_helpers import firm_issue, planner_issue, register_for


def ministry(deployed: Deployed) -> RegistryClient:
    return RegistryClient(deployed.w3, deployed.registry, deployed.sender("ministry"))


def registrar(deployed: Deployed) -> RegistryClient:
    return RegistryClient(deployed.w3, deployed.registry, deployed.sender("registrar"))


def numbers(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(Certificate.number)))


def test_a_reorg_is_rolled_back_and_the_new_branch_indexed(deployed: Deployed, indexer: Indexer) -> None:
    w3 = deployed.w3
    register = register_for(w3, firms=6)
    requests = [firm_issue(f)[1] for f in register.firms]
    ministry(deployed).issue(requests[0])
    indexer.sync()
    fork_point = w3.provider.make_request("evm_snapshot", [])["result"]
    orphaned = ministry(deployed)
    orphaned.issue(requests[1])
    orphaned.suspend(requests[0]["number"], 4)
    indexer.sync()
    assert numbers(indexer.engine) == {requests[0]["number"], requests[1]["number"]}

    w3.provider.make_request("evm_revert", [fork_point])  # the two blocks above are replaced by another branch
    new_branch = ministry(deployed)  # a fresh sender: the orphaned nonces are free again
    for request in requests[2:5]:
        new_branch.issue(request)
    report = indexer.sync()

    assert report.rolled_back_to is not None and report.rolled_back_to < w3.eth.block_number
    assert numbers(indexer.engine) == {r["number"] for r in [requests[0], *requests[2:5]]}
    assert assert_read_model_matches_chain(indexer.engine, new_branch) == 4  # the suspension is gone too
    with Session(indexer.engine) as session:
        assert session.scalar(select(func.count()).select_from(CertificateEvent)) == 4


def test_rebuild_equals_incremental(deployed: Deployed, indexer: Indexer, tmp_path) -> None:
    register = register_for(deployed.w3, firms=3)
    ministry_client, registrar_client = ministry(deployed), registrar(deployed)
    firms = [firm_issue(f)[1] for f in register.firms]
    for request in firms:
        ministry_client.issue(request)
        indexer.sync()  # incremental: one act at a time
    planners = [planner_issue(p)[1] for p in register.planners[:8]]
    registrar_client.issue_batch(planners)
    indexer.sync()
    ministry_client.suspend(firms[0]["number"], 3)
    registrar_client.revoke(planners[0]["number"], 3)
    registrar_client.transfer(planners[1]["number"], firms[2]["subject"], b"\7" * 32, b"")
    indexer.sync()

    with fresh_database(tmp_path, "rebuilt") as url:
        rebuilt = make_engine(url)
        migrate(rebuilt)
        rebuild = deployed.indexer(rebuilt)
        rebuild.max_range = 3  # many small ranges, for good measure
        rebuild.sync()
        assert projection_snapshot(rebuilt) == projection_snapshot(indexer.engine)

        indexer.reset()  # `ledger reindex` in place
        indexer.sync()
        assert projection_snapshot(rebuilt) == projection_snapshot(indexer.engine)


def test_a_firm_moved_to_another_province_is_indexed_there(deployed: Deployed, indexer: Indexer) -> None:
    register = register_for(deployed.w3, firms=1)
    request = firm_issue(register.firms[0])[1]
    client = ministry(deployed)
    client.issue(request)
    moved_to = 11 if request["province"] != 11 else 33
    client.move_firm(request["subject"], moved_to)
    indexer.sync()
    assert client.firm_province_of(request["subject"]) == moved_to
    assert client.qualification_of(request["subject"]) == certificate_id(request["number"])
    assert assert_read_model_matches_chain(indexer.engine, client) == 1  # the read model's province moved too
    with Session(indexer.engine) as session:
        assert session.scalar(select(Certificate.province)) == moved_to


def test_the_holding_period_is_the_chains_time_in_the_read_model_too(deployed: Deployed, indexer: Indexer) -> None:
    """Issue 14, finding 2: a backdated issue is held from its block, a late renewal backdated into the old
    window restarts; the read model computes both as the contract does."""
    w3 = deployed.w3
    zhejiang = RegistryClient(w3, deployed.registry, deployed.sender("zhejiang"))
    backdated = firm_request("B-BACKDATED", now=chain_now(w3) - 3 * 365 * 86400)
    backdated["validUntil"] = chain_now(w3) + 86400
    issued = zhejiang.issue(backdated)
    assert zhejiang.certificate("B-BACKDATED").held_since == w3.eth.get_block(issued.block_number)["timestamp"]
    advance_time(w3, 2 * 86400)  # a day late (the shared chain's clock moves little)
    late = successor_request("B-LATE", Grade.B, now=backdated["validUntil"] - 86400)
    late["validUntil"] = chain_now(w3) + 365 * 86400
    renewed = zhejiang.renew("B-BACKDATED", late)
    assert zhejiang.certificate("B-LATE").held_since == w3.eth.get_block(renewed.block_number)["timestamp"]
    indexer.sync()
    assert assert_read_model_matches_chain(indexer.engine, zhejiang) == 2


def test_a_crash_between_chain_write_and_index_write_loses_nothing(
    deployed: Deployed, indexer: Indexer, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = register_for(deployed.w3, firms=4)
    requests = [firm_issue(f)[1] for f in register.firms]
    ministry(deployed).issue_batch(requests)

    import ledger.certificates.indexing as module

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed after the rows, before the commit")

    monkeypatch.setattr(module, "_store_states", crash)
    with pytest.raises(KeyboardInterrupt):
        indexer.sync()
    assert numbers(indexer.engine) == set()  # the transaction rolled back: no half-written batch
    monkeypatch.undo()

    indexer.sync()
    assert numbers(indexer.engine) == {r["number"] for r in requests}
    assert assert_read_model_matches_chain(indexer.engine, ministry(deployed)) == 4


def test_a_database_follows_one_deployment(deployed: Deployed, indexer: Indexer, artifact, w3, tmp_path) -> None:
    indexer.sync()
    from ledger.chain.deployment import ensure_demo_deployment

    ensure_demo_deployment(w3, tmp_path / "other.json", artifact)
    stranger = Ledger(deployed.ledger.rpc_url, tmp_path / "other.json", engine=indexer.engine).indexer()
    with pytest.raises(IndexMismatch, match="reindex"):
        stranger.sync()


def test_the_indexer_gives_the_query_planner_statistics(
    deployed: Deployed, indexer: Indexer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After enough indexed events the planner has the read model's statistics. On SQLite a firm's planners are
    then counted through the ``employer`` index, not by walking every planner of the register through ``kind``
    (what SQLite does without statistics); on PostgreSQL the tables are analysed before autovacuum would come by
    (its threshold is 50 changed rows)."""
    monkeypatch.setattr("ledger.index.indexer.ANALYZE_EVERY", 5)
    register = register_for(deployed.w3, firms=2)
    ministry(deployed).issue_batch([firm_issue(f)[1] for f in register.firms])
    registrar(deployed).issue_batch([planner_issue(p)[1] for p in register.planners[:8]])
    sqlite = indexer.engine.dialect.name == "sqlite"
    if sqlite:
        statistics = (
            "EXPLAIN QUERY PLAN SELECT employer, count(*) FROM certificates WHERE kind = 2 AND employer IN ('x')"
        )
    else:
        statistics = "SELECT reltuples FROM pg_class WHERE relname = 'certificates'"  # -1: never analysed
    with indexer.engine.connect() as connection:
        before = " ".join(str(row) for row in connection.exec_driver_sql(statistics))
    indexer.sync()
    with indexer.engine.connect() as connection:
        after = " ".join(str(row) for row in connection.exec_driver_sql(statistics))
    if sqlite:
        assert "ix_certificates_employer" not in before
        assert "ix_certificates_employer" in after
    else:
        assert before == "(-1.0,)"
        assert after == "(10.0,)"
