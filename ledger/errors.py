"""Everything the ledger raises, in one tree under ``LedgerError``. Contract reverts arrive as named subclasses of
``ContractRevert`` (decoded by ``ledger.chain.reverts`` from the custom-error selector, never as a raw hex blob);
identifier refusals are ``IdentifierError``s (``ledger.certificates.identifiers``, one class per way an
identifier fails). The API maps each class to its problem type in one place (``api/problems.py``)."""

from __future__ import annotations

from typing import Any


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


class TransactionNotMined(LedgerError, TimeoutError):
    """A transaction sent but not seen mined within the sender's timeout. It may still be: waiting again finds it."""


class IndexMismatch(LedgerError):
    """The database indexes another registry or chain; ``ledger reindex`` starts it afresh."""


class IndexNotReady(LedgerError, LookupError):
    """The read model has not indexed the registry yet: it cannot answer for the chain."""


class BadCursor(LedgerError, ValueError):
    """A pagination cursor that this server did not hand out."""


class DocumentError(LedgerError, ValueError):
    """A certificate document is incomplete or malformed; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(f"{field}: {message}")


class ProfileError(LedgerError, ValueError):
    """A row of the profiles file is malformed; the message names the line and column."""


class RuleSetError(LedgerError, ValueError):
    """A rule set file is missing or inconsistent (weights, cut-offs, version)."""


class DossierError(LedgerError):
    """A dossier file the store refuses or cannot give (``ledger.licensing.dossiers``)."""


class FileTooLarge(DossierError, ValueError):
    """A dossier file larger than the store's limit (``limit`` bytes)."""

    def __init__(self, size: int, limit: int) -> None:
        self.size, self.limit = size, limit
        super().__init__(f"the file has {size:,} bytes; the limit is {limit:,}")


class UnsupportedFileType(DossierError, ValueError):
    """Bytes the store does not take: an applicant's file that is not PDF, PNG or JPEG (judged by its magic bytes,
    never its name) or not what its declared media type says, a record (manifest, checks) that is not JSON."""


class StoredFileMissing(DossierError, LookupError):
    """No file with this hash is in the store."""


class StoredFileCorrupt(DossierError):
    """The stored bytes no longer hash to their name: the store was damaged or tampered with."""


class ManifestError(DossierError, ValueError):
    """Bytes that are not a dossier manifest of a format this ledger reads."""


class VaultError(LedgerError):
    """The vault (personal values and their salts, ``ledger.vault``) cannot be opened, changed or trusted as asked."""


class VaultKeyMissing(VaultError):
    """The vault holds sealed rows but no key was given (neither LEDGER_VAULT_KEY nor the key file): nothing is
    read or written in clear instead."""


class VaultKeyWrong(VaultError):
    """The key given is malformed, or is not one the vault's rows are sealed with (a ciphertext that fails its
    AES-GCM tag is refused the same way): nothing is read or written with it."""


class VaultKeyExposed(VaultError):
    """The key file is readable by other users than its owner (it must be mode 0600)."""


class VaultNotMoved(VaultError):
    """The read model's database still holds vault rows of the old layout: they move to the vault's own database
    (VAULT_URL) before its tables are dropped."""


class BackupInvalid(VaultError):
    """A vault backup whose bytes, manifest or rows do not check out (damaged, tampered with, or another key's)."""


class ContractRevert(LedgerError, ValueError):
    """The contract refused an act. ``args`` holds the error's named arguments; ``data`` the raw revert data."""

    def __init__(self, fields: dict[str, Any] | None = None, data: str = "") -> None:
        self.fields = fields or {}
        self.data = data
        detail = ", ".join(f"{k}={_show(v)}" for k, v in self.fields.items())
        super().__init__(f"{type(self).__name__}({detail})" if detail else type(self).__name__)


def _show(value: Any) -> str:
    """A contract error's field as text: bytes as 0x-hex, numbers and addresses as they print. The one bytes-to-hex
    rule of the ledger and the API (``api.answers.hexed`` is this function)."""
    return "0x" + value.hex() if isinstance(value, bytes) else str(value)


class Unauthorized(ContractRevert):
    """The account holds no role that may perform this act on this kind or grade of certificate."""


class WrongJurisdiction(ContractRevert):
    """A provincial regulator acted on a firm of another province."""


class SubjectInOtherProvince(ContractRevert):
    """The firm's subject is bound to another province than the one the new certificate names."""


class EmployerNotQualified(ContractRevert):
    """A planner's employer is no firm holding a live qualification."""


