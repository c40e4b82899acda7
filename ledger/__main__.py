"""``python -m ledger deploy``: the command-line entry (the full CLI arrives with the ledger core)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .artifacts import load_artifact
from .chain import connect
from .deployment import ensure_demo_deployment
from .errors import LedgerError
from .paths import deployment_record_path, rpc_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ledger", description="Planning-qualification ledger")
    commands = parser.add_subparsers(dest="command", required=True)
    deploy = commands.add_parser("deploy", help="deploy the registry on a local chain (reused if already there)")
    deploy.add_argument("--rpc-url", default=rpc_url())
    deploy.add_argument("--record", type=Path, default=deployment_record_path())
    args = parser.parse_args(argv)

    try:
        w3 = connect(args.rpc_url)
        record, reused = ensure_demo_deployment(w3, args.record, load_artifact())
    except LedgerError as exc:
        print(f"ledger: {exc}", file=sys.stderr)
        return 1
    verb = "reusing" if reused else "deployed"
    print(f"{verb} CertificateRegistry at {record.address} on chain {record.chain_id} (block {record.block_number})")
    print(f"record: {args.record}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
