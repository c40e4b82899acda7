"""A dossier's manifest: canonical JSON (RFC 8785) naming each file of the dossier by name, media type, size and
keccak256, and the registered planners the application counts (their registration numbers), so the reviewer's
checks can look for the same planner counted elsewhere. The manifest is stored like the files; the keccak256 of
its bytes is the ``dossier`` the application carries on chain."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rfc8785

from ledger.errors import ManifestError
from ledger.licensing.dossiers import HASH_PATTERN, DossierStore, sniff

FORMAT = "planning-ledger/dossier-manifest/v1"


@dataclass(frozen=True)
class ManifestFile:
    name: str
    media_type: str
    size: int
    keccak256: str


@dataclass(frozen=True)
class Manifest:
    files: tuple[ManifestFile, ...]
    planners: tuple[str, ...]  # registration numbers (注规…) the application counts

    def to_json(self) -> bytes:
        return rfc8785.dumps(
            {
                "format": FORMAT,
                "files": [
                    {"name": f.name, "mediaType": f.media_type, "size": f.size, "keccak256": f.keccak256}
                    for f in self.files
                ],
                "planners": list(self.planners),
            }
        )


def store_dossier(store: DossierStore, paths: Iterable[Path], planners: Iterable[str] = ()) -> tuple[str, Manifest]:
    """Store every file (each refused as the store refuses it, before the manifest is written) and the manifest
    naming them; the manifest's hash, the application's ``dossier``."""
    files = []
    for path in paths:
        data = path.read_bytes()
        name = store.put_file(data)
        files.append(ManifestFile(path.name, sniff(data) or "", len(data), name))
    manifest = Manifest(tuple(files), tuple(planners))
    return store.put_json(manifest.to_json()), manifest


def parse_manifest(data: bytes) -> Manifest:
    """The manifest in ``data``; ManifestError for anything else (another format, a field missing or mistyped)."""
    try:
        body = json.loads(data)
    except ValueError:
        raise ManifestError("not JSON") from None
    if not isinstance(body, dict) or body.get("format") != FORMAT:
        raise ManifestError(f"not a {FORMAT} manifest")
    files, planners = body.get("files"), body.get("planners", [])
    if not isinstance(files, list) or not isinstance(planners, list):
        raise ManifestError("files and planners must be lists")
    if not all(isinstance(p, str) for p in planners):
        raise ManifestError("planners must be registration numbers (text)")
    return Manifest(tuple(_file(entry) for entry in files), tuple(planners))


def _file(entry: Any) -> ManifestFile:
    fields = ("name", "mediaType", "size", "keccak256")
    if not isinstance(entry, dict) or set(entry) != set(fields):
        raise ManifestError(f"a file entry has exactly the fields {', '.join(fields)}")
    name, media, size, digest = (entry[f] for f in fields)
    if not (isinstance(name, str) and isinstance(media, str) and isinstance(digest, str)):
        raise ManifestError("a file's name, mediaType and keccak256 are text")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ManifestError("a file's size is a whole number of bytes")
    if not re.match(HASH_PATTERN, digest):
        raise ManifestError(f"{digest!r} is not a keccak256 (0x and 64 lower-case hex digits)")
    return ManifestFile(name, media, size, digest)
