"""``make production`` / ``make production-stop``: the production-shaped profile on loopback (issue 16's buffering
proxy, issue 19's read side). The chain (a local anvil under var/production/chain, or the node LEDGER_RPC_URL
names), PostgreSQL for the read model and the vault (``scripts.postgres``), Redis for the rate limits' counts, the
indexer, two API instances (gunicorn, each on its own port) and nginx in front of both on one port
(deploy/nginx.conf). Everything it writes is under var/production (logs in var/production/logs).

What two instances must share, they share: the read model, the spent sign-in nonces and the presentation nonces
(PostgreSQL), the rate limits' counts (Redis), and the secret that signs bearer tokens, sign-in nonces, cookie
sessions and CSRF tokens (var/production/api-token-secret, or API_TOKEN_SECRET).

The tests (tests/production) start the same ``Profile`` on free ports with their own deployment.
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg
import redis
import requests
from sqlalchemy import make_url

from api.server import SERVER_PROBLEMS, problem_body
from ledger.settings import PROJECT_ROOT, dossier_max_bytes
from scripts import postgres
from scripts.verbs import run

BIN = PROJECT_ROOT / ".venv" / "bin"
TEMPLATE = PROJECT_ROOT / "deploy" / "nginx.conf"
# nginx's own refusals: each answers with the problem gunicorn answers the same status with (api/server.py), 494
# (nginx's name for 431) as 431.
NGINX_PROBLEMS = {status: SERVER_PROBLEMS[status] for status in (400, 408, 413, 414, 431, 500, 502, 503, 504)}
DATABASES = ("ledger", "vault")  # the read model and the vault, each a database of its own
INSTANCES = ("api-1", "api-2")
SERVICES = ("nginx", "api-2", "api-1", "indexer", "redis")  # stopped in this order: the front first
API_APP = "api:create_app()"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Layout:
    """Where the profile keeps its files and which loopback ports it takes. Defaults for ``make production``;
    each port can be moved by PRODUCTION_<NAME>_PORT (the API's two as PRODUCTION_API_PORTS=5001,5002)."""

    root: Path = PROJECT_ROOT / "var" / "production"
    port: int = 8080
    api_ports: tuple[int, int] = (5001, 5002)
    redis_port: int = 6380
    postgres_port: int = 5434  # not make postgres's 5433: both may run
    chain_port: int = 8546  # not make chain's 8545: make up's chain and this one are separate
    rpc_url: str | None = None  # another node than the local anvil
    workers: int = 2  # gunicorn sync workers per instance
    client_timeout: int = 10  # nginx's client_header_timeout and client_body_timeout, seconds
    upstream_timeout: int = 35  # nginx's proxy_read_timeout: longer than gunicorn's 30 s worker timeout
    connections_per_client: int = 256
    settings: Mapping[str, str] = field(default_factory=dict)  # further API settings (the tests' rate limits)

    @classmethod
    def from_environment(cls) -> Layout:
        env = os.environ
        layout = cls(rpc_url=env.get("LEDGER_RPC_URL"))
        if "PRODUCTION_API_PORTS" in env:
            first, second = (int(p) for p in env["PRODUCTION_API_PORTS"].split(","))
            layout = replace(layout, api_ports=(first, second))
        ports = {
            name: int(env[variable])
            for name in ("port", "redis_port", "postgres_port", "chain_port")
            if (variable := f"PRODUCTION_{name.upper()}") in env
        }
        return replace(layout, **ports)

    @property
    def chain_url(self) -> str:
        return self.rpc_url or f"http://127.0.0.1:{self.chain_port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @property
    def run_dir(self) -> Path:
        return self.root / "run"

    def database_url(self, name: str) -> str:
        return make_url(self._postgres_url()).set(database=name).render_as_string(hide_password=False)

    def _postgres_url(self) -> str:
        with self.postgres_environment():
            return postgres.url()

    @contextlib.contextmanager
    def postgres_environment(self) -> Iterator[None]:
        """scripts.postgres reads its cluster's place and port from the environment: this profile's, meanwhile.
        Its data folder's parents from LEDGER_DATA_DIR down are opened for the ``postgres`` OS user to pass
        through, so that is the profile's parent folder (var/, or a test's temporary folder)."""
        values = {
            "LEDGER_POSTGRES_DIR": str(self.root / "postgres"),
            "LEDGER_POSTGRES_PORT": str(self.postgres_port),
            "LEDGER_DATA_DIR": str(self.root.parent),
        }
        with environment_of(values):
            yield

    def environment(self) -> dict[str, str]:
        """The settings every process of the profile runs with: the ledger command's and the API's."""
        return {
            **os.environ,
            "LEDGER_DATA_DIR": str(self.root),
            "LEDGER_RPC_URL": self.chain_url,
            "LEDGER_CHAIN_PORT": str(self.chain_port),
            "LEDGER_DEPLOYMENT": str(self.root / "deployment.json"),
            "LEDGER_DOSSIER_DIR": str(self.root / "dossiers"),
            "LEDGER_VAULT_KEY_FILE": str(self.root / "vault.key"),
            "DATABASE_URL": self.database_url("ledger"),
            "VAULT_URL": self.database_url("vault"),
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{self.redis_port}/0",
            "TRUSTED_PROXIES": "1",  # nginx appends the client's address to X-Forwarded-For
            "PUBLIC_ORIGIN": self.url,  # what a browser sees: the sign-in messages' domain and URI
            **self.settings,
        }


class Profile:
    """Starts and stops the profile's processes. Each runs detached (it outlives ``make production``) with its
    process id in run/<name>.pid and its output in logs/<name>.log; PostgreSQL and the chain keep their own."""

    def __init__(self, layout: Layout) -> None:
        self.layout = layout

    def start_stores(self) -> None:
        """PostgreSQL with the profile's two databases, and Redis: what the deployment and the API write into."""
        os.umask(0o077)  # as every process of the ledger: the rendered config, pid files and logs are owner-only
        with self.layout.postgres_environment():
            server = postgres.ensure_server()
        with psycopg.connect(make_url(server).set(drivername="postgresql").render_as_string(), autocommit=True) as db:
            present = {row[0] for row in db.execute("SELECT datname FROM pg_database")}
            for name in DATABASES:
                if name not in present:
                    db.execute(f'CREATE DATABASE "{name}"')
        self._start_redis()

    def serve(self) -> None:
        """The indexer, both API instances and nginx, once the deployment is recorded; returns when nginx
        answers (the instances may still be catching up with the chain: ``/readyz`` says)."""
        self._spawn("indexer", [str(BIN / "ledger"), "index"], self.layout.environment())
        self.start_instances()
        self.start_proxy()

    def start_instances(self, app: str = API_APP, ready_path: str = "/livez") -> None:
        """Both instances, each until ``ready_path`` answers 200 on its port: the API, or another WSGI app served
        the same way behind the same proxy (``make bench-network``'s framework floor)."""
        env = self.layout.environment()
        for name, port in zip(INSTANCES, self.layout.api_ports, strict=True):
            self._spawn(name, self._gunicorn(name, port, app), env)
        for port in self.layout.api_ports:
            url = f"http://127.0.0.1:{port}{ready_path}"
            _wait_until(lambda url=url: _status(url) == 200, f"{app} on :{port}")

    def stop_instances(self) -> None:
        """Both instances only: the proxy, the indexer and the stores go on."""
        for name in INSTANCES:
            self._stop(name)

    def start_proxy(self) -> None:
        """nginx alone, before whatever listens on the API ports (the tests put it before none, or a silent one)."""
        config = self.render_nginx()
        argv = [_binary("nginx"), "-p", str(config.parent), "-c", str(config), "-e", "stderr"]
        self._spawn("nginx", argv, os.environ)
        # a connection, not a request: one to an instance that does not answer would mark it failed for a while
        _wait_until(lambda: _accepts(self.layout.port), f"nginx on {self.layout.url}")

    def wait_ready(self, timeout: float = 120) -> None:
        """Until ``/readyz`` answers 200 through nginx: the indexer has caught up with the chain."""
        _wait_until(lambda: _status(f"{self.layout.url}/readyz") == 200, f"{self.layout.url}/readyz", timeout)

    def render_nginx(self) -> Path:
        """deploy/nginx.conf with this layout's ports, folders and limits, written to nginx/nginx.conf."""
        folder = self.layout.root / "nginx"
        (folder / "temp").mkdir(parents=True, exist_ok=True)
        owner = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
        values = {
            "USER": owner if os.geteuid() == 0 else "",  # else, as root, nginx runs its workers as nobody
            "PORT": self.layout.port,
            "API_PORT_1": self.layout.api_ports[0],
            "API_PORT_2": self.layout.api_ports[1],
            "LOG_DIR": self.layout.log_dir,
            "NGINX_DIR": folder,
            "DOSSIER_MAX_BYTES": dossier_max_bytes(),
            "CLIENT_TIMEOUT": self.layout.client_timeout,
            "UPSTREAM_TIMEOUT": self.layout.upstream_timeout,
            "CONNECTIONS_PER_CLIENT": self.layout.connections_per_client,
            "PROBLEM_LOCATIONS": problem_locations(),
        }
        config = re.sub(r"@([A-Z0-9_]+)@", lambda m: str(values[m[1]]), TEMPLATE.read_text())
        (folder / "nginx.conf").write_text(config)
        return folder / "nginx.conf"

    def stop(self) -> list[str]:
        """Stops what runs, front first, then PostgreSQL and the local chain; the names of what was stopped."""
        stopped = [name for name in SERVICES if self._stop(name)]
        with self.layout.postgres_environment():
            if postgres.stop_server():
                stopped.append("postgres")
        if self.layout.rpc_url is None and self._stop_chain():
            stopped.append("chain")
        return stopped

    def running(self, name: str) -> int | None:
        """The process id of ``name`` if it runs."""
        try:
            pid = int((self.layout.run_dir / f"{name}.pid").read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return None
        return pid

    def _gunicorn(self, name: str, port: int, app: str) -> list[str]:
        """gunicorn's request-line and header limits are nginx's job here (deploy/nginx.conf), so they are lifted;
        its worker (api/server.py) answers what it still refuses itself (a worker's timeout) as a problem."""
        return [
            str(BIN / "gunicorn"), "--config", "python:api.server", "--bind", f"127.0.0.1:{port}",
            "--workers", str(self.layout.workers),
            "--limit-request-line", "0", "--limit-request-field_size", "0", "--limit-request-fields", "32768",
            "--access-logfile", str(self.layout.log_dir / f"{name}-access.log"), app,
        ]  # fmt: skip

    def _start_redis(self) -> None:
        """Redis for the rate limits' counts: nothing in it outlives a window, so nothing is saved to disk."""
        port = self.layout.redis_port
        argv = [_binary("redis-server"), "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly",
                "no", "--dir", str(self.layout.run_dir)]  # fmt: skip
        self._spawn("redis", argv, os.environ)
        _wait_until(lambda: _redis_answers(port), f"Redis on port {port}")

    def _spawn(self, name: str, argv: list[str], env: Mapping[str, str]) -> None:
        if self.running(name) is not None:
            print(f"{name} already running (pid {self.running(name)})")
            return
        for folder in (self.layout.log_dir, self.layout.run_dir):
            folder.mkdir(parents=True, exist_ok=True)
        with open(self.layout.log_dir / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                argv, env=dict(env), cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        (self.layout.run_dir / f"{name}.pid").write_text(str(process.pid))
        time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at once ({process.returncode}): see {self.layout.log_dir / name}.log")

    def _stop(self, name: str) -> bool:
        pid = self.running(name)
        (self.layout.run_dir / f"{name}.pid").unlink(missing_ok=True)
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)  # gunicorn, nginx and Redis each finish what they are doing on SIGTERM
        deadline = time.monotonic() + 20
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reaped here when this process started it (the tests)
        return True

    def _stop_chain(self) -> bool:
        env = self.layout.environment()
        result = subprocess.run([sys.executable, "-m", "scripts.chain", "stop"], env=env, cwd=PROJECT_ROOT,
                                capture_output=True, text=True, check=True)  # fmt: skip
        return "not running" not in result.stdout


@contextlib.contextmanager
def environment_of(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` in this process's environment while the block runs, what was there before afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def problem_locations() -> str:
    """One internal location per status of NGINX_PROBLEMS answering its problem (RFC 9457). By path, not by name:
    nginx cannot redirect to a named location before it has read a URI (a malformed or overlong request line)."""
    blocks = []
    for status, (code, _) in NGINX_PROBLEMS.items():
        text = json.dumps(problem_body(status), ensure_ascii=False)
        if "$" in text:  # nginx would read it as a variable
            raise ValueError(f"the {code} problem's description has a '$', which nginx cannot return verbatim")
        quoted = text.replace("\\", "\\\\").replace("'", "\\'")
        blocks.append(
            f"        location = /_problems/{status} {{\n"
            f"            internal;\n"
            f"            default_type application/problem+json;\n"
            f"            return {status} '{quoted}';\n"
            f"        }}"
        )
    return "\n".join(blocks)


def _binary(name: str) -> str:
    """A Debian package's server binary (nginx is in /usr/sbin, which a user's PATH may lack)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")
    if found is None:
        raise RuntimeError(f"{name} is not installed: make production-packages installs nginx and redis-server")
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    return True


def _status(url: str) -> int | None:
    """The status ``url`` answers with; None while nothing answers."""
    try:
        return requests.get(url, timeout=5).status_code
    except requests.RequestException:
        return None


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def _redis_answers(port: int) -> bool:
    try:
        return bool(redis.Redis(port=port, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def _wait_until(ready: Callable[[], bool], what: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def start(layout: Layout) -> None:
    """Everything, as ``make up`` loads it: the chain and the demo data (by ``make demo-data`` with the profile's
    settings: on the node LEDGER_RPC_URL names, no local chain is started), then the servers."""
    profile = Profile(layout)
    profile.start_stores()
    make = ["make", "--no-print-directory", "demo-data", f"DEMO={layout.root / 'register' / 'demo'}"]
    if layout.rpc_url is not None:
        make[1:1] = ["--assume-old", "chain"]
    subprocess.run(make, env=layout.environment(), cwd=PROJECT_ROOT, check=True)
    profile.serve()
    profile.wait_ready()
    print(f"production profile on {layout.url} (nginx → 127.0.0.1:{layout.api_ports[0]} and :{layout.api_ports[1]});")
    print(f"files and logs in {layout.root}; 'make production-stop' stops it")


def _start() -> int:
    start(Layout.from_environment())
    return 0


def _stop() -> int:
    stopped = Profile(Layout.from_environment()).stop()
    print(f"stopped: {', '.join(stopped)}" if stopped else "production profile not running")
    return 0


if __name__ == "__main__":
    run("scripts.production", {"start": _start, "stop": _stop})
