"""The browser's side of the console, the portal and the notices page: Sign-In with Ethereum into a cookie session,
CSRF tokens on every post, and the three moves of an act signed in the browser: prepare (typed data from a form),
relay (the wallet's signature), follow (the act's status, ``GET /api/v1/acts/{txHash}``).

No key reaches the server: the page asks the wallet (EIP-1193, ``window.ethereum``) for ``personal_sign`` to sign
in and ``eth_signTypedData_v4`` for each act. The session is Flask's signed cookie (itsdangerous), HttpOnly and
SameSite=Lax, bound to the address, this chain and this registry, and it expires like the API's bearer tokens; the
CSRF token is Flask-WTF's, bound to the session. Roles are never kept in the session: each page reads them from
the chain (``api.auth.roles_of``), and the contract judges every act anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any
from urllib.parse import unquote

from apiflask import APIBlueprint
from eth_utils import is_hex_address, to_checksum_address
from flask import Flask, current_app, jsonify, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect  # type: ignore[import-untyped]
from itsdangerous import URLSafeTimedSerializer

from wallet.instants import timestamp
from wallet.siwe import SiweMessage
from wallet.typed_acts import SIGNED_ACT_FORMAT, SignedAct

from . import act_forms, limits
from .acts import send_signed
from .auth import roles_of
from .dossiers import store_request_body
from .json_bodies import unsupported_media_type
from .problems import Problem, problem
from .services import services

bp = APIBlueprint("web", __name__, url_prefix="/web", enable_openapi=False)  # pages, not API operations
csrf = CSRFProtect()
SIGN_IN_STATEMENT = "登录国土空间规划资质链上核验（监管端与申请端）。Sign in to the planning qualification ledger."
ACT_VALID_FOR = 600  # seconds a prepared act may wait for its signature and relay


class OnceBuiltSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, with the signing serializer built once per set of keys instead of on every request:
    Flask builds it afresh each time, JSON-dumping an empty dict to learn whether its serializer is text, a twentieth
    of an API lookup's time (measured with py-spy under wrk) for requests that carry no session at all."""

    def __init__(self) -> None:
        self._built: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._built:
            self._built[keys] = super().get_signing_serializer(app)
        return self._built[keys]


def init_app(app: Flask) -> None:
    """Cookie sessions and CSRF for the server-rendered pages; the JSON API keeps its bearer tokens and needs no CSRF
    token (a cross-site page cannot set its Authorization header)."""
    config = app.config
    secret = config["API_TOKEN_SECRET"].encode()
    if not config.get("SECRET_KEY"):  # Flask's default is None
        config["SECRET_KEY"] = hmac.new(secret, b"web-session/v1", hashlib.sha256).hexdigest()
    config.update(
        SESSION_COOKIE_NAME="pql_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config["PUBLIC_ORIGIN"].startswith("https://"),
        PERMANENT_SESSION_LIFETIME=config["TOKEN_TTL_SECONDS"],
        WTF_CSRF_CHECK_DEFAULT=False,  # checked by the pages' own blueprints (protect_posts), not by the API's
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as its session
    )
    app.session_interface = OnceBuiltSessionInterface()
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.context_processor(lambda: {"signed_in": signed_in()})


def protect_posts() -> None:
    """Every post of the pages' blueprints carries the session's CSRF token (header X-CSRFToken)."""
    if request.method == "POST":
        csrf.protect()


bp.before_request(protect_posts)


def _csrf_refused(error: CSRFError) -> ResponseReturnValue:
    return problem(403, "csrf-token-missing", "CSRF token missing or wrong", f"{error.description} Reload the page.")


def signed_in() -> str | None:
    """The address this browser signed in with, while its session lasts and names this deployment."""
    account, since = session.get("account"), session.get("since", 0)
    if account is None:
        return None
    record = services().record
    fresh = time.time() - since < current_app.config["TOKEN_TTL_SECONDS"]
    if not fresh or session.get("chain") != [record.chain_id, record.address]:
        session.clear()
        return None
    return str(account)


def require_signed_in() -> str:
    account = signed_in()
    if account is None:
        raise Problem(401, "not-signed-in", "Not signed in", "Sign in with your wallet first (登录).")
    return account


