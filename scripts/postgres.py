"""``make postgres`` / ``make postgres-stop``: the project's own PostgreSQL server on 127.0.0.1 (port 5433, or
LEDGER_POSTGRES_PORT), for ``make test-postgres`` and whatever else needs one, on a machine with nothing set up.

Debian's ``postgresql`` is installed with apt-get if no server binary is found (as the Makefile installs Chromium).
The cluster lives in var/postgres/data (LEDGER_POSTGRES_DIR moves it), its log beside it in server.log; it listens
on loopback TCP only (no Unix socket) and trusts every connection from 127.0.0.1, so the URL carries no password:
a development and test server, never one that holds real data. PostgreSQL refuses to run as root, so when this
runs as root (CI, containers) the cluster belongs to the ``postgres`` OS user and every server command runs as it.

Importable: ``ensure_server()`` starts the server (or finds it running) and returns its SQLAlchemy URL;
``stop_server()`` stops it.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

import psycopg

from ledger.settings import data_dir
from scripts.verbs import run

HOST = "127.0.0.1"
OS_USER = "postgres"  # Debian's package creates this user; the server runs as it when we are root
READY_TIMEOUT = 30.0


def port() -> int:
    return int(os.environ.get("LEDGER_POSTGRES_PORT", "5433"))


def url() -> str:
    """The SQLAlchemy URL of the server's default database, as superuser ``postgres`` (trusted on loopback)."""
    return f"postgresql+psycopg://postgres@{HOST}:{port()}/postgres"


def cluster_root() -> Path:
    """The folder holding the cluster (``data/``) and its log: var/postgres unless LEDGER_POSTGRES_DIR says. When
    we are root and a folder above the project's data folder gives others no search permission (a checkout in a
    ``mktemp -d`` folder, say), the postgres OS user could not reach var/postgres: the cluster then lives in that
    user's home instead, one per project folder."""
    configured = os.environ.get("LEDGER_POSTGRES_DIR")
    if configured:
        return Path(configured)
    inside = data_dir() / "postgres"
    if _as_root() and any(not parent.stat().st_mode & 0o001 for parent in data_dir().resolve().parents):
        digest = hashlib.sha256(str(data_dir().resolve()).encode()).hexdigest()[:12]
        return Path("/var/lib/postgresql") / f"ledger-{digest}"
    return inside


def ensure_server() -> str:
    """Installs, initialises and starts the server as needed (a running one is reused) and returns its URL once
    it answers queries."""
    running = _running_port()
    if running is not None:
        if running != port():
            raise RuntimeError(f"the cluster in {cluster_root()} runs on port {running}, not {port()}: stop it first")
        _wait_until_answering()
        return url()
    if _answers():
        raise RuntimeError(
            f"something else answers on {HOST}:{port()}, not the cluster in {cluster_root()}; "
            "stop it or set LEDGER_POSTGRES_PORT"
        )
    bin_dir = _bin_dir()
    data = cluster_root() / "data"
    _reachable(cluster_root())
    if not (data / "PG_VERSION").exists():
        _initdb(bin_dir, data)
    _server_command(
        bin_dir / "pg_ctl",
        "start",
        "--wait",
        "--silent",
        "--pgdata",
        str(data),
        "--log",
        str(cluster_root() / "server.log"),
        # Options on the command line, not in postgresql.conf: a changed port takes effect on the next start.
        "--options",
        f"-c listen_addresses={HOST} -c port={port()} -c unix_socket_directories=''",
    )
    _wait_until_answering()
    return url()


def stop_server() -> bool:
    """Stops the server if it runs; False if it was not running."""
    if _running_port() is None:
        return False
    _reachable(cluster_root())
    data = cluster_root() / "data"
    _server_command(_bin_dir() / "pg_ctl", "stop", "--wait", "--silent", "--mode", "fast", "--pgdata", str(data))
    return True