class InvalidNumber(ContractRevert):
    """The certificate number is outside the documented format (docs/domain.md#identifiers)."""


class FourEyesRequired(ContractRevert):
    """A revocation for another reason than cancellation (注销) needs a second regulator: propose and confirm it."""


class UnknownFirm(ContractRevert):
    """No firm certificate was ever issued for this subject (nothing to move)."""


class DeadlineTooFar(ContractRevert):
    """A signed act's deadline lies further ahead than the contract's MAX_SIGNATURE_LIFETIME."""


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


class NotCurrentQualification(ContractRevert):
    """A credit record named a certificate that is not its subject's live qualification (``current``, or zero)."""


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
    """Results wait for the draw: the draw block and the reveal of the round's secret."""


class DrawNotRevealable(ContractRevert):
    """A round's secret is revealed after its draw block, within the 256 blocks whose hashes the chain keeps."""


class WrongSeedSecret(ContractRevert):
    """The secret revealed is not the one the round committed to."""


class AlreadyDrawn(ContractRevert):
    """The round's secret was revealed before."""


class NotInPopulation(ContractRevert):
    """The Merkle proof does not place the certificate at that position of the round's committed population."""


class NotDrawn(ContractRevert):
    """The certificate is in the round's population, but the draw did not select it."""


class OutsideRound(ContractRevert):
    """The certificate does not match the round's province and grade."""


class ResultAlreadyRecorded(ContractRevert):
    """This firm's result in this round is on chain already."""


# ---- the licensing registry's refusals (contracts/ILicensingRegistry.sol) ----


class UnknownApplication(ContractRevert):
    """No application has this id."""


class AlreadyFiled(ContractRevert):
    """This application (or objection) was filed before."""


class WrongStage(ContractRevert):
    """The application's stage does not allow this step."""


class NotApplicant(ContractRevert):
    """Only the applicant (the key that filed, the certificate's holder) may take this step."""


class QualificationHeld(ContractRevert):
    """A first application needs a firm without a live qualification."""


class InvalidApplication(ContractRevert):
    """The application does not fit its kind (``field`` names the faulty field)."""


class CompletionAlreadyRequested(ContractRevert):
    """The authority asks for completion once, with everything missing at once."""


class NotTheFirmsProvince(ContractRevert):
    """A grade A application's first review is the firm's own province's."""


class NoticeTooShort(ContractRevert):
    """The public notice must run at least the rule set's period (``earliest``)."""


class NoticeRunning(ContractRevert):
    """The public notice runs until ``endsAt``: no decision before."""


class NotInNotice(ContractRevert):
    """Objections are raised only while the notice runs."""


class ObjectionsUnanswered(ContractRevert):
    """Every objection must be answered before the decision."""


class UnknownObjection(ContractRevert):
    """No open objection has this id."""


class DossierChanged(ContractRevert):
    """The decision names another dossier than the one filed and reviewed."""


class DecisionMismatch(ContractRevert):
    """The certificate a decision makes is not the one applied for (``field``)."""


class AlreadyExtended(ContractRevert):
    """The decision period may be extended once."""


class ExpertReviewOutOfOrder(ContractRevert):
    """An expert review is begun once and ended once, in that order."""


class UnknownProposal(ContractRevert):
    """No open revocation proposal has this id."""


class SameRegulator(ContractRevert):
    """A revocation is confirmed by a second regulator, never by its proposer (who alone may withdraw it)."""


class OtherAuthority(ContractRevert):
    """The confirming regulator belongs to another authority than the proposer."""


class AlreadyProposed(ContractRevert):
    """This revocation proposal was made before."""


class AlreadyObjected(ContractRevert):
    """This objection (objector, evidence, text) was raised before."""


class NoticeTooLong(ContractRevert):
    """The public notice may run at most the contract's MAX_NOTICE_PERIOD (``latest``)."""


class NotProposer(ContractRevert):
    """Only the proposer withdraws its revocation proposal."""


class NotEmployer(ContractRevert):
    """A change of employer is consented to by the old or the new employer's qualification key, not this one."""


class ConsentMissing(ContractRevert):
    """The change of employer lacks the consent of ``employer``."""


class UnknownRevert(ContractRevert):
    """Revert data that matches no error of the contract's ABI (kept in ``data``)."""


REVERTS: dict[str, type[ContractRevert]] = {
    cls.__name__: cls for cls in ContractRevert.__subclasses__() if cls is not UnknownRevert
}
"""The contracts' custom errors by name: each Python class is named exactly as its Solidity error."""
