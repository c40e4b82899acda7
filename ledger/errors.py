"""Everything the ledger raises. One root (``LedgerError``); contract reverts arrive as named subclasses of
``ContractRevert`` decoded from the custom-error selector, never as a raw hex blob."""

from __future__ import annotations

from typing import Any

from eth_abi import decode as abi_decode
from eth_abi.exceptions import DecodingError
from eth_utils import function_signature_to_4byte_selector, to_checksum_address

from ledger.chain.abi import abi_type


class LedgerError(Exception):
    """Root of every error raised by the ledger package."""


class ChainUnavailable(LedgerError, ConnectionError):
    """The chain node does not answer."""


class ArtifactMissing(LedgerError, FileNotFoundError):
    """The contract has not been built (run ``make build``)."""


class DeploymentError(LedgerError):
    """No usable deployment of the registry on this chain."""


class TransactionFailed(LedgerError):
    """A transaction was mined but reverted without data we can decode."""


class ContractRevert(LedgerError, ValueError):
    """The contract refused an act. ``args`` holds the error's named arguments; ``data`` the raw revert data."""

    def __init__(self, fields: dict[str, Any] | None = None, data: str = "") -> None:
        self.fields = fields or {}
        self.data = data
        detail = ", ".join(f"{k}={_show(v)}" for k, v in self.fields.items())
        super().__init__(f"{type(self).__name__}({detail})" if detail else type(self).__name__)


def _show(value: Any) -> str:
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)


class Unauthorized(ContractRevert):
    """The account holds no role that may perform this act on this kind or grade of certificate."""


class WrongJurisdiction(ContractRevert):
    """A provincial regulator acted on a firm of another province."""


class UnknownCertificate(ContractRevert):
    """No certificate has this id."""


class AlreadyIssued(ContractRevert):
    """A certificate with this number was issued before; numbers are never reused."""


class WrongStatus(ContractRevert):
    """The certificate's current status does not allow this act."""


class SignatureExpired(ContractRevert):
    """A signed act arrived after its deadline."""


class InvalidSignature(ContractRevert):
    """The signature is not the named signer's over this act, chain and contract."""


class InvalidWindow(ContractRevert):
    """The validity window is empty or already over."""


class PlannerAlreadyRegistered(ContractRevert):
    """The planner is bound to another live registration."""


class InvalidProvince(ContractRevert):
    """Not a GB/T 2260 province code."""


class InvalidGrade(ContractRevert):
    """Kind and grade do not fit together, or the act needs another grade."""


class InvalidField(ContractRevert):
    """A required field is empty, or a field does not belong to this kind."""


class WrongKind(ContractRevert):
    """The act does not apply to this kind of certificate."""


class GradeHeldTooShort(ContractRevert):
    """Grade B has not been held for two years yet."""


class MissingReason(ContractRevert):
    """Suspension and revocation need a reason code."""


class SameEmployer(ContractRevert):
    """A transfer must name a different firm."""


class UseAppointProvincialRegulator(ContractRevert):
    """Provincial regulators are appointed with their province, not granted the role directly."""


class InvalidAccountNonce(ContractRevert):
    """The signed act's nonce was used already or skips ahead (a replay, or an act out of order)."""


class AccessControlUnauthorizedAccount(ContractRevert):
    """The account lacks the role that administers this role."""


class AccessControlBadConfirmation(ContractRevert):
    """An account may renounce a role only for itself."""


class InvalidShortString(ContractRevert):
    """OpenZeppelin ShortStrings: unreachable for this contract's constant EIP-712 name."""


class StringTooLong(ContractRevert):
    """OpenZeppelin ShortStrings: unreachable for this contract's constant EIP-712 name."""


class InvalidCredit(ContractRevert):
    """A credit record's field is empty or out of range (``field`` names it)."""


class InvalidPublication(ContractRevert):
    """The publication period does not fit the record's tier, starts in the future or has already ended."""


class AlreadyRecorded(ContractRevert):
    """This decision was already recorded against this certificate's subject."""


class UnknownRecord(ContractRevert):
    """No credit record has this id."""


class NotRestorable(ContractRevert):
    """Only a dishonesty record still published can be restored, once."""


class RestorableFrom(ContractRevert):
    """The record's minimum publication period has not passed (``minimumEnd``)."""


class AlreadyAnnounced(ContractRevert):
    """An inspection round with this title exists."""


class UnknownInspection(ContractRevert):
    """No inspection round has this id."""


class InvalidInspection(ContractRevert):
    """An inspection round's or result's field is empty or out of range (``field`` names it)."""


class DrawBlockNotInFuture(ContractRevert):
    """A round's draw block must lie in the future when it is announced."""


class NotDrawnYet(ContractRevert):
    """Results wait for the draw block."""


class OutsideRound(ContractRevert):
    """The certificate does not match the round's province and grade."""


class ResultAlreadyRecorded(ContractRevert):
    """This firm's result in this round is on chain already."""


class UnknownRevert(ContractRevert):
    """Revert data that matches no error of the contract's ABI (kept in ``data``)."""


REVERTS: dict[str, type[ContractRevert]] = {
    cls.__name__: cls for cls in ContractRevert.__subclasses__() if cls is not UnknownRevert
}


class RevertDecoder:
    """Turns revert data into the named exception, using the selectors of the ABI's custom errors."""

    def __init__(self, abi: list[dict[str, Any]]) -> None:
        self._errors: dict[bytes, dict[str, Any]] = {}
        for entry in abi:
            if entry["type"] == "error":
                types = ",".join(abi_type(i) for i in entry["inputs"])
                self._errors[function_signature_to_4byte_selector(f"{entry['name']}({types})")] = entry

    def decode(self, data: str | bytes) -> ContractRevert:
        raw = bytes.fromhex(data.removeprefix("0x")) if isinstance(data, str) else data
        entry = self._errors.get(raw[:4])
        if entry is None:
            return UnknownRevert({}, "0x" + raw.hex())
        try:
            values = abi_decode([abi_type(i) for i in entry["inputs"]], raw[4:])
        except DecodingError:
            return UnknownRevert({}, "0x" + raw.hex())
        fields = {
            i["name"]: to_checksum_address(v) if i["type"] == "address" else v
            for i, v in zip(entry["inputs"], values, strict=True)
        }
        return REVERTS.get(entry["name"], UnknownRevert)(fields, "0x" + raw.hex())
