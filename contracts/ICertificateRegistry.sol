// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Kind, Grade, Status, IssueAct, Delegation} from "./Common.sol";

/// @title The planning-qualification certificate registry
/// @notice Records every act on planning-firm qualification certificates and registered-planner certificates.
/// Every act can be sent directly by a regulator or relayed with the regulator's EIP-712 signature
/// (`...BySignature`); both are checked against the same roles and jurisdictions.
interface ICertificateRegistry {
    /// @notice A certificate as the views return it (storage packs it into 4 slots for a firm).
    struct Certificate {
        bytes32 subject; // keccak256 of the firm's credit code, or the salted hash of a planner's identity number
        bytes32 documentHash; // keccak256 of the canonical certificate document
        address holder; // optional key that proves possession; zero if none
        uint40 validFrom; // validity window [validFrom, validUntil), unix seconds
        uint40 validUntil;
        Status status; // stored status; see statusOf for the derived one
        Kind kind;
        address issuer; // regulator of the last issuing act (issue, renew, upgrade)
        Grade grade;
        uint8 province; // GB/T 2260 province code (firms: the province the subject is bound to now; planners: optional)
        uint16 version; // 1 at issue, +1 per amendment or transfer
        uint40 heldSince; // since when this grade has been held without a gap: the chain's time of the issuing act
        // (never the request's validFrom), carried over by renewals made before the old window ended
        bytes32 employer; // planners: subject of the firm they are registered with
        bytes32 predecessor; // the certificate this one renewed or upgraded
        bytes32 successor; // the certificate that superseded this one
    }

    /// @notice What a regulator submits to issue a certificate. The id is keccak256(bytes(number)).
    struct IssueRequest {
        string number; // official certificate or registration number, opaque, unique forever
        Kind kind;
        Grade grade;
        uint8 province;
        bytes32 subject;
        address holder;
        bytes32 employer;
        uint40 validFrom;
        uint40 validUntil;
        bytes32 documentHash;
        bytes publicData; // canonical JSON of the document's public fields, for indexers; not interpreted here
    }

    /// @notice The new certificate of a renewal or upgrade; subject, kind, province and employer carry over.
    struct SuccessorRequest {
        string number;
        address holder;
        uint40 validFrom;
        uint40 validUntil;
        bytes32 documentHash;
        bytes publicData;
    }

    /// @notice A certificate came into being by issue, renewal or upgrade. For the latter two, `predecessor`
    /// names the certificate it replaces, which is SUPERSEDED from this event on (no separate event: filter
    /// on the `predecessor` topic to see a certificate being superseded).
    event CertificateIssued(
        bytes32 indexed id,
        bytes32 indexed subject,
        bytes32 indexed predecessor,
        address issuer,
        IssueAct act,
        IssueRequest request
    );
    /// @notice `id` was made by the legacy import (by `importer`, holding IMPORTER_ROLE), not by an application's
    /// approval: a certificate granted before this ledger, whose procedure is on paper.
    event CertificateImported(bytes32 indexed id, address indexed importer);
    /// @notice The ministry upgraded `id` with the legacy flag: the two-year holding period was not checked.
    event HoldingPeriodWaived(bytes32 indexed id, address indexed actor);
    /// @notice Name, address, legal representative, scope or holder key changed; status unchanged.
    event CertificateAmended(
        bytes32 indexed id, address indexed actor, uint16 version, address holder, bytes32 documentHash, bytes publicData
    );
    /// @notice The holder key of `id` was bound (a first key, e.g. for an imported certificate) or replaced (a lost
    /// or compromised key) by `actor`, for `reasonHash` (the hash of the holder's request and the identity check).
    event HolderBound(bytes32 indexed id, address indexed actor, address previous, address holder, bytes32 reasonHash);
    /// @notice An ACTIVE certificate was suspended for `reason` (a non-zero reason code).
    event CertificateSuspended(bytes32 indexed id, address indexed actor, uint16 reason);
    /// @notice A suspension was lifted; `reason` is informative and may be zero.
    event CertificateReinstated(bytes32 indexed id, address indexed actor, uint16 reason);
    /// @notice The certificate was revoked for good for `reason` (a non-zero reason code).
    event CertificateRevoked(bytes32 indexed id, address indexed actor, uint16 reason);
    /// @notice A planner's registration moved to another firm (变更注册).
    event PlannerTransferred(
        bytes32 indexed id,
        bytes32 indexed fromEmployer,
        bytes32 indexed toEmployer,
        address actor,
        uint16 version,
        bytes32 documentHash,
        bytes publicData
    );

