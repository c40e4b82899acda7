"""Everything the wallet raises: one root, one class per refusal, each with a stable ``code``.

The API turns ``code`` into a problem+json ``type``; the CLI prints the message. Messages never contain a
password or a private key.
"""

from __future__ import annotations


class WalletError(Exception):
    """Root of every error raised by the wallet package."""

    code = "wallet-error"


# ---------------------------------------------------------------- keystores


class KeystoreError(WalletError):
    """A keystore could not be created, read or unlocked."""

    code = "keystore-error"


class WrongPassword(KeystoreError, ValueError):
    code = "wrong-password"


class CorruptedKeystore(KeystoreError, ValueError):
    code = "corrupted-keystore"


class UnknownKey(KeystoreError, LookupError):
    code = "unknown-key"


class BadLabel(KeystoreError, ValueError):
    code = "bad-label"


class KeyExists(KeystoreError, FileExistsError):
    code = "key-exists"


class InsecureKeystore(KeystoreError, PermissionError):
    """A keystore file or directory others may read, or a directory inside a source repository."""

    code = "insecure-keystore"


class PasswordUnavailable(KeystoreError):
    code = "password-unavailable"


class DevKeyRefused(KeystoreError, PermissionError):
    """A public development key was about to be used on a chain that is not a local one."""

    code = "dev-key-refused"


# ---------------------------------------------------------------- signatures and the messages they sign


class SignatureRefused(WalletError, ValueError):
    """A signed act, sign-in or presentation was refused. Subclasses say why."""

    code = "signature-refused"


class MalformedSignature(SignatureRefused):
    code = "malformed-signature"


class MalformedMessage(SignatureRefused):
    """The signed document or message does not have the required shape."""

    code = "malformed-message"


class SignerMismatch(SignatureRefused):
    """The signature is valid but not by the claimed signer: a field differs, or another key signed."""

    code = "signer-mismatch"


class WrongChain(SignatureRefused):
    code = "wrong-chain"


class WrongContract(SignatureRefused):
    code = "wrong-contract"


class Expired(SignatureRefused):
    """A signed act's deadline, a sign-in message's expiration or a nonce's lifetime has passed."""

    code = "expired"


class NotYetValid(SignatureRefused):
    code = "not-yet-valid"


class Replayed(SignatureRefused):
    """The nonce was already used, or was never issued by this verifier."""

    code = "replayed"


class MissingRole(SignatureRefused, PermissionError):
    """The signer holds no role that may perform this act (or not in this province)."""

    code = "missing-role"


class WrongDomain(SignatureRefused):
    code = "wrong-domain"


class WrongNonce(SignatureRefused):
    code = "wrong-nonce"


class WrongChallenge(SignatureRefused):
    """The answer's certificate, audience, issued-at or expiry differs from the challenge issued with its nonce."""

    code = "wrong-challenge"


class WrongUri(SignatureRefused):
    code = "wrong-uri"


class WrongAudience(SignatureRefused):
    code = "wrong-audience"


class NoSuchCertificate(SignatureRefused, LookupError):
    """A presentation names a certificate the ledger does not know."""

    code = "unknown-certificate"


class NotHolder(SignatureRefused, PermissionError):
    """The key that signed is not the holder bound to the certificate on chain."""

    code = "not-holder"


class CertificateNotValid(SignatureRefused):
    """The certificate exists but is suspended, revoked, superseded or expired."""

    code = "certificate-not-valid"


# ---------------------------------------------------------------- storage proofs


class ProofRefused(WalletError, ValueError):
    """A storage proof does not establish a verdict from the trusted block hash. Subclasses say why."""

    code = "proof-refused"


class MalformedProof(ProofRefused):
    code = "malformed-proof"


class HeaderMismatch(ProofRefused):
    """The block header does not hash to the block hash the verifier trusts."""

    code = "header-mismatch"


class BadProof(ProofRefused):
    """A Merkle-Patricia proof lacks a node on the path to a key, or has a node that is not one."""

    code = "bad-proof"


class CertificateAbsent(ProofRefused, LookupError):
    """The proof holds: the registry held no certificate with this number at that block."""

    code = "certificate-absent"


class ClaimContradicted(ProofRefused):
    """The proof holds, and the verdict that came with it says otherwise on ``fields``; ``verdict`` is the proven
    one."""

    code = "claim-contradicted"

    def __init__(self, message: str, fields: tuple[str, ...], verdict: object) -> None:
        super().__init__(message)
        self.fields = fields
        self.verdict = verdict
