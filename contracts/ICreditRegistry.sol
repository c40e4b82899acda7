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
/// @dev This decision was already recorded against this subject (under any certificate of its renewal chain).
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
/// @dev Results are recorded only once the draw is revealed (the sample is known).
error NotDrawnYet(bytes32 round, uint64 drawBlock);
/// @dev The draw is revealed after the draw block and within the 256 blocks whose hashes the chain keeps.
error DrawNotRevealable(bytes32 round, uint64 drawBlock);
/// @dev The secret revealed is not the preimage of the round's seed commitment.
error WrongSeedSecret(bytes32 round);
/// @dev The round's draw was revealed before.
error AlreadyDrawn(bytes32 round);
/// @dev The certificate is not at this position of the population the round committed to (Merkle proof fails).
error NotInPopulation(bytes32 round, bytes32 certificate, uint256 position);
/// @dev The certificate is in the round's population but the draw did not select it.
error NotDrawn(bytes32 round, bytes32 certificate);
/// @dev The certificate does not match the round's filter (province, grade).
error OutsideRound(bytes32 round, bytes32 certificate);
/// @dev This firm's result in this round was already recorded.
error ResultAlreadyRecorded(bytes32 round, bytes32 certificate);
/// @dev A record must name its subject's live qualification (a firm's current certificate, a planner's current
/// registration): `current` is that certificate, or zero when the subject holds none.
error NotCurrentQualification(bytes32 certificate, bytes32 current);

/// @title Credit supervision on the ledger: credit records, restorations and random inspections
/// @notice Records honours and dishonesty against the subject of a certificate (a firm or a planner) and never
/// overwrites them: a restoration is a record of its own that ends a dishonesty record's publication early. Who
/// may record is decided by the certificate registry's rule for that certificate (kind, grade, province). Random
/// inspection rounds (双随机、一公开) are announced before the block whose hash draws the sample.
interface ICreditRegistry {
    /// @notice What a regulator records. The record's id is keccak256(abi.encode(decisionNumber, subject)), the
    /// subject being the named certificate's: one decision names a subject once, whichever of its certificates
    /// it names, and recording it twice is refused (also against a renewed or upgraded successor).
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
    /// is valid at the announcement block, sorted by certificate id; the announcer commits to it (its size and the
    /// Merkle root of its (position, certificate) leaves, which anyone recomputes from the chain) and to a secret.
    /// The seed is keccak256(abi.encode(id, secret, blockhash(drawBlock))): `drawBlock` lies in the future when the
    /// round is announced, and the secret is revealed after it, so neither the announcer nor the draw block's
    /// producer chooses the sample alone. The id is keccak256(bytes(title)).
    struct InspectionRequest {
        string title; // the round's public reference, e.g. 自然资规抽查〔2026〕3号
        uint8 province; // 0: nationwide
        Grade grade; // NONE: both grades
        uint16 sampleSize; // firms to draw
        uint8 inspectorsPerFirm; // inspectors to draw from the roster for each firm
        uint64 drawBlock;
        bytes32 seedCommitment; // keccak256(abi.encode(secret)), the secret revealed by revealDraw
        uint32 populationSize; // firms in the population
        bytes32 populationRoot; // Merkle root (OpenZeppelin MerkleProof) of the leaves (position, certificate)
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
    /// @notice An inspection round was announced; its sample is drawn from the hash of `request.drawBlock` and the
    /// secret committed to, once revealed.
    event InspectionAnnounced(bytes32 indexed id, address indexed announcer, InspectionRequest request);
    /// @notice The secret of round `round` was revealed: `seed` draws its sample from now on.
    event InspectionDrawn(bytes32 indexed round, bytes32 seed, bytes32 secret, bytes32 drawBlockHash);
    /// @notice The outcome of one drawn firm's inspection in round `round`, recorded by the round's authority.
    event InspectionResultRecorded(
        bytes32 indexed round, bytes32 indexed certificate, address inspector, InspectionOutcome outcome,
        bytes32 evidenceHash
    );

    // ---- Acts (direct form: msg.sender acts) ----

    /// @notice Record an honour or a dishonesty against the subject of `request.certificate`.
    /// @dev Emits CreditRecorded. Who may record is the certificate registry's rule for that certificate
    /// (checkAuthority: Unauthorized, WrongJurisdiction). The certificate must be its subject's live qualification
    /// (qualificationOf for a firm, registrationOf for a planner), else NotCurrentQualification: a superseded,
    /// lapsed, revoked or displaced certificate carries no new credit, and the current grade decides. Reverts with InvalidCredit or InvalidPublication for a request that does not
    /// fit its tier, AlreadyRecorded for a decision recorded before against this subject.
    /// @param request The record; its id is keccak256(abi.encode(request.decisionNumber, subject)), `subject`
    /// being that of `request.certificate`.
    /// @return id The new record's id.
    function recordCredit(CreditRequest calldata request) external returns (bytes32 id);

    /// @notice Restore (信用修复) a dishonesty record still published, once its minimum period has passed: a
    /// restoration is a record of its own that ends the record's publication now.
    /// @dev Emits CreditRestored. The subject's live certificate decides who may restore: the record's certificate,
    /// or, once that was superseded, the end of its renewal chain (so a record made before a renewal or upgrade stays
    /// restorable, by the authority over the grade the firm holds now). Reverts
    /// with UnknownRecord, NotRestorable (an honour, already restored, or publication over), RestorableFrom (too
    /// early) or InvalidCredit (empty evidence or decision number).
    /// @param request The restoration; its id is keccak256(abi.encode(request.decisionNumber, request.record)).
    /// @return id The restoration's id.
    function restoreCredit(RestorationRequest calldata request) external returns (bytes32 id);

