"""Page cursors of the read model's lists: the last row's sort key, as opaque URL-safe text. One encoding for
every list, so that signing them (issue 16) is one change."""

from __future__ import annotations

import base64
import json
from typing import Any

from ledger.errors import BadCursor


def encode_cursor(after: Any) -> str:
    """The cursor that continues after the row whose sort key is ``after`` (JSON-serialisable)."""
    return base64.urlsafe_b64encode(json.dumps({"after": after}, ensure_ascii=False).encode()).decode()


def decode_cursor(cursor: str) -> Any:
    """The sort key a cursor carries; ``BadCursor`` for text this encoding did not make (callers check its shape)."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
    except (ValueError, KeyError, TypeError):
        raise BadCursor("the cursor is not one this server handed out") from None
