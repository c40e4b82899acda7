"""From the read model's (or the contract's) answers to the API's response bodies and the pages' contents, built
here once for the JSON views, the public page and the dashboard, so that all of them say exactly the same thing.

``fields`` (instants, hex, status, summaries, proof) and ``certificate`` (one certificate's body) are what every
other module builds on; they are re-exported here and import nothing from the views or ``api.problems`` (which
itself imports ``hexed`` from here). The answers to whole questions, which may refuse with a ``Problem``, are in
``verification``, ``registrants``, ``credit``, ``dashboard`` and ``presentations``."""

from __future__ import annotations

from .certificate import certificate_from_chain, certificate_from_index
from .fields import (
    employer_fields,
    grade_name,
    hexed,
    index_proof,
    instant,
    instant_or_none,
    seconds,
    status_fields,
    summary,
)

__all__ = [
    "certificate_from_chain",
    "certificate_from_index",
    "employer_fields",
    "grade_name",
    "hexed",
    "index_proof",
    "instant",
    "instant_or_none",
    "seconds",
    "status_fields",
    "summary",
]
