"""Running the ``ledger`` and ``wallet`` commands in-process, as a person would from a shell."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner, Result


def run(cli: Any, *args: str, input: str | None = None) -> Result:
    """The command's result; it must have succeeded (the output says why not)."""
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result
