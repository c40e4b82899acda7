"""The command line the service scripts share (``python -m scripts.chain start|stop``, ``scripts.network``,
``scripts.postgres``, ``scripts.production``): one verb, else a usage line (exit 2); a service that fails to start
or stop says why in one line (exit 1), without a traceback."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from typing import NoReturn

from ledger.errors import LedgerError

FAILURES = (RuntimeError, subprocess.CalledProcessError, LedgerError)


def run(module: str, verbs: Mapping[str, Callable[[], int]]) -> NoReturn:
    """Run the verb ``sys.argv`` names and exit with its code."""
    argv = sys.argv[1:]
    if len(argv) != 1 or argv[0] not in verbs:
        print(f"usage: python -m {module} {'|'.join(verbs)}", file=sys.stderr)
        sys.exit(2)
    try:
        code = verbs[argv[0]]()
    except FAILURES as error:
        print(f"{module} {argv[0]}: {error}", file=sys.stderr)
        code = 1
    sys.exit(code)
