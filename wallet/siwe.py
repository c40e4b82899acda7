"""Sign-In with Ethereum (EIP-4361): build the message, sign it, and verify it as a server must.

A small strict implementation on eth-account rather than the ``siwe`` package: siwe 4.4's ABNF grammar no longer
loads with the current ``abnf`` release, and its ``verify`` builds a new ``Web3`` object per call, which halves
the rate a login endpoint can serve. Conformance is tested against the package in the test suite.

The server always checks the domain, URI, chain id, time window and the nonce it issued, which is spent on
first use; the signature is the address's own key (EIP-191) or, for a contract account, EIP-1271. With a
``nonce_key`` the verifier stores nothing when it issues a nonce: the nonce carries its expiry and a MAC, and
only a good signature writes it down, as spent, so asking for nonces costs no storage.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import is_checksum_address, keccak

from .errors import (
    Expired,
    MalformedMessage,
    NotYetValid,
    SignerMismatch,
    WrongChain,
    WrongDomain,
    WrongNonce,
    WrongUri,
)
from .instants import timestamp
from .nonces import NonceStore, new_nonce
from .signatures import ContractWallets, check_signer, parse_signature

PURPOSE = "siwe"
_HEADER = " wants you to sign in with your Ethereum account:"
_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_NONCE = re.compile(r"^[A-Za-z0-9]{8,}$")
_MACED_NONCE = re.compile(r"^(?P<random>[A-Za-z0-9]{12})(?P<expiry>[0-9a-f]{8})(?P<mac>[0-9a-f]{32})$")
_DOMAIN = re.compile(r"^(?:(?P<scheme>[a-z][a-z0-9+.-]*)://)?(?P<domain>[^\s/?#]+)$")
_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
_OPTIONAL = (("Expiration Time", "expiration_time"), ("Not Before", "not_before"), ("Request ID", "request_id"))


@dataclass(frozen=True)
class SiweMessage:
    domain: str
    address: str
    uri: str
    chain_id: int
    nonce: str
    issued_at: str
    statement: str | None = None
    version: str = "1"
    expiration_time: str | None = None
    not_before: str | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = field(default=())
    scheme: str | None = None

    def text(self) -> str:
        """The message exactly as EIP-4361 lays it out; this text is what is signed."""
        lines = [f"{self.scheme + '://' if self.scheme else ''}{self.domain}{_HEADER}", self.address, ""]
        if self.statement is not None:
            lines.append(self.statement)
        lines += [
            "",
            f"URI: {self.uri}",
            f"Version: {self.version}",
            f"Chain ID: {self.chain_id}",
            f"Nonce: {self.nonce}",
            f"Issued At: {self.issued_at}",
        ]
        lines += [f"{label}: {getattr(self, name)}" for label, name in _OPTIONAL if getattr(self, name) is not None]
        if self.resources:
            lines += ["Resources:", *(f"- {resource}" for resource in self.resources)]
        return "\n".join(lines)

    @classmethod
    def parse(cls, text: str) -> SiweMessage:
        """The message's fields, or ``MalformedMessage`` naming the first line that breaks the grammar."""
        lines = text.split("\n")
        if len(lines) < 9 or not lines[0].endswith(_HEADER):
            raise MalformedMessage(f"a sign-in message starts '<domain>{_HEADER}'")
        origin = _DOMAIN.match(lines[0][: -len(_HEADER)])
        if origin is None:
            raise MalformedMessage("line 1: the domain is not an RFC 3986 authority")
        address = lines[1]
        if not is_checksum_address(address):
            raise MalformedMessage("line 2: the address must be EIP-55 checksummed")
        if lines[2] != "":
            raise MalformedMessage("line 3 must be empty")
        statement, rest = (None, lines[4:]) if lines[3] == "" else (lines[3], lines[4:])
        if statement is not None and (not rest or rest.pop(0) != ""):
            raise MalformedMessage("the statement is one line followed by an empty line")
        fields = _tagged(rest, ["URI", "Version", "Chain ID", "Nonce", "Issued At"])
        optional = _tagged_optional(rest, [label for label, _ in _OPTIONAL])
        resources = _resources(rest)
        if rest:
            raise MalformedMessage(f"unexpected line {rest[0]!r}")
        message = cls(
            domain=origin["domain"],
            scheme=origin["scheme"],
            address=address,
            statement=statement,
            uri=fields["URI"],
            version=fields["Version"],
            chain_id=_chain_id(fields["Chain ID"]),
            nonce=fields["Nonce"],
            issued_at=fields["Issued At"],
            expiration_time=optional.get("Expiration Time"),
            not_before=optional.get("Not Before"),
            request_id=optional.get("Request ID"),
            resources=tuple(resources),
        )
        message._check_grammar()
        return message

    def _check_grammar(self) -> None:
        if self.version != "1":
            raise MalformedMessage(f"version {self.version!r}: only version 1 exists")
        if not _URI.match(self.uri):
            raise MalformedMessage(f"URI {self.uri!r} is not an RFC 3986 URI")
        if not _NONCE.match(self.nonce):
            raise MalformedMessage("the nonce is at least 8 letters or digits")
        for name in ("issued_at", "expiration_time", "not_before"):
            value = getattr(self, name)
            if value is not None:
                _instant(value, name)


