"""The wallet's ``NonceStore`` in the database, so that every API worker shares one set of single-use nonces.

Spending is one conditional UPDATE: of two workers racing to use the same nonce, exactly one changes the row.
The same UPDATE compares what the nonce was issued for (a presentation challenge's certificate, audience and
window), so an answer naming anything else spends nothing. Lapsed nonces are forgotten when new ones are issued
(a refused one then reads as never issued).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Engine, String, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError

from ledger.store.models import IssuedNonce
from wallet.errors import Expired, Replayed, WrongNonce
from wallet.instants import timestamp
from wallet.nonces import Binding, mismatch

_KEY = (IssuedNonce.purpose == bindparam("p_purpose")) & (IssuedNonce.nonce == bindparam("p_nonce"))
_EXPIRES = bindparam("p_expires_at", type_=BigInteger)  # typed: PostgreSQL cannot infer the type of a bare NULL
_BOUND = (  # NULL matches NULL: a nonce issued without a binding (sign-in) is spent without one
    IssuedNonce.certificate_id.is_not_distinct_from(bindparam("p_certificate", type_=String))
    & IssuedNonce.audience.is_not_distinct_from(bindparam("p_audience", type_=String))
    & IssuedNonce.issued_at.is_not_distinct_from(bindparam("p_issued_at", type_=BigInteger))
    & (_EXPIRES.is_(None) | (IssuedNonce.expires_at == _EXPIRES))
)
_SPEND = (  # statements built once: a verifier runs them per request
    update(IssuedNonce)
    .where(_KEY, _BOUND, IssuedNonce.used_at.is_(None), IssuedNonce.expires_at > bindparam("p_now"))
    .values(used_at=bindparam("p_now"))
)
_WHY = select(IssuedNonce.expires_at, IssuedNonce.used_at).where(_KEY)


class DatabaseNonces:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def issue(self, purpose: str, nonce: str, now: int, expires_at: int, binding: Binding | None = None) -> None:
        bound = (
            {"certificate_id": binding.certificate_id, "audience": binding.audience, "issued_at": binding.issued_at}
            if binding is not None
            else {}
        )
        with self._engine.begin() as connection:
            connection.execute(delete(IssuedNonce).where(IssuedNonce.expires_at <= now))  # can never be accepted
            connection.execute(
                IssuedNonce.__table__.insert().values(purpose=purpose, nonce=nonce, expires_at=expires_at, **bound)
            )

    def consume(self, purpose: str, nonce: str, now: int, binding: Binding | None = None) -> None:
        key = {"p_purpose": purpose, "p_nonce": nonce}
        claimed = {
            "p_certificate": binding.certificate_id if binding else None,
            "p_audience": binding.audience if binding else None,
            "p_issued_at": binding.issued_at if binding else None,
            "p_expires_at": binding.expires_at if binding else None,
        }
        with self._engine.begin() as connection:
            if connection.execute(_SPEND, {**key, **claimed, "p_now": now}).rowcount == 1:
                return
            row = connection.execute(_WHY, key).one_or_none()
        if row is None:
            raise WrongNonce(f"the nonce {nonce!r} was not issued by this verifier")
        if row.used_at is not None:
            raise Replayed(f"the nonce {nonce!r} was already used: a signature is good once")
        if row.expires_at <= now:
            raise Expired(f"the nonce {nonce!r} expired at {timestamp(row.expires_at)}")
        raise mismatch(nonce)

    def spend(self, purpose: str, nonce: str, now: int, expires_at: int) -> None:
        """One INSERT of the nonce as used: the primary key refuses a second, so of two workers racing, one wins."""
        try:
            with self._engine.begin() as connection:
                connection.execute(delete(IssuedNonce).where(IssuedNonce.expires_at <= now))
                connection.execute(
                    IssuedNonce.__table__.insert().values(
                        purpose=purpose, nonce=nonce, expires_at=expires_at, used_at=now
                    )
                )
        except IntegrityError:
            raise Replayed(f"the nonce {nonce!r} was already used: a signature is good once") from None
