"""The wallet's ``NonceStore`` in the database, so that every API worker shares one set of single-use nonces.

Spending is one conditional UPDATE: of two workers racing to use the same nonce, exactly one changes the row.
Lapsed nonces are forgotten when new ones are issued (a refused one then reads as never issued).
"""

from __future__ import annotations

from sqlalchemy import Engine, bindparam, delete, select, update

from ledger.store.models import IssuedNonce
from wallet.errors import Expired, Replayed, WrongNonce

_KEY = (IssuedNonce.purpose == bindparam("p_purpose")) & (IssuedNonce.nonce == bindparam("p_nonce"))
_SPEND = (  # statements built once: a verifier runs them per request
    update(IssuedNonce)
    .where(_KEY, IssuedNonce.used_at.is_(None), IssuedNonce.expires_at > bindparam("p_now"))
    .values(used_at=bindparam("p_now"))
)
_WHY = select(IssuedNonce.expires_at, IssuedNonce.used_at).where(_KEY)


class DatabaseNonces:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def issue(self, purpose: str, nonce: str, now: int, expires_at: int) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(IssuedNonce).where(IssuedNonce.expires_at <= now))  # can never be accepted
            connection.execute(
                IssuedNonce.__table__.insert().values(purpose=purpose, nonce=nonce, expires_at=expires_at)
            )

    def consume(self, purpose: str, nonce: str, now: int) -> None:
        key = {"p_purpose": purpose, "p_nonce": nonce}
        with self._engine.begin() as connection:
            if connection.execute(_SPEND, {**key, "p_now": now}).rowcount == 1:
                return
            row = connection.execute(_WHY, key).one_or_none()
        if row is None:
            raise WrongNonce(f"the nonce {nonce!r} was not issued by this verifier")
        if row.used_at is not None:
            raise Replayed(f"the nonce {nonce!r} was already used: a signature is good once")
        raise Expired(f"the nonce {nonce!r} expired at {row.expires_at}")
