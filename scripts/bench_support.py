"""What every benchmark shares: a fresh anvil in a scratch directory, wrk's load on an HTTP server, and the result
file it leaves behind."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ledger.chain.localchain import LocalChain, free_port
from ledger.settings import data_dir

T = TypeVar("T")

CONNECTIONS = 32  # wrk's connections (two threads): the load of every HTTP benchmark
# wrk's Lua: each connection asks for numbers in its own random order; the summary prints what we parse.
WRK_SCRIPT = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter * 7919) %% #paths + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%d %%.3f %%.3f %%.3f\\n", summary.requests, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def on_fresh_chain(measure: Callable[[str, Path], T], *, state_interval: int = 5) -> T:
    """``measure(chain_url, workdir)`` against a new anvil whose state lives and dies in a scratch directory,
    written there every ``state_interval`` seconds (anvil writes the whole state each time: over the national
    register that is ~140 MB of JSON, which a benchmark of many small transactions may not want every 5 s)."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        chain = LocalChain(free_port(), workdir / "state.json", state_interval=state_interval).start()
        try:
            return measure(chain.url, workdir)
        finally:
            chain.stop()


def write_result(name: str, result: dict[str, Any]) -> None:
    """Writes var/bench/<name>.json and prints the same JSON as the last line (what `make bench-…` shows)."""
    out = data_dir() / "bench" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result, ensure_ascii=False))


def wrk(base: str, paths: list[str], workdir: Path, seconds: int) -> dict[str, float | int]:
    """GETs of ``paths`` on ``base`` from wrk (CONNECTIONS connections, two threads) for ``seconds``: requests,
    errors (non-2xx/3xx and socket errors), rps and the p50/p99 in ms."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make wrk does)")
    with tempfile.NamedTemporaryFile("w", dir=workdir, suffix=".txt", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    script = workdir / "verify.lua"
    script.write_text(WRK_SCRIPT % {"paths": listing.name})
    output = subprocess.run(
        ["wrk", f"-c{CONNECTIONS}", "-t2", f"-d{seconds}s", "--timeout", "5s", "-s", str(script), base],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    match = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+) ([\d.]+)$", output, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"wrk printed no summary:\n{output}")
    count, status_errors, socket_errors, micros = (int(match.group(i)) for i in range(1, 5))
    return {
        "requests": count,
        "errors": status_errors + socket_errors,
        "rps": round(count / (micros / 1e6), 1),
        "p50_ms": round(float(match.group(5)), 2),
        "p99_ms": round(float(match.group(6)), 2),
    }
