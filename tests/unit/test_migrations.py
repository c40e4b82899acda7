"""The Alembic migrations build exactly the schema the models describe, and running them twice is harmless."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ledger.store.engine import make_engine, migrate
from ledger.store.models import Base
from tests.conftest import fresh_database


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    migrate(engine)
    migrate(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_processes_that_start_together_migrate_one_at_a_time(tmp_path: Path) -> None:
    """``make up``'s gunicorn workers and ``ledger index`` start together on a fresh database: every one of them
    must come up, the schema built once."""
    starting = """
import sys, time
from ledger.store.engine import make_engine, migrate
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
migrate(make_engine(sys.argv[1]))
"""
    with fresh_database(tmp_path, "together") as url:
        at = time.time() + 3  # past every interpreter's imports, so the migrations overlap
        processes = [
            subprocess.Popen([sys.executable, "-c", starting, url, str(at)], stderr=subprocess.PIPE, text=True)
            for _ in range(4)
        ]
        failures = [process.stderr.read() for process in processes if process.wait(timeout=120) != 0]  # type: ignore[union-attr]
        assert failures == []
        engine = make_engine(url)
        with engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
        engine.dispose()
