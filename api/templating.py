"""What the server-rendered pages need to show the answers to a Chinese reader: the reason codes' labels."""

from __future__ import annotations

from flask import Flask

from ledger.certificates.reasons import reason_label


def init_app(app: Flask) -> None:
    app.add_template_global(reason_label)