def _bin_dir() -> Path:
    """The newest installed server's bin folder; Debian's ``postgresql`` is installed first if there is none."""
    found = _installed()
    if not found:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)
        found = _installed()
        if not found:
            raise RuntimeError("apt-get installed postgresql but no /usr/lib/postgresql/*/bin/postgres appeared")
    return found[-1].parent


def _installed() -> list[Path]:
    """Server binaries by major version, oldest first (``10`` after ``9``)."""
    paths = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin/postgres")]
    return sorted(paths, key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)


def _as_root() -> bool:
    return os.geteuid() == 0


def _server_command(*argv: str | Path, quiet: bool = False) -> None:
    """Runs a server command as the cluster's owner: the ``postgres`` OS user when we are root."""
    command = [str(a) for a in argv]
    if _as_root():
        command = ["runuser", "-u", OS_USER, "--", *command]
    subprocess.run(command, check=True, cwd="/", stdout=subprocess.DEVNULL if quiet else None)


def _reachable(root: Path) -> None:
    """Creates the cluster's folder for its owner and makes sure that owner can get there. The data folder is
    root's only (``keep_data_private``), so when we are root it gets search permission for others (x, no read: no
    one can list it, and everything inside stays owner-only), which ``keep_data_private`` leaves in place while
    var/postgres exists: the server opens its files by absolute path as long as it runs."""
    root.mkdir(parents=True, exist_ok=True)
    if not _as_root():
        return
    shutil.chown(root, OS_USER, OS_USER)
    root.chmod(0o700)
    for parent in root.parents:
        if parent == data_dir() or data_dir() in parent.parents:
            parent.chmod(parent.stat().st_mode | 0o001)
    probe = subprocess.run(["runuser", "-u", OS_USER, "--", "test", "-w", str(root)], check=False)
    if probe.returncode != 0:
        raise RuntimeError(
            f"the {OS_USER} OS user cannot reach {root} (a parent folder without search permission for others); "
            "set LEDGER_POSTGRES_DIR to a folder it can reach"
        )


def _initdb(bin_dir: Path, data: Path) -> None:
    """A new cluster: superuser ``postgres``, UTF-8, trust on 127.0.0.1 only (the server listens nowhere else)."""
    _server_command(
        bin_dir / "initdb",
        "--pgdata",
        str(data),
        "--username",
        "postgres",
        "--encoding",
        "UTF8",
        "--locale",
        "C.UTF-8",
        "--auth",
        "reject",
        quiet=True,
    )
    hba = data / "pg_hba.conf"
    hba.write_text(
        "# scripts/postgres.py: a development and test server, on loopback TCP only.\n"
        "# TYPE  DATABASE  USER  ADDRESS       METHOD\n"
        "host    all       all   127.0.0.1/32  trust\n"
    )
    if _as_root():
        shutil.chown(hba, OS_USER, OS_USER)


def _running_port() -> int | None:
    """The port this cluster's postmaster listens on, if it is alive: postmaster.pid names its process id (line 1)
    and port (line 4)."""
    try:
        lines = (cluster_root() / "data" / "postmaster.pid").read_text().splitlines()
        os.kill(int(lines[0]), 0)
        return int(lines[3])
    except (OSError, ValueError, IndexError):  # no pid file, a stale one, or one being written
        return None


def _answers() -> bool:
    try:
        with psycopg.connect(host=HOST, port=port(), user="postgres", dbname="postgres", connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _wait_until_answering() -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while not _answers():
        if time.monotonic() > deadline:
            raise RuntimeError(f"PostgreSQL did not answer on {HOST}:{port()}; see {cluster_root() / 'server.log'}")
        time.sleep(0.2)


def _start() -> int:
    print(ensure_server())
    return 0


def _stop() -> int:
    print("postgres stopped" if stop_server() else "postgres not running")
    return 0


def _url() -> int:
    print(url())
    return 0


if __name__ == "__main__":
    run("scripts.postgres", {"start": _start, "stop": _stop, "url": _url})
