"""Long commands that lose their chain node: on a chain of the test's own, stopped under them (anvil writes its
state and exits), each says so in one line, with no traceback, exits non-zero, and, run again once the node is
back, resumes: the import ends with every certificate issued exactly once."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ledger.chain.artifacts import load_artifact
from ledger.chain.deployment import ensure_demo_deployment
from ledger.chain.localchain import LocalChain, free_port
from ledger.settings import PROJECT_ROOT
from ledger.wiring import Ledger
from scripts.generate_register import write
from tests.chain.test_import import ledger_command
from tests.conftest import Deployed
from tests.register_helpers import register_for


@pytest.fixture
def own_chain(tmp_path: Path) -> Iterator[tuple[LocalChain, Deployed]]:
    chain = LocalChain(free_port(), tmp_path / "anvil.json").start()
    ledger = Ledger(chain.url, tmp_path / "deployment.json", f"sqlite:///{tmp_path / 'ledger.db'}")
    ensure_demo_deployment(ledger.w3, ledger.record_path, load_artifact())
    try:
        yield chain, Deployed(ledger)
    finally:
        chain.stop()


def one_line(result: subprocess.CompletedProcess[str] | tuple[int, str]) -> str:
    """The command's complaint: a single line on stderr, no traceback, a non-zero exit."""
    code, stderr = (result.returncode, result.stderr) if isinstance(result, subprocess.CompletedProcess) else result
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert code != 0 and "Traceback" not in stderr and len(lines) == 1, stderr
    return lines[0]


def test_an_import_that_loses_its_node_says_so_and_resumes(
    own_chain: tuple[LocalChain, Deployed], engine: Engine, tmp_path: Path
) -> None:
    chain, deployed = own_chain
    register = register_for(deployed.w3, firms=40)
    firms_csv, planners_csv = write(register, tmp_path)
    total = len(register.firms) + len(register.planners)
    database = engine.url.render_as_string(hide_password=False)
    command = ledger_command(deployed, database, "import", str(firms_csv), str(planners_csv), "--no-progress",
                             "--batch-size", "10", "--in-flight", "2")  # fmt: skip
    start = deployed.w3.eth.block_number
    running = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while deployed.w3.eth.block_number < start + 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    chain.stop()  # the node goes away mid-import (its state kept, as a restarted node's would be)
    _, stderr = running.communicate(timeout=120)
    line = one_line((running.returncode, stderr))
    assert "lost the chain node" in line and "again to resume" in line

    chain.start()  # the same node back, from the state it wrote (the fixture stops it)
    deployed.ledger.forget_chain()
    subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=180, check=True)
    logs = deployed.registry.events.CertificateIssued().get_logs(from_block=deployed.record.block_number)
    ids = [log.args.id for log in logs]
    assert len(ids) == len(set(ids)) == total


@pytest.mark.parametrize("command", [("index", "--once"), ("reindex",), ("audit",)])
def test_index_reindex_and_audit_without_their_node_say_so_in_one_line(
    own_chain: tuple[LocalChain, Deployed], engine: Engine, command: tuple[str, ...]
) -> None:
    chain, deployed = own_chain
    database = engine.url.render_as_string(hide_password=False)
    subprocess.run(ledger_command(deployed, database, "index", "--once"), cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=60)  # fmt: skip
    chain.stop()
    result = subprocess.run(ledger_command(deployed, database, *command), cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    line = one_line(result)
    assert "chain node" in line and "again" in line, line