    /// @notice The ministry moved the firm `subject` from province `from` to `to`: from now on only `to`'s regulator
    /// (or the ministry) acts on its certificates, and new certificates for it must name `to`. `id` is the
    /// subject's latest firm certificate, which holds the binding (indexers set its province to `to`).
    event FirmMoved(bytes32 indexed subject, bytes32 indexed id, uint8 from, uint8 to, address by);

    // ---- Acts (direct form: msg.sender acts) ----
    // A firm subject is bound to a province by its first certificate (the province of the request, which the
    // relay and the import check against the credit code's region). From then on every act on its certificates is
    // judged by that binding (WrongJurisdiction for a provincial regulator of another province), a new
    // certificate for it must name it (SubjectInOtherProvince), and only `moveFirm` changes it.

    /// @notice Issue a new certificate. Grade A: the ministry; grade B: the firm's province (or the ministry);
    /// planners: the registrar.
    /// @dev Emits CertificateIssued. Reverts with Unauthorized or WrongJurisdiction for the wrong regulator,
    /// AlreadyIssued for a number used before, InvalidNumber for a number outside the documented format, and
    /// InvalidField, InvalidGrade, InvalidProvince, InvalidWindow, PlannerAlreadyRegistered or EmployerNotQualified
    /// (a planner's employer holds no live firm qualification) for a request that does not hold together.
    /// @param request The certificate to issue; its id is keccak256(bytes(request.number)).
    /// @return id The new certificate's id.
    function issue(IssueRequest calldata request) external returns (bytes32 id);

    /// @notice Issue many certificates in one transaction; each is checked as by `issue`, and any refusal
    /// reverts all.
    /// @param requests The certificates to issue, in order.
    /// @return ids Their ids, in the same order.
    function issueBatch(IssueRequest[] calldata requests) external returns (bytes32[] memory ids);

    /// @notice Upgrade an ACTIVE grade B firm certificate held for two years to grade A (ministry only).
    /// @dev Emits CertificateIssued (act UPGRADE, `predecessor` = `id`), after which `id` is SUPERSEDED, and
    /// HoldingPeriodWaived first when `legacy`. Reverts with Unauthorized unless the actor is the ministry,
    /// GradeHeldTooShort within the holding period (counted from `heldSince`, the chain's time of the issue).
    /// @param id The grade B certificate to upgrade.
    /// @param successor The new grade A certificate; subject, kind and province carry over.
    /// @param legacy Waives the holding period for records imported from the old register.
    /// @return newId The new certificate's id.
    function upgrade(bytes32 id, SuccessorRequest calldata successor, bool legacy) external returns (bytes32 newId);

    /// @notice Renew (延续) an ACTIVE certificate, expired or not, into a new one with a new validity window.
    /// @dev Emits CertificateIssued (act RENEW, `predecessor` = `id`), after which `id` is SUPERSEDED. The grade
    /// counts as held without a gap (heldSince carried over) if the renewal is made and the new window starts
    /// before the old one ended; otherwise it restarts at the chain's time of the renewal.
    /// @param id The certificate to renew.
    /// @param successor The new certificate; subject, kind, grade, province and employer carry over.
    /// @return newId The new certificate's id.
    function renew(bytes32 id, SuccessorRequest calldata successor) external returns (bytes32 newId);

