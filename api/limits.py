"""Rate limits per client: a signed-in client by its account (the bearer token's address), anyone else by network
address. Limits and storage are configuration (RATE_LIMIT_ANONYMOUS, RATE_LIMIT_SIGNED_IN, RATELIMIT_STORAGE_URI:
memory per worker by default, redis:// to share one count between workers and hosts)."""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter, RateLimitExceeded

from .auth import token_account
from .problems import problem

UNLIMITED_ENDPOINTS = {"health.livez", "health.readyz", "static", "openapi.spec", "openapi.docs"}


def client_key() -> str:
    account = token_account()
    return f"account:{account}" if account else f"address:{request.remote_addr}"


def client_limit() -> str:
    config = current_app.config
    return config["RATE_LIMIT_SIGNED_IN"] if token_account() else config["RATE_LIMIT_ANONYMOUS"]


def _exempt() -> bool:
    return request.endpoint in UNLIMITED_ENDPOINTS


def _too_many(exc: RateLimitExceeded) -> Response:
    response = problem(
        429, "rate-limited", "Too many requests", f"This client may send {exc.description}; wait and retry."
    )
    return response


limiter = Limiter(client_key, default_limits=[client_limit], default_limits_exempt_when=_exempt)


def init_app(app: Flask) -> None:
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many)
