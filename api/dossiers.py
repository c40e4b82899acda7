"""Dossier files over HTTP: upload one file (a signed-in account; PDF, PNG or JPEG under the size limit), and read
any stored file by its keccak256, the hash an application's manifest names (docs/dossiers.md).

Reads are public. The chain is: every application's dossier hash is on it, the manifest stored under that hash
names its files by theirs, and the procedure is public (the review opinion is noticed, anyone may object). A
stored file is never replaced, so its hash is its version: answers carry it as ETag and may be cached for good.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from apiflask import APIBlueprint
from flask import Response, request, url_for
from pydantic import BaseModel, Field, StringConstraints
from werkzeug.exceptions import RequestEntityTooLarge

from ledger.errors import FileTooLarge, UnsupportedFileType
from ledger.licensing.dossiers import FILE_TYPES, JSON, content_hash, media_type_of

from .auth import BEARER, token_account
from .problems import Problem
from .schemas import Hex32
from .services import services

bp = APIBlueprint("dossiers", __name__, url_prefix="/api/v1", tag="Dossiers")
log = logging.getLogger(__name__)
FOREVER = "public, max-age=31536000, immutable"
_BINARY = {"schema": {"type": "string", "format": "binary"}}
READ_RESPONSES: dict[int | str, dict[str, str | dict[str, dict[str, Any]]]] = {
    200: {
        "description": "The bytes, with their media type; ETag is the hash, cacheable for good",
        "content": {**dict.fromkeys(FILE_TYPES, _BINARY), JSON: {"schema": {"type": "object"}}},
    },
    304: {"description": "Not modified: the If-None-Match named this hash"},
    404: {"description": "No file with this hash is stored"},
    500: {"description": "The stored file is damaged (it no longer has its hash): logged, never served"},
}


class FilePath(BaseModel):
    file_hash: Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{64}$")] = Field(
        description="the file's keccak256 (0x and 64 hex digits), as a dossier manifest names it"
    )


class StoredFile(BaseModel):
    hash: Hex32 = Field(description="keccak256 of the bytes: the file's name in the store and in a manifest")
    mediaType: str = Field(description="as the bytes say: application/pdf, image/png or image/jpeg")
    size: int = Field(description="bytes")
    url: str = Field(description="where anyone reads it")
    alreadyStored: bool = Field(description="the same bytes were stored before: nothing was written")


@bp.post("/files")
@bp.output(StoredFile, status_code=201)
@bp.doc(
    summary="Store one dossier file (PDF, PNG or JPEG): the body is the file, Content-Type its media type",
    responses={
        401: "Not signed in: send 'Authorization: Bearer <token>' from /auth/login",
        413: "Larger than the store's limit (LEDGER_DOSSIER_MAX_BYTES, 20 MiB by default): `limit` says it",
        415: "Not a PDF, PNG or JPEG by its bytes, or not the Content-Type it was sent with",
    },
    # APIFlask's @input reads JSON, forms and multipart files, never a raw body: the request body is documented
    # whole (APIFlask copies an operation's extensions into it as given)
    extensions={"requestBody": {"required": True, "content": dict.fromkeys(FILE_TYPES, _BINARY)}},
    security=BEARER,
)
def upload() -> tuple[dict[str, Any], int, dict[str, str]]:
    """Store one dossier file.

    Needs a signed-in account (any key: `wallet login`), logged with each file it stores. Storing bytes that
    are stored already changes nothing. The answer's `hash` goes into the dossier's manifest (`ledger dossier
    add` writes one)."""
    account = token_account()
    if account is None:
        raise Problem(
            401, "not-signed-in", "Not signed in", "Storing a dossier file needs 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )  # fmt: skip
    body = store_request_body(account)
    url = body["url"]
    return body, 201, {"Location": url}


def store_request_body(account: str) -> dict[str, Any]:
    """Store the request's body as one dossier file for ``account`` (logged with it): its type by Content-Type
    and by its bytes, its size under the store's limit, with or without a Content-Length. The stored file's
    hash, type, size, address and whether it was stored before."""
    store = services().dossiers
    declared = request.mimetype
    if declared not in FILE_TYPES:
        raise UnsupportedFileType(f"Content-Type {declared or 'missing'}")
    if (request.content_length or 0) > store.max_bytes:
        raise FileTooLarge(request.content_length or 0, store.max_bytes)
    request.max_content_length = store.max_bytes  # this view's own limit, above the API's 2 MiB for JSON
    try:
        data = request.get_data(cache=False)
    except RequestEntityTooLarge:  # a body sent without Content-Length that ran past the limit
        raise FileTooLarge(store.max_bytes + 1, store.max_bytes) from None
    name = content_hash(data)
    already = store.contains(name)
    store.put_file(data, declared)
    log.info("dossier file %s (%s, %d bytes) stored by %s", name, declared, len(data), account)
    url = url_for("dossiers.download", file_hash=name)
    return {"hash": name, "mediaType": declared, "size": len(data), "url": url, "alreadyStored": already}


@bp.get("/files/<file_hash>")
@bp.input(FilePath, location="path", arg_name="path")
@bp.doc(
    summary="A stored file by its keccak256: a dossier's file, its manifest, a review's checks",
    responses=READ_RESPONSES,
)
def download(file_hash: str, path: FilePath) -> Response:
    """A stored file by its hash.

    Public, like the dossier hashes on chain. The bytes are checked against their hash before they are served;
    manifests and checks are JSON. A matching `If-None-Match` is answered 304."""
    name = path.file_hash.lower()
    data = services().dossiers.read(name)
    response = Response(data, mimetype=media_type_of(data))
    response.set_etag(name)
    response.headers["Cache-Control"] = FOREVER
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.make_conditional(request)  # a matching If-None-Match: 304, no body
    return response
