// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Grade, Delegation} from "./Common.sol";
import {ICertificateRegistry} from "./ICertificateRegistry.sol";

/// @notice Whether a credit record rewards or punishes.
enum CreditKind {
    NONE,
    HONOUR, // 荣誉信息: an award or commendation, a bonus of `points`
    DISHONESTY // 失信信息: a penalty, violation, failed post-approval check or 挂证 finding, a deduction of `points`
}

/// @notice The restoration tiers of dishonesty records (from 1 April 2026): how long a record is published and
/// from when it may be restored (信用修复). Honours carry NONE.
enum Severity {
    NONE,
    MINOR, // 轻微: published at most 3 months, restorable at any time
    GENERAL, // 一般: published 3 months to 1 year, restorable after 3 months
    SERIOUS // 严重: published 1 to 3 years, restorable after 1 year
}

/// @notice The outcome of one firm's inspection in a random-inspection round.
enum InspectionOutcome {
    NONE,
    PASSED, // 合格
    RECTIFY, // 责令整改
    FAILED // 不合格
}

// ---- Refusals (decoded by name on the Python side) ----

/// @dev A field of a credit record is empty or out of range (kind, severity, category, points, evidence, number).
error InvalidCredit(string field);
/// @dev The publication period does not fit the record's tier, starts in the future, or has already ended.
error InvalidPublication(uint40 publishedFrom, uint40 publishedUntil);
/// @dev This decision was already recorded against this subject's certificate.
error AlreadyRecorded(bytes32 id);
/// @dev No credit record has this id.
error UnknownRecord(bytes32 id);
/// @dev The record is not a dishonesty record still published, so there is nothing to restore.
error NotRestorable(bytes32 id);
/// @dev The record's minimum publication period has not passed yet.
error RestorableFrom(bytes32 id, uint40 minimumEnd);
/// @dev An inspection round with this title was already announced.
error AlreadyAnnounced(bytes32 id);
/// @dev No inspection round has this id.
error UnknownInspection(bytes32 id);
/// @dev A field of an inspection round is empty or out of range (title, sample size, inspectors, roster).
error InvalidInspection(string field);
/// @dev The draw block must lie in the future when a round is announced.
error DrawBlockNotInFuture(uint64 drawBlock);
/// @dev Results are recorded only once the draw block exists (the sample is known).
error NotDrawnYet(bytes32 round, uint64 drawBlock);
/// @dev The certificate does not match the round's filter (province, grade).
error OutsideRound(bytes32 round, bytes32 certificate);
/// @dev This firm's result in this round was already recorded.
error ResultAlreadyRecorded(bytes32 round, bytes32 certificate);

/// @title Credit supervision on the ledger: credit records, restorations and random inspections
/// @notice Records honours and dishonesty against the subject of a certificate (a firm or a planner) and never
/// overwrites them: a restoration is a record of its own that ends a dishonesty record's publication early. Who
/// may record is decided by the certificate registry's rule for that certificate (kind, grade, province). Random
/// inspection rounds (双随机、一公开) are announced before the block whose hash draws the sample.
interface ICreditRegistry {
    /// @notice What a regulator records. The record's id is keccak256(abi.encode(decisionNumber, certificate)):
    /// one decision names a subject once, and recording it twice is refused.
    struct CreditRequest {
        bytes32 certificate; // a certificate of the subject; its kind, grade and province decide who may record
        CreditKind kind;
        Severity severity; // dishonesty: its tier; honours: NONE
        uint16 category; // what it is for (award level, penalty, failed check, 挂证, ...): see ledger/credit
        uint16 points; // honour bonus or dishonesty deduction, 1 to MAX_POINTS
        uint40 publishedFrom; // the decision's date
        uint40 publishedUntil; // the end of publication the decision sets (maximum end)
        bytes32 evidenceHash; // keccak256 of the decision document
        string decisionNumber; // 决定文号
    }

    /// @notice A restoration (信用修复) of a dishonesty record: a new record that ends its publication now.
    struct RestorationRequest {
        bytes32 record;
        bytes32 evidenceHash;
        string decisionNumber;
    }

    /// @notice A random-inspection round. The population is every firm whose certificate matches the filter and
    /// is valid at the announcement block; the sample is drawn from the hash of `drawBlock`, which must lie in the
    /// future when the round is announced. The id is keccak256(bytes(title)).
    struct InspectionRequest {
        string title; // the round's public reference, e.g. 自然资规抽查〔2026〕3号
        uint8 province; // 0: nationwide
        Grade grade; // NONE: both grades
        uint16 sampleSize; // firms to draw
        uint8 inspectorsPerFirm; // inspectors to draw from the roster for each firm
        uint64 drawBlock;
        bytes roster; // canonical JSON array of the inspectors' public ids: the roster they are drawn from
    }

    /// @notice A record of honour or dishonesty. `minimumEnd` is when a dishonesty record becomes restorable.
    event CreditRecorded(
        bytes32 indexed id, bytes32 indexed subject, bytes32 indexed certificate, address issuer, uint40 minimumEnd,
        CreditRequest request
    );
    /// @notice A restoration ended the publication of dishonesty record `record` at this block's time.
    event CreditRestored(
        bytes32 indexed id, bytes32 indexed record, bytes32 indexed subject, address issuer, bytes32 evidenceHash,
        string decisionNumber
    );
    event InspectionAnnounced(bytes32 indexed id, address indexed announcer, InspectionRequest request);
    event InspectionResultRecorded(
        bytes32 indexed round, bytes32 indexed certificate, address inspector, InspectionOutcome outcome,
        bytes32 evidenceHash
    );

    function recordCredit(CreditRequest calldata request) external returns (bytes32 id);
    function restoreCredit(RestorationRequest calldata request) external returns (bytes32 id);
    function recordCreditBySignature(CreditRequest calldata request, Delegation calldata delegation)
        external
        returns (bytes32 id);
    function restoreCreditBySignature(
        RestorationRequest calldata request,
        Delegation calldata delegation
    ) external returns (bytes32 id);
    function announceInspection(InspectionRequest calldata request) external returns (bytes32 id);
    function recordInspectionResult(bytes32 round, bytes32 certificate, InspectionOutcome outcome, bytes32 evidenceHash)
        external;

    /// @notice The certificate registry whose roles and certificates credit records rely on.
    function certificates() external view returns (ICertificateRegistry);
}
