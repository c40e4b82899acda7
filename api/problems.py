"""Every error the API returns is an RFC 9457 problem (application/problem+json) with a stable ``type``.

Types are ``/problems/<code>``: the wallet's refusal codes (``expired``, ``replayed``, ``not-holder`` …), the
contract's named errors in kebab case (``already-issued``, ``wrong-status`` …), the API's own
(``invalid-request``, ``certificate-not-found``, ``batch-too-large``, ``chain-unavailable`` …) and the dossier
store's (``file-too-large``, ``unsupported-file-type``, ``file-not-found``).
"""

from __future__ import annotations

import logging
import re
from typing import Any, cast

from apiflask import APIFlask, HTTPError
from flask import Response, json
from requests.exceptions import RequestException

from ledger.errors import (
    BadCursor,
    ChainUnavailable,
    ContractRevert,
    DeploymentError,
    DocumentError,
    FileTooLarge,
    IndexNotReady,
    StoredFileCorrupt,
    StoredFileMissing,
    UnsupportedFileType,
)
from wallet import errors as refusals

from .answers import hexed
from .refusals_zh import in_chinese
from .services import RelayUnavailable, services

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger(__name__)

# The server's own refusals of a request, before any view: each a type of its own, not about:blank.
HTTP_PROBLEMS = {404: "not-found", 405: "method-not-allowed", 413: "request-too-large"}
# Refusals of a signature that are about *who* may do something rather than whether the signature holds.
FORBIDDEN = (refusals.MissingRole, refusals.NotHolder, refusals.CertificateNotValid)
MALFORMED = (refusals.MalformedMessage, refusals.MalformedSignature)


class Problem(HTTPError):
    """Raised by a view: becomes the problem response with this ``code`` as its type."""

    def __init__(
        self, status: int, code: str, title: str, detail: str, headers: dict[str, str] | None = None, **extensions: Any
    ) -> None:
        super().__init__(status, message=title, detail=detail, headers=headers, extra_data={"code": code, **extensions})


def type_uri(code: str) -> str:
    """The problem type a code names: the URI an error's ``type`` carries, where ``/problems/<code>`` explains it."""
    return f"/problems/{code}"


def problem(status: int, code: str, title: str, detail: str, **extensions: Any) -> Response:
    """A problem response, for code paths that return rather than raise."""
    body = {"type": type_uri(code), "title": title, "status": status, "detail": detail, **extensions}
    return Response(json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE)


