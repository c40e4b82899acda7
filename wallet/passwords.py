"""Where a keystore password comes from: a file, the environment, or an interactive prompt, in that order.

The password is returned to the caller and nothing else: never logged, echoed or put in an error message.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from .errors import PasswordUnavailable

PASSWORD_ENV = "WALLET_PASSWORD"


def read_password(
    *,
    file: Path | None = None,
    environ: Mapping[str, str] = os.environ,
    prompt: Callable[[], str] | None = None,
) -> str:
    """The password from ``file`` (first line), else ``WALLET_PASSWORD``, else ``prompt()``."""
    if file is not None:
        try:
            lines = file.read_text().splitlines()
        except OSError as exc:
            raise PasswordUnavailable(f"cannot read the password file {file}: {exc.strerror}") from None
        if not lines or not lines[0]:
            raise PasswordUnavailable(f"the password file {file} is empty")
        return lines[0]
    if environ.get(PASSWORD_ENV):
        return environ[PASSWORD_ENV]
    if prompt is not None:
        return prompt()
    raise PasswordUnavailable(f"no password: give a password file, set {PASSWORD_ENV}, or run interactively")
