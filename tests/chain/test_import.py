"""Bulk import against a real anvil: bad rows reported and never issued, and an import killed mid-way that,
run again, ends with every certificate issued exactly once."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from ledger.certificates.vocabulary import Grade, Kind
from ledger.settings import PROJECT_ROOT
from ledger.store.models import Certificate, CertificateEvent
from ledger.vault.database import Vault
from ledger.vault.models import StoredDocument
from ledger.wiring import Ledger
from scripts.generate_register import write
from tests.conftest import Deployed
from tests.register_helpers import register_for
from wallet.devkeys import dev_account, dev_province_account


def ledger_command(deployed: Deployed, database: str, *args: str) -> list[str]:
    rpc = deployed.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    return [
        sys.executable,
        "-m",
        "ledger",
        "--rpc-url",
        rpc,
        "--record",
        str(deployed.record_path),
        "--database-url",
        database,
        *args,
    ]


def test_bad_rows_are_reported_with_lines_and_never_issued(deployed: Deployed, engine: Engine, tmp_path: Path) -> None:
    register = register_for(deployed.w3, firms=3)
    firms_csv, planners_csv = write(register, tmp_path)
    rows = list(csv.reader(firms_csv.open(encoding="utf-8")))
    bad_firms = {rows[1][2], rows[2][2]}
    rows[1][2] = rows[1][2][:-1] + ("0" if rows[1][2][-1] != "0" else "1")  # line 2: a mistyped credit code
    rows[2][10] = "2024/01/01"  # line 3: a date that is not ISO
    rows.append(rows[3][:])  # line 5: line 4 again (same number, same firm)
    with firms_csv.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    database = engine.url.render_as_string(hide_password=False)  # the test's read model: SQLite or PostgreSQL
    report = tmp_path / "report.csv"

    done = subprocess.run(
        ledger_command(deployed, database, "import", str(firms_csv), str(planners_csv), "--report", str(report),
                       "--no-progress"),
        capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120, check=True,
    )  # fmt: skip

    problems = {(r[0], r[1], r[2]): r[4] for r in list(csv.reader(report.open(encoding="utf-8")))[1:]}
    assert problems[("firms.csv", "2", "统一社会信用代码")].startswith("统一社会信用代码: 第18位校验码应为")
    assert "YYYY-MM-DD" in problems[("firms.csv", "3", "有效期起")]
    assert "重复" in problems[("firms.csv", "5", "编号")]
    orphans = [p for p in register.planners if p["执业单位统一社会信用代码"] in bad_firms]
    assert sum(1 for (f, _, _) in problems if f == "planners.csv") == len(orphans)  # their employer is not valid
    good = len(register.firms) - 2 + len(register.planners) - len(orphans)
    assert f"issued {good}," in done.stdout
    with Session(engine) as session:
        issued = set(session.scalars(select(Certificate.number)))
    assert rows[1][0] not in issued and rows[2][0] not in issued and len(issued) == good


def test_an_import_killed_mid_way_resumes_to_exactly_once(
    deployed: Deployed, engine: Engine, vault: Vault, tmp_path: Path
) -> None:
    register = register_for(deployed.w3, firms=12)
    firms_csv, planners_csv = write(register, tmp_path)
    total = len(register.firms) + len(register.planners)
    database = engine.url.render_as_string(hide_password=False)  # the test's read model: SQLite or PostgreSQL
    command = ledger_command(deployed, database, "import", str(firms_csv), str(planners_csv), "--no-progress",
                             "--batch-size", "5", "--in-flight", "3")  # fmt: skip
    start = deployed.w3.eth.block_number
    killed = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while deployed.w3.eth.block_number < start + 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(killed.pid, signal.SIGKILL)  # no clean-up, no chance to finish the batch in hand
    killed.wait()
    issued_before = deployed.w3.eth.block_number - start
    assert 0 < issued_before * 5 < total, "the kill should land mid-way"

    resumed = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120, check=True)
    assert "already on chain 0" not in resumed.stdout

    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Certificate)) == total
        assert session.scalar(select(func.count()).select_from(CertificateEvent)) == total  # one issue each, no more
        assert session.scalar(select(func.count()).select_from(Certificate).where(Certificate.imported)) == total
    with Session(vault.engine) as session:
        assert session.scalar(select(func.count()).select_from(StoredDocument)) == total
    logs = deployed.registry.events.CertificateIssued().get_logs(from_block=deployed.record.block_number)
    ids = [log.args.id for log in logs]
    assert len(ids) == len(set(ids)) == total


def test_the_demo_import_issues_each_grade_b_certificate_by_its_own_provinces_key(
    deployed: Deployed, engine: Engine, tmp_path: Path
) -> None:
    """`ledger deploy` appoints a development regulator per province; `ledger import` then has the grade B
    certificates issued by their own province (not the ministry), grade A by the ministry, planners by the registrar."""
    database = engine.url.render_as_string(hide_password=False)
    fresh = Deployed(Ledger(deployed.ledger.rpc_url, tmp_path / "demo.json", database))
    subprocess.run(ledger_command(fresh, database, "deploy"), cwd=PROJECT_ROOT, timeout=120, check=True,
                   capture_output=True)  # fmt: skip
    firms_csv, planners_csv = write(register_for(deployed.w3, firms=8), tmp_path)
    subprocess.run(ledger_command(fresh, database, "import", str(firms_csv), str(planners_csv), "--no-progress"),
                   cwd=PROJECT_ROOT, timeout=180, check=True, capture_output=True)  # fmt: skip
    chain_id = deployed.w3.eth.chain_id
    with Session(engine) as session:
        certificates = session.scalars(select(Certificate)).all()
    by_grade = {(c.kind, c.grade) for c in certificates}
    assert (int(Kind.FIRM), int(Grade.B)) in by_grade and (int(Kind.PLANNER), int(Grade.NONE)) in by_grade
    for c in certificates:
        if c.kind == Kind.PLANNER:
            expected = dev_account("registrar", chain_id).address
        elif c.grade == Grade.B:
            expected = dev_province_account(c.province, chain_id).address
        else:
            expected = dev_account("ministry", chain_id).address
        assert (c.number, c.issuer) == (c.number, expected)
        assert c.imported