def _as_problem(error: HTTPError) -> Response:
    """APIFlask's one error hook: our Problems, request validation failures and plain HTTP errors."""
    extra = dict(error.extra_data)
    code = extra.pop("code", None)
    if code is not None:
        # HTTPError types ``message`` optional, but its __init__ always sets it (the status's phrase by default)
        response = problem(error.status_code, code, cast(str, error.message), error.detail, **extra)
    elif isinstance(error.detail, dict) and error.detail:  # request validation: {location: {field: [messages]}}
        errors = [
            {"in": location, "field": field, "message": "; ".join(messages)}
            for location, fields in error.detail.items()
            for field, messages in fields.items()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        response = problem(error.status_code, "invalid-request", "Invalid request", detail, errors=errors)
    elif error.status_code in HTTP_PROBLEMS:  # an unknown path, a method not allowed, a body too large
        code = HTTP_PROBLEMS[error.status_code]
        response = problem(error.status_code, code, title_of(code), str(error.message))
    else:  # no more meaning than the status itself
        body = {"type": "about:blank", "title": error.message, "status": error.status_code}
        response = Response(json.dumps(body), status=error.status_code, mimetype=PROBLEM_MEDIA_TYPE)
    response.headers.update(error.headers or {})
    return response


def refusal_status(refusal: type[refusals.WalletError]) -> int:
    """The status of a refused signature: malformed 400, an unknown certificate 404, who may not 403, else 401."""
    if issubclass(refusal, MALFORMED):
        return 400
    if issubclass(refusal, refusals.NoSuchCertificate):
        return 404
    if issubclass(refusal, FORBIDDEN):
        return 403
    return 401


def _refusal(exc: refusals.WalletError) -> Response:
    if isinstance(exc, refusals.KeystoreError):  # only the server's own keys are kept in keystores
        return _relay_unavailable(exc)
    return problem(refusal_status(type(exc)), exc.code, title_of(exc.code), str(exc), zh=in_chinese(exc.code))


def _contract_refusal(exc: ContractRevert) -> Response:
    """A business rule the contract enforces (a revoked certificate cannot be suspended ...): a conflict with the
    chain's state, named as the contract names it."""
    name = type(exc).__name__
    fields = {k: hexed(v) for k, v in exc.fields.items()}
    detail = f"The registry refuses the act: {exc}"
    return problem(409, kebab(name), name, detail, contractError=name, fields=fields, zh=in_chinese(name))


def _chain_unavailable(exc: Exception) -> Response:
    services().forget_chain()
    log.warning("chain unavailable: %s", exc.__class__.__name__)
    return problem(503, "chain-unavailable", "Chain unavailable", "The chain node does not answer; try again shortly.")


def _relay_unavailable(exc: Exception) -> Response:
    """The relayer's key is out of reach: the operator's to fix, so the cause (a keystore path, a label) goes to
    the log and the client learns only that acts cannot be relayed now."""
    log.error("relay unavailable: %s", exc)
    return problem(
        503, "relay-unavailable", "Relay unavailable", "Signed acts cannot be relayed now; the fault has been logged."
    )


def _not_deployed(exc: DeploymentError) -> Response:
    return problem(503, "not-deployed", "Registry not available", str(exc))


def _index_not_ready(exc: IndexNotReady) -> Response:
    return problem(503, "index-not-ready", "Index not ready", "The indexer has not read the registry yet.")


def _bad_cursor(exc: BadCursor) -> Response:
    return problem(400, "invalid-cursor", "Invalid cursor", str(exc), errors=[{"in": "query", "field": "cursor"}])


def _bad_document(exc: DocumentError) -> Response:
    return problem(400, "invalid-document", "Invalid certificate document", str(exc), errors=[{"field": exc.field}])


def _file_too_large(exc: FileTooLarge) -> Response:
    return problem(413, "file-too-large", "File too large", str(exc), limit=exc.limit)


def _unsupported_file_type(exc: UnsupportedFileType) -> Response:
    detail = f"{exc}: a dossier file is a PDF, PNG or JPEG, sent with its media type as Content-Type."
    return problem(415, "unsupported-file-type", "Unsupported file type", detail)


def _file_not_found(exc: StoredFileMissing) -> Response:
    return problem(404, "file-not-found", "File not found", str(exc))


def _stored_file_corrupt(exc: StoredFileCorrupt) -> Response:
    """The store's damage, the operator's to repair (from a backup): logged, and never served as if it were good."""
    log.error("dossier store damaged: %s", exc)
    return problem(500, "stored-file-corrupt", "Stored file damaged", "The stored file is damaged; it has been logged.")


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error")
    return problem(500, "internal-error", "Internal Server Error", "The server failed to answer; it has been logged.")


def title_of(code: str) -> str:
    """A problem's title from its code: ``not-holder`` → "Not holder"."""
    return code.replace("-", " ").capitalize()


def kebab(name: str) -> str:
    """A contract error's problem code: ``AlreadyIssued`` → ``already-issued``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def init_app(app: APIFlask) -> None:
    app.error_processor(_as_problem)
    app.register_error_handler(refusals.WalletError, _refusal)
    app.register_error_handler(ContractRevert, _contract_refusal)
    app.register_error_handler(ChainUnavailable, _chain_unavailable)
    app.register_error_handler(RequestException, _chain_unavailable)
    app.register_error_handler(RelayUnavailable, _relay_unavailable)
    app.register_error_handler(DeploymentError, _not_deployed)
    app.register_error_handler(IndexNotReady, _index_not_ready)
    app.register_error_handler(BadCursor, _bad_cursor)
    app.register_error_handler(DocumentError, _bad_document)
    app.register_error_handler(FileTooLarge, _file_too_large)
    app.register_error_handler(UnsupportedFileType, _unsupported_file_type)
    app.register_error_handler(StoredFileMissing, _file_not_found)
    app.register_error_handler(StoredFileCorrupt, _stored_file_corrupt)
    app.register_error_handler(Exception, _unexpected)