    // ---- Acts by EIP-712 signature (anyone may relay; the signer is checked as msg.sender would be) ----
    // The credit registry's own domain (PlanningQualificationCredit, version 1) and nonces. Each reverts with
    // SignatureExpired after the deadline, InvalidAccountNonce for a nonce other than the signer's next, and
    // InvalidSignature unless the signer signed this very act.

    /// @notice `recordCredit`, signed by the regulator and sent by anyone (EIP-712 type `RecordCredit`).
    /// @param request As for `recordCredit`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    /// @return id The new record's id.
    function recordCreditBySignature(CreditRequest calldata request, Delegation calldata delegation)
        external
        returns (bytes32 id);

    /// @notice `restoreCredit`, signed by the regulator and sent by anyone (EIP-712 type `RestoreCredit`).
    /// @param request As for `restoreCredit`.
    /// @param delegation The signer, its nonce, the deadline and the signature over the act.
    /// @return id The restoration's id.
    function restoreCreditBySignature(
        RestorationRequest calldata request,
        Delegation calldata delegation
    ) external returns (bytes32 id);

    /// @notice Announce a random-inspection round (双随机、一公开) before the block whose hash draws its sample.
    /// @dev Emits InspectionAnnounced. Nationwide rounds and rounds over both grades are the ministry's; a province
    /// announces rounds over its own grade B firms (checkAuthority for a firm of that grade and province): that is
    /// the round's authority, the only one to record its results. Reverts with InvalidInspection for an empty field
    /// (title, sampleSize, inspectorsPerFirm, roster, seedCommitment, populationSize, populationRoot),
    /// DrawBlockNotInFuture, or AlreadyAnnounced for a title used before.
    /// @param request The round; its id is keccak256(bytes(request.title)).
    /// @return id The round's id.
    function announceInspection(InspectionRequest calldata request) external returns (bytes32 id);

    /// @notice Reveal a round's secret after its draw block: fixes the seed that draws the sample.
    /// @dev Emits InspectionDrawn. Anyone holding the secret may send it (the commitment proves it). Reverts with
    /// UnknownInspection, AlreadyDrawn, DrawNotRevealable (before the draw block is mined, or once its hash is
    /// older than 256 blocks: the round is then void and a new one must be announced) or WrongSeedSecret.
    /// @param round The round's id.
    /// @param secret The preimage of the round's `seedCommitment`.
    /// @return seed keccak256(abi.encode(round, secret, blockhash(drawBlock))).
    function revealDraw(bytes32 round, bytes32 secret) external returns (bytes32 seed);

    /// @notice Record the outcome of one drawn firm's inspection in a round, once the draw is revealed.
    /// @dev Emits InspectionResultRecorded. Only the round's authority records (checkAuthority for the round's
    /// filter: Unauthorized, WrongJurisdiction). Reverts with UnknownInspection, NotDrawnYet, OutsideRound (not a
    /// firm of the round's province and grade), NotInPopulation (the proof does not place the certificate at
    /// `position` of the committed population), NotDrawn (the draw did not select `position`), InvalidInspection
    /// (no outcome or evidence) or ResultAlreadyRecorded.
    /// @param round The round's id.
    /// @param certificate The inspected firm's certificate.
    /// @param position Its position in the population (sorted by certificate id, from 0).
    /// @param proof The Merkle proof of the leaf (position, certificate) under the round's population root.
    /// @param outcome Passed, rectify or failed.
    /// @param evidenceHash keccak256 of the inspection report; must not be zero.
    function recordInspectionResult(
        bytes32 round,
        bytes32 certificate,
        uint256 position,
        bytes32[] calldata proof,
        InspectionOutcome outcome,
        bytes32 evidenceHash
    ) external;

    // ---- Views ----

    /// @notice Whether record `id` is published now: recorded, not restored, and before its maximum end.
    /// @param id The record's id.
    /// @return True while the record is published.
    function isPublished(bytes32 id) external view returns (bool);

    /// @notice The restoration that ended record `id` early, or zero.
    /// @param id The record's id.
    /// @return The restoration's id, or zero if the record was not restored.
    function restorationOf(bytes32 id) external view returns (bytes32);

    /// @notice The draw block of an announced round, or zero.
    /// @param round The round's id.
    /// @return The block whose hash draws the round's sample; zero for an unknown round.
    function drawBlockOf(bytes32 round) external view returns (uint64);

    /// @notice The seed of a revealed round, or zero before the reveal.
    /// @param round The round's id.
    /// @return keccak256(abi.encode(round, secret, blockhash(drawBlock))), or zero.
    function seedOf(bytes32 round) external view returns (bytes32);

    /// @notice The positions in the population that a revealed round's draw selected, in draw order.
    /// @dev A partial Fisher-Yates shuffle of 0..populationSize-1: step j swaps position j with position
    /// j + uint256(keccak256(abi.encode(seed, j))) % (populationSize - j) and selects what lands at j. Empty
    /// before the reveal.
    /// @param round The round's id.
    /// @return positions min(sampleSize, populationSize) distinct positions.
    function sampleOf(bytes32 round) external view returns (uint256[] memory positions);

    /// @notice The certificate registry whose roles and certificates credit records rely on.
    /// @return The registry, fixed at deployment.
    function certificates() external view returns (ICertificateRegistry);
}
