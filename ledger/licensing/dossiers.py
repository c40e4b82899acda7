"""The dossier store: files kept off chain, named by the keccak256 of their bytes (the hash the chain records), so
a name can never point at other content and nothing stored is ever overwritten. Applicants' files (PDF, PNG,
JPEG, judged by their magic bytes) and the ledger's own JSON (dossier manifests, reviewers' checks) live side by
side under ``LEDGER_DOSSIER_DIR`` (``var/dossiers``), sharded by the hash's first two bytes:
``ab/cd/abcd…``. Production keeps the same keys in an S3-compatible bucket (docs/dossiers.md)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
from pathlib import Path

from eth_utils import keccak

from ledger.errors import FileTooLarge, StoredFileCorrupt, StoredFileMissing, UnsupportedFileType
from ledger.settings import dossier_dir, dossier_max_bytes

PDF, PNG, JPEG, JSON = "application/pdf", "image/png", "image/jpeg", "application/json"
TEXT = "text/plain"  # Flask adds charset=utf-8
FILE_TYPES = (PDF, PNG, JPEG)  # what an applicant may hand in
_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
HASH_PATTERN = r"^0x[0-9a-f]{64}$"
_HASH = re.compile(HASH_PATTERN)


def content_hash(data: bytes) -> str:
    """The store's name of ``data``: 0x and the keccak256 of the bytes, lower-case hex (as the chain has it)."""
    return "0x" + keccak(data).hex()


def sniff(data: bytes) -> str | None:
    """The file type the bytes themselves say (PDF, PNG, JPEG), or None."""
    return next((media for magic, media in _MAGIC if data.startswith(magic)), None)


def media_type_of(data: bytes) -> str:
    """The media type to serve stored bytes with: an applicant's file type, JSON for the ledger's own records, plain
    text for the words of a step (an opinion, reasons, an objection, an answer)."""
    found = sniff(data)
    if found is not None:
        return found
    try:
        json.loads(data)
    except ValueError:
        pass
    else:
        return JSON
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"  # written by no entry point of this store: served as opaque bytes
    return TEXT


class DossierStore:
    """A content-addressed directory. Writes are atomic (a private draft linked into place: a reader sees the
    whole file or none) and race-safe (two writers of the same bytes: one link wins, the other is a no-op)."""

    def __init__(self, root: Path | None = None, max_bytes: int | None = None) -> None:
        self.root = root or dossier_dir()
        self.max_bytes = max_bytes or dossier_max_bytes()

    def put_file(self, data: bytes, declared: str | None = None) -> str:
        """Store an applicant's file; its hash. Refused: over the size limit, not PDF/PNG/JPEG, or not what
        ``declared`` (a Content-Type) says it is."""
        self._check_size(data)
        found = sniff(data)
        if found is None:
            raise UnsupportedFileType("the bytes are not a PDF, PNG or JPEG file")
        if declared is not None and declared != found:
            raise UnsupportedFileType(f"declared {declared}, but the bytes are {found}")
        return self._put(data)

    def put_json(self, data: bytes) -> str:
        """Store a JSON record: a manifest, a review's checks (the ledger's own, or a reviewer's)."""
        self._check_size(data)
        try:
            json.loads(data)
        except ValueError:
            raise UnsupportedFileType("the bytes are not JSON") from None
        return self._put(data)

    def put_text(self, text: str) -> str:
        """Store the words of a step (the chain keeps their keccak256: the same hash the CLI computes), so that the
        pages show what an opinion, a refusal or an objection said."""
        data = text.encode("utf-8")
        self._check_size(data)
        return self._put(data)

    def text_of(self, name: str | None) -> str | None:
        """The words stored under ``name``; None when they were never handed to this store (a step taken from the
        command line keeps only its hash) or are damaged."""
        if not name or not _HASH.match(name) or not self.contains(name):
            return None
        try:
            return self.read(name).decode("utf-8")
        except (StoredFileCorrupt, UnicodeDecodeError):
            return None

    def read(self, name: str) -> bytes:
        """The bytes stored under ``name``, checked against it."""
        try:
            data = self.path_of(name).read_bytes()
        except FileNotFoundError:
            raise StoredFileMissing(f"no file {name} in the dossier store") from None
        if content_hash(data) != name:
            raise StoredFileCorrupt(f"the stored file {name} no longer has that hash")
        return data

    def contains(self, name: str) -> bool:
        return self.path_of(name).is_file()

    def path_of(self, name: str) -> Path:
        """Where ``name`` (0x and 64 lower-case hex digits) lives: ``root/ab/cd/abcd…``."""
        if not _HASH.match(name):
            raise ValueError(f"{name!r} is not 0x and 64 lower-case hex digits")
        digits = name[2:]
        return self.root / digits[:2] / digits[2:4] / digits

    def _check_size(self, data: bytes) -> None:
        if len(data) > self.max_bytes:
            raise FileTooLarge(len(data), self.max_bytes)

    def _put(self, data: bytes) -> str:
        name = content_hash(data)
        path = self.path_of(name)
        if path.exists():
            return name  # the same name is the same bytes: already stored
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another writer stored the same bytes meanwhile
                os.link(draft, path)
        finally:
            draft.unlink()
        return name


class ReadOnce(DossierStore):
    """One request's view of a store: each file read (and checked against its hash) once, however many questions
    about it the request asks (a console page's checks and its list of the dossier's files)."""

    def __init__(self, store: DossierStore) -> None:
        super().__init__(store.root, store.max_bytes)
        self._read: dict[str, bytes | StoredFileMissing | StoredFileCorrupt] = {}

    def read(self, name: str) -> bytes:
        if name not in self._read:
            try:
                self._read[name] = super().read(name)
            except (StoredFileMissing, StoredFileCorrupt) as refused:
                self._read[name] = refused
        found = self._read[name]
        if isinstance(found, Exception):
            raise found
        return found
