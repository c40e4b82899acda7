"""The tree's layering, checked from the imports: api → ledger + wallet; wallet → nothing of ours; inside ledger,
the chain plumbing, the store and the vault know no feature (certificates, credit, index, relay, wiring). The
chain layer may read the versioned rule sets (data, importing nothing but errors): the demo deployment fixes the
licensing registry's shortest public notice from them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OURS = ("api", "ledger", "wallet", "scripts", "tests")
ALLOWED = {
    "wallet": {"wallet"},
    "ledger": {"ledger", "wallet"},
    "ledger.chain": {"ledger.chain", "ledger.errors", "ledger.rules", "ledger.settings", "wallet"},
    "ledger.store": {"ledger.store", "ledger.errors", "ledger.settings", "wallet"},
    "ledger.vault": {"ledger.vault", "ledger.store", "ledger.errors", "ledger.settings"},
    "ledger.rules": {"ledger.rules", "ledger.errors"},
    "api": {"api", "ledger", "wallet"},
}


def imports_of(path: Path) -> set[str]:
    """The modules of ours that ``path`` imports, relative imports resolved."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in OURS}


def layer_of(module: str) -> str:
    """The most specific layer in ``ALLOWED`` that ``module`` belongs to."""
    return max((layer for layer in ALLOWED if module == layer or module.startswith(layer + ".")), key=len)


@pytest.mark.parametrize("package", ["wallet", "ledger", "api"])
def test_imports_point_down(package: str) -> None:
    wrong = []
    for path in sorted((ROOT / package).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        allowed = ALLOWED[layer_of(module)]
        for imported in imports_of(path):
            if not any(imported == a or imported.startswith(a + ".") for a in allowed):
                wrong.append(f"{module} imports {imported}")
    assert wrong == []


def test_the_proof_verifier_loads_nothing_of_the_ledger() -> None:
    """Checked in a fresh interpreter, so an import made on the way (by a dependency of ours) counts too."""
    probe = "import sys, wallet.storage_proof, wallet.cli; print(sorted({m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert not {"ledger", "api"} & set(ast.literal_eval(loaded.stdout))
