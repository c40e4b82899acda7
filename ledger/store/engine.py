"""The read model's database: engine, sessions and migrations (SQLite under ``var/`` unless DATABASE_URL says
otherwise, e.g. ``postgresql+psycopg://...``)."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, insert, text
from sqlalchemy.orm import Session, sessionmaker

from ledger.settings import data_dir
from ledger.store.models import Base

T = TypeVar("T")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x6C6564676572  # "ledger": the advisory lock PostgreSQL migrations take


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir() / 'ledger.db'}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for the read model; for SQLite, WAL mode so the API can read while the indexer writes."""
    url = url or database_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent), one process at a time: ``make up``'s workers start
    together, and on a fresh database both found no schema and both created it (the second failed, "table blocks
    already exists"). The one that waited finds the schema at head."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """A SQLite file's migrations wait for each other on a lock file beside it (PostgreSQL's wait on an advisory
    lock in their transaction, as SQLite's transactions take no lock before their first write)."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrating", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of ``size``: IN (...) clauses under every database's parameter limit, or batches."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def insert_rows(session: Session, model: type[Base], rows: Sequence[Mapping[str, object]]) -> None:
    """Bulk INSERT of ready rows (one executemany into the table: no ORM bulk insert), skipped when there are none."""
    if rows:
        session.execute(insert(model.__table__), rows)