    /// @notice Amend (变更) an ACTIVE or SUSPENDED, unexpired certificate's document and holder key: the legacy
    /// import of a change recorded before this ledger (IMPORTER_ROLE); a change now is an application (CHANGE).
    /// @dev Emits CertificateAmended with the certificate's new version.
    /// @param id The certificate to amend.
    /// @param holder The new holder key (zero for none).
    /// @param documentHash keccak256 of the amended canonical document; must not be zero.
    /// @param publicData Canonical JSON of the amended document's public fields, for indexers.
    function amend(bytes32 id, address holder, bytes32 documentHash, bytes calldata publicData) external;

    /// @notice Bind or replace the holder key of a live (ACTIVE or SUSPENDED) certificate, by the authority over
    /// it, recorded with its reason; the document and its version are unchanged. The key then files the holder's
    /// applications (upgrade, renewal) and answers presentations.
    /// @dev Emits HolderBound. Reverts with InvalidField for a zero holder or reasonHash, WrongStatus, or the
    /// authority's refusals.
    /// @param id The certificate.
    /// @param holder The holder's new key.
    /// @param reasonHash keccak256 of the reason (the holder's request, the identity check).
    function bindHolder(bytes32 id, address holder, bytes32 reasonHash) external;

    /// @notice Suspend an ACTIVE, unexpired certificate (e.g. rectification after inspection).
    /// @dev Emits CertificateSuspended. Reverts with MissingReason for a zero reason.
    /// @param id The certificate to suspend.
    /// @param reason Why (a non-zero reason code).
    function suspend(bytes32 id, uint16 reason) external;

    /// @notice Lift a suspension.
    /// @dev Emits CertificateReinstated. The certificate must be SUSPENDED and unexpired.
    /// @param id The suspended certificate.
    /// @param reason Why (informative; may be zero).
    function reinstate(bytes32 id, uint16 reason) external;

    /// @notice Revoke (撤回/撤销/注销) an ACTIVE or SUSPENDED certificate for good, expired or not.
    /// @dev Emits CertificateRevoked. Reverts with MissingReason for a zero reason, FourEyesRequired for any reason
    /// but CANCELLATION (3, 注销): the other revocations are four-eyes acts of the licensing registry (revokeFor).
    /// @param id The certificate to revoke.
    /// @param reason Why (a non-zero reason code).
    function revoke(bytes32 id, uint16 reason) external;

    /// @notice Move a firm subject to another province (the firm re-registered there; ministry only).
    /// @dev Emits FirmMoved. Reverts with Unauthorized unless the caller is the ministry, InvalidProvince for a code
    /// that is not a GB/T 2260 province, UnknownFirm for a subject no firm certificate was issued for.
    /// @param subject The firm's subject (keccak256 of its credit code).
    /// @param province The GB/T 2260 code of the province it is bound to from now on.
    function moveFirm(bytes32 subject, uint8 province) external;

    /// @notice Move an ACTIVE planner registration to another firm (变更注册).
    /// @dev Emits PlannerTransferred with the certificate's new version. Reverts with EmployerNotQualified unless
    /// the new employer holds a live firm qualification.
    /// @param id The planner's registration.
    /// @param employer The subject of the firm the planner moves to; must differ from the current one.
    /// @param documentHash keccak256 of the new canonical registration document; must not be zero.
    /// @param publicData Canonical JSON of the new document's public fields, for indexers.
    function transfer(bytes32 id, bytes32 employer, bytes32 documentHash, bytes calldata publicData) external;

    // ---- Acts by EIP-712 signature (anyone may relay; the signer is checked as msg.sender would be) ----
    // Each consumes the signer's nonce; each reverts with SignatureExpired after the deadline, InvalidAccountNonce
    // for a nonce other than the signer's next, and InvalidSignature unless the signer signed this very act.

    /// @notice `issue`, signed by the issuing regulator and sent by anyone (EIP-712 type `Issue`).
    /// @param request As for `issue`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    /// @return id The new certificate's id.
    function issueBySignature(IssueRequest calldata request, Delegation calldata delegation)
        external
        returns (bytes32 id);

