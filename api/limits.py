"""Rate limits per client, with the X-RateLimit-Limit / -Remaining / -Reset headers on every limited response and
Retry-After on a 429. Limits and storage are configuration: RATE_LIMIT_ANONYMOUS, RATE_LIMIT_SIGNED_IN,
RATE_LIMIT_AUTH (e.g. "1200/minute" or "1200/minute;50/second"), RATE_LIMIT_ACCOUNTS, RATELIMIT_STORAGE_URI
(mmap://var/ratelimits.mmap by default: one count for every worker on the host, ``api.limit_storage``;
redis://… shares it between hosts; memory:// counts per worker).

Who counts against what: a signed-in account that holds a role on chain (read as /auth/me reads it, cached for a
minute) or is on the RATE_LIMIT_ACCOUNTS allow-list gets the signed-in limits, counted by account. Anyone else,
signed in or not, is counted by network address on the anonymous limits: a key costs nothing to make, so a fresh
key buys nothing. A request with a bearer token the server refuses is counted against its address before the
401, and /auth/* has its own tight limit per network address (signing in, asking for nonces).

Built on the ``limits`` library (the engine of Flask-Limiter) called directly: under cProfile, Flask-Limiter's
per-request limit resolution took 12-16 % of a single lookup. Its fixed windows, counted as limits'
FixedWindowRateLimiter counts them, but X-RateLimit-Remaining is read from the count this request's increment
returned: the limiter's window stats read the count again, after other workers may have moved it, so two answers
could say the same number.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field

from eth_utils import is_hex_address, to_checksum_address
from flask import Flask, Response, current_app, g, request
from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from requests.exceptions import RequestException

from ledger.errors import ChainUnavailable, DeploymentError

from . import limit_storage  # noqa: F401  registers the mmap:// scheme with limits
from .auth import roles_of, token_account
from .problems import Problem

UNLIMITED_ENDPOINTS = {"health.livez", "health.readyz", "static", "docs_assets", "openapi.spec", "openapi.docs"}
EXTENSION = "rate_limits"
ROLE_CACHE_SECONDS = 60
ROLE_CACHE_SIZE = 10_000  # accounts remembered per worker; beyond that the oldest are forgotten
log = logging.getLogger(__name__)


@dataclass
class Privileged:
    """Which signed-in accounts get the signed-in limits: the allow-list, and holders of a role on chain (asked
    once a minute per account and worker; a chain that does not answer grants nothing)."""

    allowed: frozenset[str]
    _known: dict[str, tuple[bool, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, account: str) -> bool:
        if account.lower() in self.allowed:
            return True
        now = time.monotonic()
        with self._lock:
            known = self._known.get(account)
        if known is not None and known[1] > now:
            return known[0]
        try:
            roles = roles_of(account)
        except (ChainUnavailable, RequestException, DeploymentError) as fault:
            log.warning("roles of %s unknown (%s): counted by network address", account, type(fault).__name__)
            return False
        privileged = any(bool(value) for value in roles.values())
        with self._lock:
            if len(self._known) >= ROLE_CACHE_SIZE:
                self._known = {k: v for k, v in self._known.items() if v[1] > now}
                while len(self._known) >= ROLE_CACHE_SIZE:
                    self._known.pop(next(iter(self._known)))
            self._known[account] = (privileged, now + ROLE_CACHE_SECONDS)
        return privileged


@dataclass(frozen=True)
class RateLimits:
    storage: Storage
    anonymous: tuple[RateLimitItem, ...]
    signed_in: tuple[RateLimitItem, ...]
    auth: tuple[RateLimitItem, ...]
    objections: tuple[RateLimitItem, ...]
    privileged: Privileged


@dataclass(frozen=True)
class Quota:
    limit: int
    remaining: int
    reset: float  # unix seconds: the window's end


def _check() -> None:
    """Counts this request against its client's limits; a client over any of them gets a 429 problem."""
    if request.endpoint in UNLIMITED_ENDPOINTS:
        return
    limits: RateLimits = current_app.extensions[EXTENSION]
    address = f"address:{request.remote_addr}"
    if (request.endpoint or "").startswith(("auth.", "web.sign_in", "web.challenge")):
        _count(limits, limits.auth, f"auth:{request.remote_addr}")
        return
    try:
        account = token_account()
    except Problem:  # a refused token: counted against the network address, then refused
        _count(limits, limits.anonymous, address)
        raise
    if account and limits.privileged(account):
        _count(limits, limits.signed_in, f"account:{account}")
    else:
        _count(limits, limits.anonymous, address)


def count_objection(signer: str) -> None:
    """One objection relayed for ``signer`` (RATE_LIMIT_OBJECTIONS, per address: a key costs nothing, but each
    objection costs the relayer gas and the authority an answer); a 429 problem past the limit."""
    limits: RateLimits = current_app.extensions[EXTENSION]
    _count(limits, limits.objections, f"objections:{signer.lower()}")


def _count(limits: RateLimits, items: tuple[RateLimitItem, ...], key: str) -> None:
    tightest = None
    for item in items:
        window = item.key_for(key)
        count = limits.storage.incr(window, item.get_expiry())
        quota = Quota(item.amount, max(0, item.amount - count), limits.storage.get_expiry(window))
        if tightest is None or quota.remaining < tightest.remaining:
            tightest = quota
        if count > item.amount:
            g.quota = quota
            retry = max(1, math.ceil(quota.reset - time.time()))
            raise Problem(
                429, "rate-limited", "Too many requests", f"This client may send {item}; retry in {retry} s.",
                headers={"Retry-After": str(retry)},
            )  # fmt: skip
    g.quota = tightest


def _headers(response: Response) -> Response:
    quota: Quota | None = g.get("quota")
    if quota is not None:
        response.headers["X-RateLimit-Limit"] = str(quota.limit)
        response.headers["X-RateLimit-Remaining"] = str(quota.remaining)
        response.headers["X-RateLimit-Reset"] = str(math.ceil(quota.reset))
    return response


def _storage(uri: str) -> Storage:
    """The counts' storage named by RATELIMIT_STORAGE_URI; limits' async storages (async+redis://…) cannot serve
    a WSGI worker."""
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):
        raise ValueError(f"RATELIMIT_STORAGE_URI: {uri.split('://')[0]}:// is an asynchronous storage")
    return storage


def init_app(app: Flask) -> None:
    config = app.config
    app.extensions[EXTENSION] = RateLimits(
        _storage(config["RATELIMIT_STORAGE_URI"]),
        tuple(parse_many(config["RATE_LIMIT_ANONYMOUS"])),
        tuple(parse_many(config["RATE_LIMIT_SIGNED_IN"])),
        tuple(parse_many(config["RATE_LIMIT_AUTH"])),
        tuple(parse_many(config["RATE_LIMIT_OBJECTIONS"])),
        Privileged(_allow_list(config["RATE_LIMIT_ACCOUNTS"])),
    )
    app.before_request(_check)
    app.after_request(_headers)


def _allow_list(setting: str) -> frozenset[str]:
    """RATE_LIMIT_ACCOUNTS: addresses separated by commas or white space, compared without their checksum case."""
    addresses = setting.replace(",", " ").split()
    wrong = [a for a in addresses if not is_hex_address(a)]
    if wrong:
        raise ValueError(f"RATE_LIMIT_ACCOUNTS: not an address: {', '.join(wrong)}")
    return frozenset(to_checksum_address(a).lower() for a in addresses)