def _json() -> dict[str, Any]:
    """The post's JSON object: announced as JSON (else 415, as the API's JSON operations answer) and an object."""
    if not request.is_json:
        raise unsupported_media_type()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise Problem(400, "invalid-request", "Invalid request", "The body must be a JSON object.")
    return body


@bp.post("/sign-in/challenge")
def challenge() -> ResponseReturnValue:
    """The EIP-4361 message for ``address`` to sign with ``personal_sign``: this site, this chain, a fresh nonce."""
    address = _json().get("address")
    if not isinstance(address, str) or not is_hex_address(address):
        raise Problem(400, "invalid-request", "Invalid request", "address: an Ethereum address (0x and 40 hex).")
    verifier, now = services().siwe, int(time.time())
    message = SiweMessage(
        domain=verifier.domain,
        address=to_checksum_address(address),
        uri=verifier.uri,
        chain_id=verifier.chain_id,
        nonce=verifier.issue_nonce(now),
        issued_at=timestamp(now),
        expiration_time=timestamp(now + 300),
        statement=SIGN_IN_STATEMENT,
    )
    return jsonify(message=message.text())


@bp.post("/sign-in")
def sign_in() -> ResponseReturnValue:
    """A signed challenge opens a session for its address (the old one, if any, is dropped first)."""
    body = _json()
    message, signature = body.get("message"), body.get("signature")
    if not isinstance(message, str) or not isinstance(signature, str):
        raise Problem(400, "invalid-request", "Invalid request", "message and signature are text.")
    signed = services().siwe.verify(message, signature, int(time.time()))
    record = services().record
    session.clear()
    session.permanent = True
    session.update(account=signed.address, since=int(time.time()), chain=[record.chain_id, record.address])
    return jsonify(address=signed.address, roles=roles_of(signed.address))


@bp.post("/sign-out")
def sign_out() -> ResponseReturnValue:
    session.clear()
    return jsonify(signedOut=True)


@bp.post("/prepare")
def prepare() -> ResponseReturnValue:
    """The typed data of an act from a page's form: ``act``, ``about`` (the application, certificate, objection or
    proposal it is about) and the form's ``inputs``. Writes nothing the chain depends on: the words and files it
    stores are named by their hashes, and unused until an act that names them is signed and mined."""
    account = require_signed_in()
    body = _json()
    act, about, inputs = body.get("act"), body.get("about"), body.get("inputs", {})
    if not isinstance(act, str) or not isinstance(inputs, dict) or not (about is None or isinstance(about, str)):
        raise Problem(400, "invalid-request", "Invalid request", "act (text), about (text) and inputs (an object).")
    fields = act_forms.fields_of(act, about, inputs)
    typed = services().act_relay.prepare(act, account, fields, ACT_VALID_FOR)
    return jsonify(
        typedData=typed,
        signedAct={"format": SIGNED_ACT_FORMAT, "typedData": typed, "signer": account, "signature": None},
    )


@bp.post("/acts")
def relay() -> ResponseReturnValue:
    """The signed act, relayed once its signer is the signed-in account; the chain judges the rest. Objections are
    counted per signer (RATE_LIMIT_OBJECTIONS): anyone may object, but not without end."""
    account = require_signed_in()
    signed = SignedAct.from_json(_json().get("signedAct"))
    if signed.signer.lower() != account.lower():
        raise Problem(
            403, "not-your-act", "Not your act", "The act is signed by another account than the one signed in."
        )
    if signed.act == "Object":
        limits.count_objection(signed.signer)
    tx_hash = send_signed(signed)
    return jsonify(txHash=tx_hash, statusUrl=url_for("acts.act_status", tx_hash=tx_hash)), 202


@bp.post("/files")
def upload() -> ResponseReturnValue:
    """One dossier file from the portal's form (the body is the file, Content-Type its type, X-File-Name its name):
    stored by its hash as ``POST /api/v1/files`` stores it."""
    stored = store_request_body(require_signed_in())
    filename = unquote(request.headers.get("X-File-Name", "")) or stored["hash"]
    return jsonify(**stored, name=filename[:200]), 201