    /// @notice `issueBatch`, signed once for the whole batch (EIP-712 type `IssueBatch`).
    /// @param requests As for `issueBatch`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    /// @return ids The new certificates' ids, in order.
    function issueBatchBySignature(IssueRequest[] calldata requests, Delegation calldata delegation)
        external
        returns (bytes32[] memory ids);

    /// @notice `upgrade`, signed by the ministry (EIP-712 type `Upgrade`).
    /// @param id As for `upgrade`.
    /// @param successor As for `upgrade`.
    /// @param legacy As for `upgrade`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    /// @return newId The new certificate's id.
    function upgradeBySignature(
        bytes32 id,
        SuccessorRequest calldata successor,
        bool legacy,
        Delegation calldata delegation
    ) external returns (bytes32 newId);

    /// @notice `renew`, signed by the regulator (EIP-712 type `Renew`).
    /// @param id As for `renew`.
    /// @param successor As for `renew`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    /// @return newId The new certificate's id.
    function renewBySignature(bytes32 id, SuccessorRequest calldata successor, Delegation calldata delegation)
        external
        returns (bytes32 newId);

    /// @notice `amend`, signed by the regulator (EIP-712 type `Amend`).
    /// @param id As for `amend`.
    /// @param holder As for `amend`.
    /// @param documentHash As for `amend`.
    /// @param publicData As for `amend`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    function amendBySignature(
        bytes32 id,
        address holder,
        bytes32 documentHash,
        bytes calldata publicData,
        Delegation calldata delegation
    ) external;

    /// @notice `suspend`, signed by the regulator (EIP-712 type `Suspend`).
    /// @param id As for `suspend`.
    /// @param reason As for `suspend`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    function suspendBySignature(bytes32 id, uint16 reason, Delegation calldata delegation) external;

    /// @notice `bindHolder`, relayed with the regulator's signature (type `BindHolder`).
    function bindHolderBySignature(bytes32 id, address holder, bytes32 reasonHash, Delegation calldata delegation)
        external;

    /// @notice `reinstate`, signed by the regulator (EIP-712 type `Reinstate`).
    /// @param id As for `reinstate`.
    /// @param reason As for `reinstate`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    function reinstateBySignature(bytes32 id, uint16 reason, Delegation calldata delegation) external;

    /// @notice `revoke`, signed by the regulator (EIP-712 type `Revoke`).
    /// @param id As for `revoke`.
    /// @param reason As for `revoke`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    function revokeBySignature(bytes32 id, uint16 reason, Delegation calldata delegation) external;

    /// @notice `transfer`, signed by the registrar (EIP-712 type `Transfer`).
    /// @param id As for `transfer`.
    /// @param employer As for `transfer`.
    /// @param documentHash As for `transfer`.
    /// @param publicData As for `transfer`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    function transferBySignature(
        bytes32 id,
        bytes32 employer,
        bytes32 documentHash,
        bytes calldata publicData,
        Delegation calldata delegation
    ) external;

    // ---- Acts decided through the licensing registry (callers holding LICENSING_ROLE only) ----
    // The licensing registry decides an application and makes its certificate in the same transaction; the
    // actor is the regulator who decided, judged exactly as if it had sent the act itself.

    /// @notice Issue `request` as decided by `issuer` (a first application approved).
    /// @dev As `issue`, with `issuer` in place of msg.sender; reverts with AccessControlUnauthorizedAccount unless
    /// the caller holds LICENSING_ROLE.
    /// @param issuer The regulator who approved the application.
    /// @param request The certificate to issue.
    /// @return id The new certificate's id.
    function issueFor(address issuer, IssueRequest calldata request) external returns (bytes32 id);

    /// @notice Upgrade `id` as decided by `actor` (an upgrade application approved); never `legacy`.
    /// @param actor The ministry's regulator who approved.
    /// @param id The grade B certificate.
    /// @param successor The grade A certificate that replaces it.
    /// @return newId The new certificate's id.
    function upgradeFor(address actor, bytes32 id, SuccessorRequest calldata successor)
        external
        returns (bytes32 newId);

    /// @notice Renew `id` as decided by `actor` (a renewal application approved).
    /// @param actor The regulator who approved.
    /// @param id The certificate to renew.
    /// @param successor The certificate that replaces it.
    /// @return newId The new certificate's id.
    function renewFor(address actor, bytes32 id, SuccessorRequest calldata successor)
        external
        returns (bytes32 newId);

    /// @notice Revoke `id` as confirmed by `actor` (the second regulator of a four-eyes revocation).
    /// @param actor The regulator who confirmed.
    /// @param id The certificate.
    /// @param reason The revocation's reason code.
    function revokeFor(address actor, bytes32 id, uint16 reason) external;

    /// @notice `amend` decided through the licensing registry (an approved CHANGE), judged for `actor`.
    function amendFor(address actor, bytes32 id, address holder, bytes32 documentHash, bytes calldata publicData)
        external;

    /// @notice `transfer` decided through the licensing registry (an approved PLANNER_CHANGE), judged for `actor`.
    function transferFor(address actor, bytes32 id, bytes32 employer, bytes32 documentHash, bytes calldata publicData)
        external;

    // ---- Views ----

    /// @notice The stored certificate; reverts with UnknownCertificate if there is none.
    /// @param id The certificate's id.
    /// @return The certificate, `status` as stored (never EXPIRED: see statusOf).
    function certificate(bytes32 id) external view returns (Certificate memory);

    /// @notice The status now, with EXPIRED derived from validUntil; NONE for an unknown id.
    /// @param id The certificate's id.
    /// @return The derived status.
    function statusOf(bytes32 id) external view returns (Status);

    /// @notice True when the certificate is ACTIVE, not expired and already in force.
    /// @param id The certificate's id.
    /// @return Whether it is valid at this block's time.
    function isValid(bytes32 id) external view returns (bool);

    /// @notice The planner registration that binds `subject` now, or zero.
    /// @param subject The planner's salted identity hash.
    /// @return The id of the live (ACTIVE or SUSPENDED, unexpired) registration, or zero.
    function registrationOf(bytes32 subject) external view returns (bytes32);

    /// @notice The province a firm subject is bound to: that of its first certificate, unless the ministry moved it.
    /// @param subject The firm's subject.
    /// @return The GB/T 2260 code, or 0 if no firm certificate was ever issued for the subject.
    function firmProvinceOf(bytes32 subject) external view returns (uint8);

    /// @notice The firm subject's live qualification: its latest firm certificate while that one is ACTIVE or
    /// SUSPENDED and unexpired, else zero (the credit registry counts records only against it).
    /// @param subject The firm's subject.
    /// @return The certificate's id, or zero.
    function qualificationOf(bytes32 subject) external view returns (bytes32);

    /// @notice firmProvinceOf and qualificationOf in one call (what a licensing decision needs of a firm).
    /// @param subject The firm's subject.
    /// @return province The subject's binding, or 0 if it never held a firm certificate.
    /// @return qualification Its live qualification, or zero.
    function firmOf(bytes32 subject) external view returns (uint8 province, bytes32 qualification);

    /// @notice keccak256 of the official number: the id under which a certificate is stored.
    /// @param number The official certificate or registration number.
    /// @return The certificate's id.
    function idOf(string calldata number) external pure returns (bytes32);

    /// @notice Reverts unless `account` may act on a certificate of this kind, grade and province: the one rule
    /// the other contracts of the ledger (credit records, inspections) apply too.
    /// @dev Planners: the registrar. Firms: the ministry for any grade and province; a provincial regulator for
    /// grade B in its own province. Reverts with Unauthorized (no such role) or WrongJurisdiction (a provincial
    /// regulator of another province).
    /// @param account The would-be actor.
    /// @param kind The certificate's kind.
    /// @param grade The certificate's grade (NONE for planners; for inspection rounds, NONE means both grades).
    /// @param province The certificate's province as `certificate(id)` returns it, which for a firm is its subject's
    /// binding (for inspection rounds, 0 means nationwide).
    function checkAuthority(address account, Kind kind, Grade grade, uint8 province) external view;
}
