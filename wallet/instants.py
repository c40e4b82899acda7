"""One written form of an instant for everything the wallet and the ledger say: RFC 3339 in UTC, as the API sends
every instant. Messages reach the API's problem details, so they never show unix seconds either."""

from __future__ import annotations

from datetime import UTC, datetime


def timestamp(instant: int) -> str:
    """Unix seconds as the RFC 3339 UTC form used in messages."""
    return datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
