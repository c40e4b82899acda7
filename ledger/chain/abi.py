"""ABI helpers shared by the revert decoder and the event decoder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def abi_type(param: Mapping[str, Any]) -> str:
    """The canonical type of an ABI parameter, tuples spelled out: ``(string,uint8,...)[]``."""
    if param["type"].startswith("tuple"):
        inner = ",".join(abi_type(c) for c in param["components"])
        return f"({inner}){param['type'][5:]}"
    return param["type"]
