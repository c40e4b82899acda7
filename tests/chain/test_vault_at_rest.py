"""Issue 15, "nothing lost, nothing leaked", with the commands `make up` runs (deploy, import, index) on a data
directory of its own and a real anvil: the vault's and the read model's files hold no personal value in clear,
deleting var/ledger.db then running them again keeps every salt, and a read model of another deployment of the
local chain is rebuilt by them instead of stopping them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.certificates import vault as certificates
from ledger.chain.localchain import LocalChain, free_port
from ledger.chain.node import connect
from ledger.settings import PROJECT_ROOT
from ledger.store.engine import make_engine
from ledger.store.models import Certificate
from ledger.vault.database import Vault
from ledger.vault.models import PlannerIdentity, StoredDocument
from ledger.vault.rows import identity_of
from scripts.generate_register import Register, write
from tests.conftest import Deployed
from tests.register_helpers import english, register_for


def _make_up(data: Path, rpc_url: str, *args: str) -> str:
    """One `ledger` command as `make up` runs it: every file under ``data`` (var/), no VAULT_URL nor key setting."""
    env = {k: v for k, v in os.environ.items() if k not in {"VAULT_URL", "LEDGER_VAULT_KEY_FILE", "DATABASE_URL"}}
    env.update(LEDGER_DATA_DIR=str(data), LEDGER_RPC_URL=rpc_url)
    done = subprocess.run(
        [sys.executable, "-m", "ledger", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _up(data: Path, rpc_url: str, firms_csv: Path, planners_csv: Path) -> str:
    _make_up(data, rpc_url, "deploy")
    imported = _make_up(data, rpc_url, "import", str(firms_csv), str(planners_csv), "--no-progress")
    _make_up(data, rpc_url, "index", "--once")
    return imported


def _salts(data: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Every salt the vault under ``data`` holds, by certificate number and field or by planner subject."""
    monkeypatch.setenv("LEDGER_VAULT_KEY_FILE", str(data / "vault.key"))
    vault = Vault.at(f"sqlite:///{data / 'vault.db'}")
    with vault.transaction() as sealed:
        numbers = list(sealed.session.scalars(select(StoredDocument.certificate_number)))
        salts = {
            f"{number}/{field}": salt
            for number, fields in certificates.document_salts(sealed, numbers).items()
            for field, salt in fields.items()
        }
        for subject, row in sealed.session.execute(select(PlannerIdentity.subject, PlannerIdentity.sealed)):
            salts[subject] = identity_of(sealed, subject, row)[1]
    vault.engine.dispose()
    return salts


def _personal(register: Register) -> set[str]:
    firms = {english(row)[name] for row in register.firms for name in ("legalRepresentative", "technicalLead")}
    return firms | {row["公民身份号码"] for row in register.planners}


def _in_clear(path: Path, values: set[str]) -> list[str]:
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())
    return sorted(v for v in values if v.encode() in raw)


def test_no_personal_value_is_in_clear_on_disk_after_an_import(deployed: Deployed, tmp_path: Path) -> None:
    register = register_for(deployed.w3, firms=4)
    firms_csv, planners_csv = write(register, tmp_path / "register")
    data = tmp_path / "var"
    _up(data, deployed.ledger.rpc_url, firms_csv, planners_csv)

    assert _in_clear(data / "vault.db", _personal(register)) == []
    assert _in_clear(data / "ledger.db", _personal(register)) == []
    assert stat.S_IMODE((data / "vault.key").stat().st_mode) == 0o600


def test_deleting_the_read_model_and_running_make_up_again_keeps_every_salt(
    deployed: Deployed, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    register = register_for(deployed.w3, firms=4)
    firms_csv, planners_csv = write(register, tmp_path / "register")
    total = len(register.firms) + len(register.planners)
    data, rpc_url = tmp_path / "var", deployed.ledger.rpc_url
    assert f"issued {total}," in _up(data, rpc_url, firms_csv, planners_csv)
    salts = _salts(data, monkeypatch)
    assert len(salts) == len(register.firms) * 2 + len(register.planners) * 2

    for path in data.glob("ledger.db*"):
        path.unlink()
    again = _up(data, rpc_url, firms_csv, planners_csv)

    assert f"issued 0, already on chain {total}," in again
    assert _salts(data, monkeypatch) == salts
    with Session(make_engine(f"sqlite:///{data / 'ledger.db'}")) as session:
        on_chain = dict(session.execute(select(Certificate.number, Certificate.document_hash)).all())
    vault = Vault.at(f"sqlite:///{data / 'vault.db'}")
    with vault.transaction() as sealed:
        kept = certificates.documents(sealed, list(on_chain))
    assert {n: "0x" + d.hash().hex() for n, d in kept.items()} == on_chain and len(on_chain) == total


@pytest.mark.parametrize("replaced", ["chain reset", "contracts changed"])
def test_make_up_over_a_read_model_of_another_deployment_rebuilds_it(tmp_path: Path, replaced: str) -> None:
    """A chain started afresh (anvil deploys at the same addresses again) or a new deployment on the same chain
    (the record gone, as when the contracts change): the next `make up` rebuilds the read model for the deployment
    it serves, and the vault's salts carry the same documents onto the new chain."""
    data = tmp_path / "var"
    chain = LocalChain(free_port(), tmp_path / "state.json").start()
    try:
        register = register_for(connect(chain.url), firms=3)
        firms_csv, planners_csv = write(register, tmp_path / "register")
        total = len(register.firms) + len(register.planners)
        _up(data, chain.url, firms_csv, planners_csv)
        if replaced == "chain reset":
            chain.stop()
            chain = LocalChain(free_port(), tmp_path / "fresh-state.json").start()
        else:
            (data / "deployment.json").unlink()
        assert f"issued {total}," in _up(data, chain.url, firms_csv, planners_csv)
        status = _make_up(data, chain.url, "status")
    finally:
        chain.stop()
    index = json.loads(status)["index"]
    assert (index["certificates"], index["events"]) == (total, total), "rebuilt: no certificate of the old one left"
