"""What every benchmark shares: a fresh anvil in a scratch directory, and the result file it leaves behind."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ledger.chain.localchain import LocalChain, free_port
from ledger.settings import data_dir

T = TypeVar("T")


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
