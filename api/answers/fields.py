"""The pieces every answer is made of: instants, hex, a grade's name, a certificate's status and its summary in a
list, an employer, and the proof that says where an answer from the index can be checked on chain."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from flask import current_app

from ledger.certificates import queries
from ledger.certificates.documents import last_day
from ledger.certificates.projection import State
from ledger.certificates.vocabulary import STATUS_LABELS, Grade, Kind, Status
from ledger.errors import IndexNotReady, _show
from ledger.store.models import Checkpoint, Firm

hexed = _show  # one bytes-to-hex rule for the ledger and the API, beside the contract errors whose fields it shows


def instant(seconds: int | float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


@lru_cache(maxsize=65_536)
def window_end(valid_until: int) -> Mapping[str, Any]:
    """A validity window's end as every answer gives it: the exclusive instant, and the last day it includes as a
    Beijing date (the certificate's printed 有效期止). Remembered per end (a batch asks a thousand), so read-only:
    callers spread it into their answer."""
    return MappingProxyType({"validUntil": instant(valid_until), "validUntilDate": last_day(valid_until)})


def instant_or_none(seconds: int | float | None) -> dt.datetime | None:
    """An instant that may not have come yet (an end, a restoration): None stays None."""
    return None if seconds is None else instant(seconds)


def seconds(moment: dt.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())


def grade_name(value: int) -> str | None:
    """A qualification grade's letter; None for no grade (planners, rounds open to both grades)."""
    return None if value == Grade.NONE else Grade(value).name


def status_fields(status: Status, valid: bool) -> dict[str, Any]:
    return {"status": status.name, "statusLabel": STATUS_LABELS[status], "valid": valid}


def summary(state: State, at: int, disputed: dict[str, Any] | None = None) -> dict[str, Any]:
    """A certificate in a list (search results, a firm's certificates, batch answers); ``disputed`` as the
    registry's confirmation found it (``api.answers.confirmed``)."""
    return {
        "number": state["number"],
        "kind": Kind(state["kind"]).name,
        "grade": grade_name(state["grade"]),
        "province": state["province"],
        "name": state["name"],
        "creditCode": state["credit_code"],
        **status_fields(*queries.standing(state, at)),
        **window_end(state["valid_until"]),
        "disputed": disputed,
    }


def employer_fields(subject: str, firm: Any) -> dict[str, Any]:
    """A planner's firm by subject, with its public name and credit code when the read model knows the firm."""
    if isinstance(firm, Firm):
        firm = {"name": firm.name, "credit_code": firm.credit_code}
    return {
        "subject": subject,
        "creditCode": firm["credit_code"] if firm else None,
        "name": firm["name"] if firm else None,
    }


def index_proof(
    checkpoint: Checkpoint | None, state: State | None, *, confirmed_block: int | None = None
) -> dict[str, Any]:
    """Where the answer can be checked on chain, at which block the registry confirmed its verdict (None: not
    confirmed, e.g. an instant's answer folded from the history), and how far behind the chain's head the index
    is."""
    if checkpoint is None:
        raise IndexNotReady("the read model has not indexed the registry yet")
    return {
        "source": "index",
        "chainId": checkpoint.chain_id,
        "contract": checkpoint.contract,
        "blockNumber": state["last_block"] if state else checkpoint.block_number,
        "txHash": state["last_tx"] if state else None,
        "confirmedBlock": confirmed_block,
        "indexer": indexer_lag(checkpoint),
    }


def indexer_lag(checkpoint: Any) -> dict[str, Any]:
    """The read model's view of the chain, as of this moment: how far it has read, when it last reached the node."""
    seen_ago = max(0.0, time.time() - checkpoint.seen_at)
    return {
        "indexedBlock": checkpoint.block_number,
        "headSeen": checkpoint.head_seen,
        "lagBlocks": max(0, checkpoint.head_seen - checkpoint.block_number),
        "updatedAt": instant(checkpoint.updated_at),
        "seenAt": instant(checkpoint.seen_at),
        "chainReachable": seen_ago <= current_app.config["CHAIN_SEEN_WITHIN_SECONDS"],
        "lagSeconds": round(seen_ago, 3),
    }