def _tagged(lines: list[str], labels: list[str]) -> dict[str, str]:
    found = {}
    for label in labels:
        if not lines or not lines[0].startswith(f"{label}: "):
            raise MalformedMessage(f"expected the line '{label}: …'")
        found[label] = lines.pop(0)[len(label) + 2 :]
    return found


def _tagged_optional(lines: list[str], labels: list[str]) -> dict[str, str]:
    found = {}
    for label in labels:
        if lines and lines[0].startswith(f"{label}: "):
            found[label] = lines.pop(0)[len(label) + 2 :]
    return found


def _resources(lines: list[str]) -> list[str]:
    if not lines or lines[0] != "Resources:":
        return []
    lines.pop(0)
    resources = []
    while lines and lines[0].startswith("- "):
        resources.append(lines.pop(0)[2:])
    return resources


def _chain_id(value: str) -> int:
    if not value.isdigit():
        raise MalformedMessage(f"chain id {value!r} is not a number")
    return int(value)


def _instant(value: str, name: str) -> int:
    if not _TIME.match(value):
        raise MalformedMessage(f"{name} {value!r} is not an RFC 3339 date-time")
    return int(datetime.fromisoformat(value).timestamp())


def personal_digest(text: str) -> bytes:
    """EIP-191 version 0x45 (``personal_sign``), as wallets sign sign-in messages."""
    body = text.encode()
    return keccak(b"\x19Ethereum Signed Message:\n" + str(len(body)).encode() + body)


def sign_in(account: LocalAccount, message: SiweMessage) -> tuple[str, str]:
    """The message text and its EIP-191 signature, as ``POST /api/v1/auth/login`` takes them."""
    text = message.text()
    return text, "0x" + bytes(Account.unsafe_sign_hash(personal_digest(text), account.key).signature).hex()


class SiweVerifier:
    """A server's sign-in check, configured with what it expects; it issues the nonces it accepts."""

    def __init__(
        self,
        *,
        domain: str,
        uri: str,
        chain_id: int,
        nonces: NonceStore,
        contract_wallets: ContractWallets | None = None,
        nonce_ttl: int = 300,
        clock_skew: int = 60,
        nonce_key: bytes | None = None,
    ) -> None:
        self.domain, self.uri, self.chain_id = domain, uri, chain_id
        self._nonces = nonces
        self._contract_wallets = contract_wallets
        self._nonce_ttl, self._skew = nonce_ttl, clock_skew
        self._nonce_key = nonce_key

    def issue_nonce(self, now: int) -> str:
        """A fresh nonce. With a ``nonce_key``: 12 random characters, the expiry and a MAC over both (52
        alphanumerics), stored nowhere; without one, a random nonce kept in the store."""
        if self._nonce_key is None:
            nonce = new_nonce()
            self._nonces.issue(PURPOSE, nonce, now, now + self._nonce_ttl)
            return nonce
        stem = new_nonce(12) + f"{now + self._nonce_ttl:08x}"
        return stem + self._mac(stem)

    def _mac(self, stem: str) -> str:
        assert self._nonce_key is not None
        return hmac.new(self._nonce_key, stem.encode(), hashlib.sha256).hexdigest()[:32]

    def _spend_nonce(self, nonce: str, now: int) -> None:
        if self._nonce_key is None:
            self._nonces.consume(PURPOSE, nonce, now)
            return
        parts = _MACED_NONCE.match(nonce)
        if parts is None or not hmac.compare_digest(parts["mac"], self._mac(nonce[:20])):
            raise WrongNonce(f"the nonce {nonce!r} was not issued by this verifier")
        expires_at = int(parts["expiry"], 16)
        if expires_at <= now:
            raise Expired(f"the nonce {nonce!r} expired at {timestamp(expires_at)}")
        self._nonces.spend(PURPOSE, nonce, now, expires_at)

    def verify(self, text: str, signature: str | bytes, now: int) -> SiweMessage:
        """The signed-in message, or the specific refusal. The nonce is spent only by a good signature."""
        message = SiweMessage.parse(text)
        if message.domain != self.domain:
            raise WrongDomain(f"the message is for {message.domain!r}; this server is {self.domain!r}")
        if message.uri != self.uri:
            raise WrongUri(f"the message signs in to {message.uri!r}; this server's sign-in URI is {self.uri!r}")
        if message.chain_id != self.chain_id:
            raise WrongChain(f"the message is for chain {message.chain_id}; this server serves chain {self.chain_id}")
        self._check_time(message, now)
        check_signer(
            message.address,
            personal_digest(text),
            parse_signature(signature),
            contract_wallets=self._contract_wallets,
            mismatch=SignerMismatch,
            what="this sign-in message",
        )
        self._spend_nonce(message.nonce, now)
        return message

    def _check_time(self, message: SiweMessage, now: int) -> None:
        if message.expiration_time is not None and _instant(message.expiration_time, "expiration_time") <= now:
            raise Expired(f"the sign-in message expired at {message.expiration_time}")
        if message.not_before is not None and _instant(message.not_before, "not_before") > now + self._skew:
            raise NotYetValid(f"the sign-in message is not valid before {message.not_before}")
        if _instant(message.issued_at, "issued_at") > now + self._skew:
            raise NotYetValid(f"the sign-in message claims to be issued in the future ({message.issued_at})")
