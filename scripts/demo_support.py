"""What the demo scripts share: an act the chain has already seen is reported and skipped, so a demo can run again."""

from __future__ import annotations

from collections.abc import Callable


def attempt(what: str, act: Callable[[], object], *, refusals: tuple[type[Exception], ...]) -> None:
    """Run one act; one of ``refusals`` (the chain's answer to an act it has seen before) is reported and skipped."""
    try:
        act()
        print(f"  {what}")
    except refusals as exc:
        print(f"  {what}: already done ({type(exc).__name__})")
