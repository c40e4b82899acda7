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
        uint8 province; // GB/T 2260 province code (firms: where registered; planners: optional)
        uint16 version; // 1 at issue, +1 per amendment or transfer
        uint40 heldSince; // since when this grade has been held without a gap (renewals carry it over)
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
    /// @notice Name, address, legal representative, scope or holder key changed; status unchanged.
    event CertificateAmended(
        bytes32 indexed id, address indexed actor, uint16 version, address holder, bytes32 documentHash, bytes publicData
    );
    event CertificateSuspended(bytes32 indexed id, address indexed actor, uint16 reason);
    event CertificateReinstated(bytes32 indexed id, address indexed actor, uint16 reason);
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

    // ---- Acts (direct form: msg.sender acts) ----

    /// @notice Issue a new certificate. Grade A: ministry; grade B: the firm's province (or the ministry); planners: registrar.
    function issue(IssueRequest calldata request) external returns (bytes32 id);
    /// @notice Issue many certificates in one transaction; each is checked as by `issue`, and any refusal reverts all.
    function issueBatch(IssueRequest[] calldata requests) external returns (bytes32[] memory ids);
    /// @notice Upgrade an ACTIVE grade B firm certificate held for two years to grade A (ministry only).
    /// `legacy` waives the holding period for records imported from the old register.
    function upgrade(bytes32 id, SuccessorRequest calldata successor, bool legacy) external returns (bytes32 newId);
    /// @notice Renew (延续) an ACTIVE certificate, expired or not, into a new one with a new validity window.
    function renew(bytes32 id, SuccessorRequest calldata successor) external returns (bytes32 newId);
    /// @notice Amend (变更) an ACTIVE or SUSPENDED, unexpired certificate's document and holder key.
    function amend(bytes32 id, address holder, bytes32 documentHash, bytes calldata publicData) external;
    /// @notice Suspend an ACTIVE, unexpired certificate (e.g. rectification after inspection).
    function suspend(bytes32 id, uint16 reason) external;
    /// @notice Lift a suspension.
    function reinstate(bytes32 id, uint16 reason) external;
    /// @notice Revoke (撤回/撤销/注销) an ACTIVE or SUSPENDED certificate for good.
    function revoke(bytes32 id, uint16 reason) external;
    /// @notice Move an ACTIVE planner registration to another firm.
    function transfer(bytes32 id, bytes32 employer, bytes32 documentHash, bytes calldata publicData) external;

    // ---- Acts by EIP-712 signature (anyone may relay; the signer is checked as msg.sender would be) ----

    function issueBySignature(IssueRequest calldata request, Delegation calldata delegation)
        external
        returns (bytes32 id);
    function issueBatchBySignature(IssueRequest[] calldata requests, Delegation calldata delegation)
        external
        returns (bytes32[] memory ids);
    function upgradeBySignature(
        bytes32 id,
        SuccessorRequest calldata successor,
        bool legacy,
        Delegation calldata delegation
    ) external returns (bytes32 newId);
    function renewBySignature(bytes32 id, SuccessorRequest calldata successor, Delegation calldata delegation)
        external
        returns (bytes32 newId);
    function amendBySignature(
        bytes32 id,
        address holder,
        bytes32 documentHash,
        bytes calldata publicData,
        Delegation calldata delegation
    ) external;
    function suspendBySignature(bytes32 id, uint16 reason, Delegation calldata delegation) external;
    function reinstateBySignature(bytes32 id, uint16 reason, Delegation calldata delegation) external;
    function revokeBySignature(bytes32 id, uint16 reason, Delegation calldata delegation) external;
    function transferBySignature(
        bytes32 id,
        bytes32 employer,
        bytes32 documentHash,
        bytes calldata publicData,
        Delegation calldata delegation
    ) external;

    // ---- Views ----

    /// @notice The stored certificate; reverts with UnknownCertificate if there is none.
    function certificate(bytes32 id) external view returns (Certificate memory);
    /// @notice The status now, with EXPIRED derived from validUntil; NONE for an unknown id.
    function statusOf(bytes32 id) external view returns (Status);
    /// @notice True when the certificate is ACTIVE, not expired and already in force.
    function isValid(bytes32 id) external view returns (bool);
    /// @notice The planner registration that binds `subject` now, or zero.
    function registrationOf(bytes32 subject) external view returns (bytes32);
    /// @notice keccak256 of the official number: the id under which a certificate is stored.
    function idOf(string calldata number) external pure returns (bytes32);
    /// @notice Reverts (Unauthorized, WrongJurisdiction) unless `account` may act on a certificate of this kind,
    /// grade and province: the one rule other contracts of the ledger (credit records) apply too.
    function checkAuthority(address account, Kind kind, Grade grade, uint8 province) external view;
}
