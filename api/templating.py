"""What the server-rendered pages need to show the answers to a Chinese reader: instants in Beijing time (the
answers carry them in UTC, as the API sends them) and the reason codes' labels."""

from __future__ import annotations

import datetime as dt

from flask import Flask

from ledger.certificates.documents import BEIJING
from wallet.reasons import reason_label


def beijing_time(moment: dt.datetime) -> str:
    """An instant as a reader in China reads it, saying so: ``2026-12-02 02:35 北京时间``."""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") + " 北京时间"


def beijing_date(moment: dt.datetime) -> dt.date:
    """The Beijing date of an instant (a window's start, a list entry's since)."""
    return moment.astimezone(BEIJING).date()


def init_app(app: Flask) -> None:
    app.add_template_filter(beijing_time)
    app.add_template_filter(beijing_date)
    app.add_template_global(reason_label)
