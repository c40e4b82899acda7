"""Holder presentations: a firm or planner proves control of a certificate by signing a verifier's challenge.

The challenge is EIP-712 typed data in the registry's domain (so it binds chain id and contract): certificate id,
the verifier's audience, a nonce the verifier issued, issued-at and expiry. The verifier checks it against the
holder address the chain binds to the certificate and the certificate's current status (a ``HolderLookup``:
the ledger serves it from its read model), then spends the nonce: a presentation is good once. The nonce is
stored with the certificate, audience and window it was issued for, and an answer naming anything else is
refused (``wrong-challenge``): the client sends those fields back, so only the comparison makes them binding.
The audience is the relying party's own (a tender platform, a portal), named for each challenge unless the
verifier serves only one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount

from .errors import (
    CertificateNotValid,
    Expired,
    MalformedMessage,
    NoSuchCertificate,
    NotHolder,
    NotYetValid,
    WrongAudience,
)
from .instants import timestamp
from .nonces import Binding, NonceStore
from .signatures import ContractWallets, check_signer, parse_signature
from .typed_acts import Domain, from_typed_json, to_typed_json, typed_data_digest

PURPOSE = "presentation"
PRESENTATION_FORMAT = "planning-ledger/presentation/v1"
PRESENTATION_TYPES = {
    "Presentation": [
        {"name": "certificateId", "type": "bytes32"},
        {"name": "audience", "type": "string"},
        {"name": "nonce", "type": "bytes32"},
        {"name": "issuedAt", "type": "uint64"},
        {"name": "expiresAt", "type": "uint64"},
    ]
}


@dataclass(frozen=True)
class HolderRecord:
    """What the chain says about a certificate, as a presentation verifier needs it."""

    holder: str
    status: str
    valid: bool


HolderLookup = Callable[[bytes, int], HolderRecord | None]  # (certificate id, instant) -> its record then


@dataclass(frozen=True)
class Challenge:
    """What the verifier asks the holder to sign."""

    domain: Domain
    certificate_id: bytes
    audience: str
    nonce: bytes
    issued_at: int
    expires_at: int

    def message(self) -> dict[str, Any]:
        return {
            "certificateId": self.certificate_id,
            "audience": self.audience,
            "nonce": self.nonce,
            "issuedAt": self.issued_at,
            "expiresAt": self.expires_at,
        }

    def digest(self) -> bytes:
        return typed_data_digest(self.domain, PRESENTATION_TYPES, "Presentation", self.message())

    def to_json(self) -> dict[str, Any]:
        return {"domain": self.domain.as_dict(), "message": to_typed_json(self.message())}

    def binding(self) -> Binding:
        """What the verifier keeps beside the nonce and compares with the answer."""
        return Binding("0x" + self.certificate_id.hex(), self.audience, self.issued_at, self.expires_at)

    @classmethod
    def from_json(cls, document: Any) -> Challenge:
        if not isinstance(document, dict):
            raise MalformedMessage("a challenge is a JSON object with domain and message")
        message = from_typed_json(document.get("message"), "Presentation", PRESENTATION_TYPES, "message")
        return cls(
            Domain.from_dict(document.get("domain")),
            message["certificateId"],
            message["audience"],
            message["nonce"],
            message["issuedAt"],
            message["expiresAt"],
        )


@dataclass(frozen=True)
class Presentation:
    """A signed challenge: the holder's answer."""

    challenge: Challenge
    signature: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "format": PRESENTATION_FORMAT,
            **self.challenge.to_json(),
            "signature": "0x" + self.signature.hex(),
        }

    @classmethod
    def from_json(cls, document: Any) -> Presentation:
        if not isinstance(document, dict) or document.get("format") != PRESENTATION_FORMAT:
            raise MalformedMessage(f"not a presentation: expected format {PRESENTATION_FORMAT!r}")
        return cls(Challenge.from_json(document), parse_signature(document.get("signature")))


def present(account: LocalAccount, challenge: Challenge) -> Presentation:
    """The holder's answer to ``challenge``, signed with the key bound to the certificate."""
    signature = Account.unsafe_sign_hash(challenge.digest(), account.key).signature
    return Presentation(challenge, bytes(signature))


class PresentationVerifier:
    """A verifier issuing challenges and checking answers: a relying party (a tender platform, a portal) for its
    own ``audience``, or a service for several, each naming its audience with every challenge."""

    def __init__(
        self,
        *,
        domain: Domain,
        audience: str | None = None,
        lookup: HolderLookup,
        nonces: NonceStore,
        contract_wallets: ContractWallets | None = None,
        ttl: int = 300,
        clock_skew: int = 60,
    ) -> None:
        self.domain, self.audience = domain, audience
        self._lookup, self._nonces, self._contract_wallets = lookup, nonces, contract_wallets
        self._ttl, self._skew = ttl, clock_skew

    def challenge(self, certificate_id: bytes, now: int, audience: str | None = None) -> Challenge:
        """A challenge for ``audience`` (this verifier's own by default) about ``certificate_id``."""
        audience = audience if audience is not None else self.audience
        if not audience:
            raise MalformedMessage("a challenge names the audience of the relying party that will check it")
        challenge = Challenge(self.domain, certificate_id, audience, secrets.token_bytes(32), now, now + self._ttl)
        self._nonces.issue(PURPOSE, challenge.nonce.hex(), now, challenge.expires_at, challenge.binding())
        return challenge

    def verify(self, presentation: Presentation, now: int, audience: str | None = None) -> HolderRecord:
        """The certificate's record once the presentation holds; else the specific refusal. Spends the nonce.
        ``audience``, if given (else this verifier's own, if it has one), is the audience the answer must name."""
        challenge = presentation.challenge
        challenge.domain.check(self.domain)
        expected = audience if audience is not None else self.audience
        if expected is not None and challenge.audience != expected:
            raise WrongAudience(f"the presentation is for {challenge.audience!r}, not {expected!r}")
        if challenge.expires_at <= now:
            raise Expired(f"the presentation expired at {timestamp(challenge.expires_at)} (now {timestamp(now)})")
        if challenge.issued_at > now + self._skew:
            raise NotYetValid(f"the presentation claims to be issued in the future ({timestamp(challenge.issued_at)})")
        record = self._lookup(challenge.certificate_id, now)
        if record is None:
            raise NoSuchCertificate(f"no certificate has id 0x{challenge.certificate_id.hex()}")
        check_signer(
            record.holder,
            challenge.digest(),
            presentation.signature,
            contract_wallets=self._contract_wallets,
            mismatch=NotHolder,
            what="this presentation (the certificate's holder on chain)",
        )
        if not record.valid:
            raise CertificateNotValid(f"the certificate is {record.status}")
        self._nonces.consume(PURPOSE, challenge.nonce.hex(), now, challenge.binding())
        return record
