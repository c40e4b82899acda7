"""Sign-In with Ethereum: a server-issued nonce, a signed EIP-4361 message, and a short-lived bearer token bound to
the address, this chain and this registry. Roles are never stored in the token: they are read from the chain.

Signing in is optional: anyone may verify. A signed-in client is rate-limited by its account instead of by its
network address, and can ask which roles the chain gives it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path
from typing import Any

from apiflask import APIBlueprint
from eth_utils import keccak
from flask import current_app, g, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ledger.chain.calls import REFUSED, Call, call_many
from ledger.errors import ChainUnavailable
from ledger.settings import data_dir

from .problems import Problem, title_of
from .schemas import LoginOut, LoginRequest, Me, NonceOut
from .services import services

bp = APIBlueprint("auth", __name__, url_prefix="/api/v1/auth", tag="Identity")

ADMIN_ROLE = b"\0" * 32  # OpenZeppelin's DEFAULT_ADMIN_ROLE; the others are keccak256 of their names
MINISTRY_ROLE = keccak(text="MINISTRY_ROLE")
PLANNER_REGISTRAR_ROLE = keccak(text="PLANNER_REGISTRAR_ROLE")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["API_TOKEN_SECRET"], salt="planning-ledger/api-token/v1")


def issue_token(address: str) -> str:
    record = services().record
    return _serializer().dumps({"sub": address, "chainId": record.chain_id, "registry": record.address})


def token_account() -> str | None:
    """The address a valid bearer token names, or None without one. A bad token is refused, not ignored: a client
    that believes it is signed in should learn that it is not."""
    if "token_account" in g:
        return g.token_account
    header = request.headers.get("Authorization", "")
    account = None
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise _unauthorised("invalid-token", "The Authorization header must be 'Bearer <token>'.")
        try:
            claims = _serializer().loads(token, max_age=current_app.config["TOKEN_TTL_SECONDS"])
        except SignatureExpired:
            raise _unauthorised("token-expired", "The bearer token has expired: sign in again.") from None
        except BadSignature:
            raise _unauthorised("invalid-token", "The bearer token was not issued by this server.") from None
        record = services().record
        if claims.get("chainId") != record.chain_id or claims.get("registry") != record.address:
            raise _unauthorised("invalid-token", "The bearer token was issued for another chain or registry.")
        account = claims["sub"]
    g.token_account = account
    return account


def _unauthorised(code: str, detail: str) -> Problem:
    return Problem(401, code, title_of(code), detail, headers={"WWW-Authenticate": "Bearer"})


def role_calls(address: str) -> list[Call]:
    """The registry's four role views of ``address``, to ask in a batch (with a page's other questions)."""
    registry = services().registry
    return [
        Call(registry, "hasRole", (MINISTRY_ROLE, address)),
        Call(registry, "provinceOf", (address,)),
        Call(registry, "hasRole", (PLANNER_REGISTRAR_ROLE, address)),
        Call(registry, "hasRole", (ADMIN_ROLE, address)),
    ]


def roles_from(answers: list[Any]) -> dict[str, Any]:
    """The roles from the answers to ``role_calls``."""
    if REFUSED in answers:
        raise ChainUnavailable("the registry did not answer its role views")
    ministry, province, registrar, admin = answers
    return {
        "ministry": ministry,
        "provincialRegulator": province or None,
        "plannerRegistrar": registrar,
        "admin": admin,
    }


def roles_of(address: str) -> dict[str, Any]:
    """The caller's roles as the registry grants them now (four views, asked in one batch)."""
    return roles_from(call_many(services().w3, role_calls(address)))


@bp.post("/nonce")
@bp.output(NonceOut)
@bp.doc(summary="A single-use nonce for a Sign-In with Ethereum message")
def nonce() -> dict[str, Any]:
    """Put the nonce, `domain`, `uri` and `chainId` into an EIP-4361 message, sign it with `personal_sign`
    (EIP-191; `wallet login` does both), and post both to `/auth/login` before `expiresIn` seconds pass."""
    verifier = services().siwe
    return {
        "nonce": verifier.issue_nonce(int(time.time())),
        "domain": verifier.domain,
        "uri": verifier.uri,
        "chainId": verifier.chain_id,
        "expiresIn": 300,
    }


@bp.post("/login")
@bp.input(LoginRequest, arg_name="body")
@bp.output(LoginOut)
@bp.doc(summary="Sign in with a signed EIP-4361 message; returns a short-lived bearer token", responses=[401, 403])
def login(body: LoginRequest) -> dict[str, Any]:
    """Refusals name the reason: `expired`, `replayed`, `wrong-domain`, `wrong-nonce`, `signer-mismatch` …"""
    message = services().siwe.verify(body.message, body.signature, int(time.time()))
    return {
        "token": issue_token(message.address),
        "tokenType": "Bearer",
        "expiresIn": current_app.config["TOKEN_TTL_SECONDS"],
        "address": message.address,
        "roles": roles_of(message.address),
    }


BEARER = "BearerAuth"  # the security scheme of create_app: the token from /auth/login
SECURITY_SCHEMES = {
    BEARER: {
        "type": "http",
        "scheme": "bearer",
        "description": "The token `POST /api/v1/auth/login` returns for a signed Sign-In with Ethereum message "
        "(`GET /api/v1/auth/nonce` first); it expires after `expiresIn` seconds. Optional on lookups, where a "
        "signed-in account holding a role on chain gets the higher rate limits.",
    }
}


@bp.get("/me")
@bp.output(Me)
@bp.doc(
    summary="Who the bearer token names, and the roles the chain gives that address now",
    responses=[401],
    security=BEARER,
)
def me() -> dict[str, Any]:
    account = token_account()
    if account is None:
        raise _unauthorised("not-signed-in", "Send 'Authorization: Bearer <token>' from /auth/login.")
    return {"address": account, "roles": roles_of(account)}


def token_secret() -> str:
    """API_TOKEN_SECRET, or a random secret kept in var/api-token-secret (mode 0600) so that every worker of
    this installation agrees. Never in the repository."""
    configured = os.environ.get("API_TOKEN_SECRET")
    if configured:
        return configured
    path = Path(data_dir()) / "api-token-secret"
    if not path.exists():  # written whole, then linked into place: a racing worker reads all of it or none
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    return path.read_text().strip()
