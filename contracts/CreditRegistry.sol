// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ICertificateRegistry} from "./ICertificateRegistry.sol";
import {SignedActs} from "./SignedActs.sol";
import {
    ICreditRegistry, CreditKind, Severity, InspectionOutcome, InvalidCredit, InvalidPublication, AlreadyRecorded,
    UnknownRecord, NotRestorable, RestorableFrom, AlreadyAnnounced, UnknownInspection, InvalidInspection,
    DrawBlockNotInFuture, NotDrawnYet, OutsideRound, ResultAlreadyRecorded, DrawNotRevealable, WrongSeedSecret,
    AlreadyDrawn, NotInPopulation, NotDrawn, NotCurrentQualification
} from "./ICreditRegistry.sol";
import {Kind, Grade, Status, Delegation} from "./Common.sol";

/// @title Credit records, restorations and random inspections
/// @notice See ICreditRegistry. Roles and jurisdictions are the certificate registry's, applied to the certificate
/// a record names: the ministry for grade A firms (and any firm), a province for its grade B firms, the registrar
/// for planners. Credit lives beside the certificate registry, whose bytecode must stay under the 24 KiB limit.
contract CreditRegistry is ICreditRegistry, SignedActs {
    /// @notice Largest bonus or deduction one record may carry.
    uint16 public constant MAX_POINTS = 100;
    // Restoration tiers (docs/domain.md#restoration-tiers, from 1 April 2026). Months and years are counted in days on chain:
    // 3 months = 90 days, 1 year = 365 days, 3 years = 1,095 days.
    /// @notice Longest publication of a MINOR dishonesty record (3 months); restorable at any time.
    uint40 public constant MINOR_MAX = 90 days;
    /// @notice Shortest publication of a GENERAL dishonesty record (3 months): restorable from then on.
    uint40 public constant GENERAL_MIN = 90 days;
    /// @notice Longest publication of a GENERAL dishonesty record (1 year).
    uint40 public constant GENERAL_MAX = 365 days;
    /// @notice Shortest publication of a SERIOUS dishonesty record (1 year): restorable from then on.
    uint40 public constant SERIOUS_MIN = 365 days;
    /// @notice Longest publication of a SERIOUS dishonesty record (3 years).
    uint40 public constant SERIOUS_MAX = 1095 days;
    /// @notice Honours are published for at most five years (one certificate's validity).
    uint40 public constant HONOUR_MAX = 1825 days;

    string private constant _CREDIT_REQUEST_TYPE =
        "CreditRequest(bytes32 certificate,uint8 kind,uint8 severity,uint16 category,uint16 points,uint40 publishedFrom,uint40 publishedUntil,bytes32 evidenceHash,string decisionNumber)";
    string private constant _RESTORATION_REQUEST_TYPE =
        "RestorationRequest(bytes32 record,bytes32 evidenceHash,string decisionNumber)";
    bytes32 private constant _CREDIT_REQUEST_TYPEHASH = keccak256(bytes(_CREDIT_REQUEST_TYPE));
    bytes32 private constant _RESTORATION_REQUEST_TYPEHASH = keccak256(bytes(_RESTORATION_REQUEST_TYPE));
    /// @notice EIP-712 type hash of a signed recordCredit (the Python wallet's `RecordCredit`).
    bytes32 public constant RECORD_CREDIT_TYPEHASH = keccak256(
        abi.encodePacked("RecordCredit(CreditRequest request,uint256 nonce,uint256 deadline)", _CREDIT_REQUEST_TYPE)
    );
    /// @notice EIP-712 type hash of a signed restoreCredit (the Python wallet's `RestoreCredit`).
    bytes32 public constant RESTORE_CREDIT_TYPEHASH = keccak256(
        abi.encodePacked(
            "RestoreCredit(RestorationRequest request,uint256 nonce,uint256 deadline)", _RESTORATION_REQUEST_TYPE
        )
    );

    /// @dev What the contract needs later about a record: whose it is (for authority) and when it may be restored.
    struct Record {
        bytes32 certificate;
        uint40 minimumEnd;
        uint40 maximumEnd;
        CreditKind kind;
    }

    struct Round {
        uint64 drawBlock;
        uint8 province;
        Grade grade;
        uint16 sampleSize;
        uint32 populationSize;
        bytes32 seedCommitment;
        bytes32 populationRoot;
        bytes32 seed; // zero until revealed
    }

    /// @dev The certificate registry whose roles and certificates credit records rely on (see certificates()).
    ICertificateRegistry private immutable _certificates;

    mapping(bytes32 id => Record) private _records;
    /// @dev A restoration is its own record; this only links the restored record to it (never overwritten).
    mapping(bytes32 record => bytes32 restoration) private _restorations;
    mapping(bytes32 id => Round) private _rounds;
    mapping(bytes32 round => mapping(bytes32 certificate => bool)) private _results;

    /// @param registry The certificate registry whose roles and certificates credit records rely on.
    constructor(ICertificateRegistry registry) SignedActs("PlanningQualificationCredit") {
        _certificates = registry;
    }

    // ---------------------------------------------------------------- acts

    /// @inheritdoc ICreditRegistry
    function recordCredit(CreditRequest calldata request) external returns (bytes32) {
        return _record(msg.sender, request);
    }

    /// @inheritdoc ICreditRegistry
    function restoreCredit(RestorationRequest calldata request) external returns (bytes32) {
        return _restore(msg.sender, request);
    }

    /// @inheritdoc ICreditRegistry
    function recordCreditBySignature(CreditRequest calldata request, Delegation calldata delegation)
        external
        returns (bytes32)
    {
        return _record(
            _signer(delegation, _recordCreditHash(request, delegation.nonce, delegation.deadline)), request
        );
    }

    /// @inheritdoc ICreditRegistry
    function restoreCreditBySignature(RestorationRequest calldata request, Delegation calldata delegation)
        external
        returns (bytes32)
    {
        return _restore(
            _signer(delegation, _restoreCreditHash(request, delegation.nonce, delegation.deadline)), request
        );
    }

    /// @inheritdoc ICreditRegistry
    function announceInspection(InspectionRequest calldata request) external returns (bytes32 id) {
        // Nationwide rounds and rounds over both grades are the ministry's; a province draws its own grade B firms.
        _certificates.checkAuthority(msg.sender, Kind.FIRM, request.grade, request.province);
        if (bytes(request.title).length == 0) revert InvalidInspection("title");
        if (request.sampleSize == 0) revert InvalidInspection("sampleSize");
        if (request.inspectorsPerFirm == 0) revert InvalidInspection("inspectorsPerFirm");
        if (request.roster.length == 0) revert InvalidInspection("roster");
        if (request.seedCommitment == bytes32(0)) revert InvalidInspection("seedCommitment");
        if (request.populationSize == 0) revert InvalidInspection("populationSize");
        if (request.populationRoot == bytes32(0)) revert InvalidInspection("populationRoot");
        if (request.drawBlock <= block.number) revert DrawBlockNotInFuture(request.drawBlock);
        id = keccak256(bytes(request.title));
        if (_rounds[id].drawBlock != 0) revert AlreadyAnnounced(id);
        _rounds[id] = Round({
            drawBlock: request.drawBlock,
            province: request.province,
            grade: request.grade,
            sampleSize: request.sampleSize,
            populationSize: request.populationSize,
            seedCommitment: request.seedCommitment,
            populationRoot: request.populationRoot,
            seed: bytes32(0)
        });
        emit InspectionAnnounced(id, msg.sender, request);
    }

    /// @inheritdoc ICreditRegistry
    function revealDraw(bytes32 round, bytes32 secret) external returns (bytes32 seed) {
        Round storage r = _rounds[round];
        if (r.drawBlock == 0) revert UnknownInspection(round);
        if (r.seed != bytes32(0)) revert AlreadyDrawn(round);
        // blockhash is zero for the current and future blocks and for those older than 256 blocks.
        bytes32 drawBlockHash = blockhash(r.drawBlock);
        if (drawBlockHash == bytes32(0)) revert DrawNotRevealable(round, r.drawBlock);
        if (keccak256(abi.encode(secret)) != r.seedCommitment) revert WrongSeedSecret(round);
        seed = keccak256(abi.encode(round, secret, drawBlockHash));
        r.seed = seed;
        emit InspectionDrawn(round, seed, secret, drawBlockHash);
    }

    /// @inheritdoc ICreditRegistry
    function recordInspectionResult(
        bytes32 round,
        bytes32 certificate,
        uint256 position,
        bytes32[] calldata proof,
        InspectionOutcome outcome,
        bytes32 evidenceHash
    ) external {
        Round storage r = _rounds[round];
        if (r.drawBlock == 0) revert UnknownInspection(round);
        if (r.seed == bytes32(0)) revert NotDrawnYet(round, r.drawBlock);
        // The round's authority, the one that may announce a round over this filter, records its results.
        _certificates.checkAuthority(msg.sender, Kind.FIRM, r.grade, r.province);
        ICertificateRegistry.Certificate memory c = _certificates.certificate(certificate);
        bool matches = c.kind == Kind.FIRM && (r.province == 0 || r.province == c.province)
            && (r.grade == Grade.NONE || r.grade == c.grade);
        if (!matches) revert OutsideRound(round, certificate);
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(position, certificate))));
        if (position >= r.populationSize || !MerkleProof.verifyCalldata(proof, r.populationRoot, leaf)) {
            revert NotInPopulation(round, certificate, position);
        }
        if (!_selects(r, position)) revert NotDrawn(round, certificate);
        if (outcome == InspectionOutcome.NONE) revert InvalidInspection("outcome");
        if (evidenceHash == bytes32(0)) revert InvalidInspection("evidenceHash");
        if (_results[round][certificate]) revert ResultAlreadyRecorded(round, certificate);
        _results[round][certificate] = true;
        emit InspectionResultRecorded(round, certificate, msg.sender, outcome, evidenceHash);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICreditRegistry
    function isPublished(bytes32 id) external view returns (bool) {
        Record storage r = _records[id];
        return r.kind != CreditKind.NONE && _restorations[id] == 0 && block.timestamp < r.maximumEnd;
    }

    /// @inheritdoc ICreditRegistry
    function restorationOf(bytes32 id) external view returns (bytes32) {
        return _restorations[id];
    }

    /// @inheritdoc ICreditRegistry
    function drawBlockOf(bytes32 round) external view returns (uint64) {
        return _rounds[round].drawBlock;
    }

    /// @inheritdoc ICreditRegistry
    function seedOf(bytes32 round) external view returns (bytes32) {
        return _rounds[round].seed;
    }

    /// @inheritdoc ICreditRegistry
    function sampleOf(bytes32 round) external view returns (uint256[] memory) {
        Round storage r = _rounds[round];
        if (r.seed == bytes32(0)) return new uint256[](0);
        return _sample(r.seed, r.populationSize, r.sampleSize);
    }

    /// @inheritdoc ICreditRegistry
    function certificates() external view returns (ICertificateRegistry) {
        return _certificates;
    }

    // ---------------------------------------------------------------- logic

    function _record(address issuer, CreditRequest calldata request) private returns (bytes32 id) {
        ICertificateRegistry.Certificate memory c = _authorised(issuer, request.certificate);
        uint40 minimumEnd = _checkRequest(request);
        // Keyed by subject: the same decision named again against a renewed certificate is the same record.
        id = keccak256(abi.encode(request.decisionNumber, c.subject));
        if (_records[id].kind != CreditKind.NONE) revert AlreadyRecorded(id);
        _records[id] = Record(request.certificate, minimumEnd, request.publishedUntil, request.kind);
        emit CreditRecorded(id, c.subject, request.certificate, issuer, minimumEnd, request);
    }

    function _restore(address issuer, RestorationRequest calldata request) private returns (bytes32 id) {
        Record storage r = _records[request.record];
        if (r.kind == CreditKind.NONE) revert UnknownRecord(request.record);
        ICertificateRegistry.Certificate memory c = _live(r.certificate);
        _certificates.checkAuthority(issuer, c.kind, c.grade, c.province);
        if (r.kind != CreditKind.DISHONESTY || _restorations[request.record] != 0 || block.timestamp >= r.maximumEnd) {
            revert NotRestorable(request.record);
        }
        if (block.timestamp < r.minimumEnd) revert RestorableFrom(request.record, r.minimumEnd);
        if (request.evidenceHash == bytes32(0)) revert InvalidCredit("evidenceHash");
        if (bytes(request.decisionNumber).length == 0) revert InvalidCredit("decisionNumber");
        id = keccak256(abi.encode(request.decisionNumber, request.record));
        _restorations[request.record] = id;
        emit CreditRestored(id, request.record, c.subject, issuer, request.evidenceHash, request.decisionNumber);
    }

    /// @dev The certificate `id`, once it is its subject's live qualification and `actor` may act on it. Credit
    /// counts only against what the subject holds now: not a superseded certificate (whose grade may be out of
    /// date), a lapsed or revoked one, or a second certificate that no longer binds the subject.
    function _authorised(address actor, bytes32 id) private view returns (ICertificateRegistry.Certificate memory c) {
        c = _certificates.certificate(id);
        bytes32 current = c.kind == Kind.FIRM
            ? _certificates.qualificationOf(c.subject)
            : _certificates.registrationOf(c.subject);
        if (current != id) revert NotCurrentQualification(id, current);
        _certificates.checkAuthority(actor, c.kind, c.grade, c.province);
    }

    /// @dev The live end of certificate `id`'s renewal chain: `id` itself unless it was superseded, else the
    /// certificate that renewed or upgraded it, and so on. Its kind, grade and province decide who acts now.
    function _live(bytes32 id) private view returns (ICertificateRegistry.Certificate memory c) {
        c = _certificates.certificate(id);
        while (c.status == Status.SUPERSEDED) {
            c = _certificates.certificate(c.successor);
        }
    }

    /// @dev Whether the revealed round's draw selected `position` (within the population).
    function _selects(Round storage r, uint256 position) private view returns (bool) {
        uint256[] memory drawn = _sample(r.seed, r.populationSize, r.sampleSize);
        for (uint256 j; j < drawn.length; ++j) {
            if (drawn[j] == position) return true;
        }
        return false;
    }

    /// @dev The first min(k, n) steps of a Fisher-Yates shuffle of 0..n-1 driven by `seed` (see sampleOf). Only
    /// the positions a step moved are kept, as (position, value) pairs: O(k) memory, O(k²) lookups. Internal so
    /// that a test harness can show Python the contract's own draw.
    function _sample(bytes32 seed, uint256 n, uint256 k) internal pure returns (uint256[] memory drawn) {
        if (k > n) k = n;
        drawn = new uint256[](k);
        uint256[] memory movedAt = new uint256[](k);
        uint256[] memory movedValue = new uint256[](k);
        uint256 moved;
        for (uint256 j; j < k; ++j) {
            uint256 i = j + uint256(keccak256(abi.encode(seed, j))) % (n - j);
            uint256 atI = i;
            uint256 atJ = j;
            uint256 slotI = moved;
            for (uint256 m; m < moved; ++m) {
                if (movedAt[m] == i) {
                    atI = movedValue[m];
                    slotI = m;
                }
                if (movedAt[m] == j) atJ = movedValue[m];
            }
            drawn[j] = atI;
            // Position j is never read again; position i now holds what was at j.
            if (slotI == moved) {
                movedAt[moved] = i;
                ++moved;
            }
            movedValue[slotI] = atJ;
        }
    }

    /// @dev Checks a request's fields and publication period against its tier; returns its minimum end.
    function _checkRequest(CreditRequest calldata r) private view returns (uint40 minimumEnd) {
        if (r.category == 0) revert InvalidCredit("category");
        if (r.points == 0 || r.points > MAX_POINTS) revert InvalidCredit("points");
        if (r.evidenceHash == bytes32(0)) revert InvalidCredit("evidenceHash");
        if (bytes(r.decisionNumber).length == 0) revert InvalidCredit("decisionNumber");
        if (r.publishedFrom > block.timestamp || r.publishedUntil <= block.timestamp) {
            revert InvalidPublication(r.publishedFrom, r.publishedUntil);
        }
        (uint40 shortest, uint40 longest) = _tier(r.kind, r.severity);
        uint40 period = r.publishedUntil - r.publishedFrom;
        if (period < shortest || period > longest) revert InvalidPublication(r.publishedFrom, r.publishedUntil);
        return r.kind == CreditKind.DISHONESTY ? r.publishedFrom + shortest : r.publishedFrom;
    }

    /// @dev The shortest and longest publication of a record of this kind and severity.
    function _tier(CreditKind kind, Severity severity) private pure returns (uint40, uint40) {
        if (kind == CreditKind.HONOUR) {
            if (severity != Severity.NONE) revert InvalidCredit("severity");
            return (1, HONOUR_MAX);
        }
        if (kind != CreditKind.DISHONESTY) revert InvalidCredit("kind");
        if (severity == Severity.MINOR) return (0, MINOR_MAX);
        if (severity == Severity.GENERAL) return (GENERAL_MIN, GENERAL_MAX);
        if (severity == Severity.SERIOUS) return (SERIOUS_MIN, SERIOUS_MAX);
        revert InvalidCredit("severity");
    }


    // EIP-712 struct hashes; internal so that a test harness can show Python the contract's own digests.

    function _recordCreditHash(CreditRequest calldata r, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32 requestHash = keccak256(
            abi.encode(
                _CREDIT_REQUEST_TYPEHASH,
                r.certificate,
                r.kind,
                r.severity,
                r.category,
                r.points,
                r.publishedFrom,
                r.publishedUntil,
                r.evidenceHash,
                keccak256(bytes(r.decisionNumber))
            )
        );
        return keccak256(abi.encode(RECORD_CREDIT_TYPEHASH, requestHash, nonce, deadline));
    }

    function _restoreCreditHash(RestorationRequest calldata r, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32 requestHash = keccak256(
            abi.encode(_RESTORATION_REQUEST_TYPEHASH, r.record, r.evidenceHash, keccak256(bytes(r.decisionNumber)))
        );
        return keccak256(abi.encode(RESTORE_CREDIT_TYPEHASH, requestHash, nonce, deadline));
    }
}
