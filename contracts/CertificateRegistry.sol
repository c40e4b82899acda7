// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICertificateRegistry} from "./ICertificateRegistry.sol";
import {SignedActs} from "./SignedActs.sol";
import {ActTypes, ISSUE_REQUEST_TYPE, SUCCESSOR_REQUEST_TYPE} from "./ActTypes.sol";
import {RegulatorRoles} from "./RegulatorRoles.sol";
import {
    Kind, Grade, Status, IssueAct, Delegation, UnknownCertificate, AlreadyIssued, WrongStatus, InvalidWindow,
    PlannerAlreadyRegistered, InvalidProvince, InvalidGrade, InvalidField, WrongKind, GradeHeldTooShort, MissingReason,
    SameEmployer, SubjectInOtherProvince, UnknownFirm, EmployerNotQualified, InvalidNumber, FourEyesRequired, Unauthorized,
    isProvinceCode,
    isCertificateNumber
} from "./Common.sol";

/// @title The planning-qualification certificate registry
/// @notice See ICertificateRegistry. Lifecycle: issue → ACTIVE; ACTIVE ⇄ SUSPENDED; ACTIVE|SUSPENDED → REVOKED;
/// ACTIVE → SUPERSEDED by renew or upgrade. REVOKED and SUPERSEDED are terminal; EXPIRED is derived.
contract CertificateRegistry is ICertificateRegistry, RegulatorRoles, SignedActs {
    /// @notice Grade B must be held this long before an upgrade to grade A (两年).
    uint40 public constant GRADE_B_HOLDING_PERIOD = 730 days;
    /// @notice The one revocation reason a single regulator records alone: 注销, cancellation (voluntary, dissolved,
    /// lapsed). Every other reason (撤回 1, 撤销 2, 出租出借 4, 吊销 5, any other) takes a second regulator of the
    /// same authority: proposeRevocation and confirmRevocation in the licensing registry.
    uint16 public constant CANCELLATION = 3;

    // EIP-712 type hashes; each preimage is exactly the string hashed, as in Python's wallet/typed_acts.
    /// @notice EIP-712 type hash of a signed issue (type `Issue`).
    bytes32 public constant ISSUE_TYPEHASH =
        keccak256(abi.encodePacked("Issue(IssueRequest request,uint256 nonce,uint256 deadline)", ISSUE_REQUEST_TYPE));
    /// @notice EIP-712 type hash of a signed issueBatch (type `IssueBatch`).
    bytes32 public constant ISSUE_BATCH_TYPEHASH = keccak256(
        abi.encodePacked("IssueBatch(IssueRequest[] requests,uint256 nonce,uint256 deadline)", ISSUE_REQUEST_TYPE)
    );
    /// @notice EIP-712 type hash of a signed upgrade (type `Upgrade`).
    bytes32 public constant UPGRADE_TYPEHASH = keccak256(
        abi.encodePacked(
            "Upgrade(bytes32 id,SuccessorRequest successor,bool legacy,uint256 nonce,uint256 deadline)",
            SUCCESSOR_REQUEST_TYPE
        )
    );
    /// @notice EIP-712 type hash of a signed renew (type `Renew`).
    bytes32 public constant RENEW_TYPEHASH = keccak256(
        abi.encodePacked(
            "Renew(bytes32 id,SuccessorRequest successor,uint256 nonce,uint256 deadline)", SUCCESSOR_REQUEST_TYPE
        )
    );
    /// @notice EIP-712 type hash of a signed amend (type `Amend`).
    bytes32 public constant AMEND_TYPEHASH = keccak256(
        "Amend(bytes32 id,address holder,bytes32 documentHash,bytes publicData,uint256 nonce,uint256 deadline)"
    );
    /// @notice EIP-712 type hash of a signed bindHolder (type `BindHolder`).
    bytes32 public constant BIND_HOLDER_TYPEHASH =
        keccak256("BindHolder(bytes32 id,address holder,bytes32 reasonHash,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type hash of a signed suspend (type `Suspend`).
    bytes32 public constant SUSPEND_TYPEHASH =
        keccak256("Suspend(bytes32 id,uint16 reason,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type hash of a signed reinstate (type `Reinstate`).
    bytes32 public constant REINSTATE_TYPEHASH =
        keccak256("Reinstate(bytes32 id,uint16 reason,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type hash of a signed revoke (type `Revoke`).
    bytes32 public constant REVOKE_TYPEHASH = keccak256("Revoke(bytes32 id,uint16 reason,uint256 nonce,uint256 deadline)");
    /// @notice EIP-712 type hash of a signed transfer (type `Transfer`).
    bytes32 public constant TRANSFER_TYPEHASH = keccak256(
        "Transfer(bytes32 id,bytes32 employer,bytes32 documentHash,bytes publicData,uint256 nonce,uint256 deadline)"
    );

    /// @dev What is stored per certificate: 4 slots, every one of them written once at issue. Links and a
    /// planner's employer live in their own mappings so that a firm certificate pays for none of them.
    struct Record {
        // The subject while the certificate is live. Once SUPERSEDED, the successor's id: the subject is the same
        // along a renewal chain, so it is read from the successor, and the link costs no fresh slot.
        bytes32 subjectOrSuccessor;
        bytes32 documentHash;
        address holder;
        uint40 validFrom;
        uint40 validUntil;
        Status status;
        Kind kind;
        address issuer;
        Grade grade;
        uint8 province;
        uint16 version;
        uint40 heldSince;
    }

    mapping(bytes32 id => Record) private _records;
    mapping(bytes32 id => bytes32 firmSubject) private _employers;
    mapping(bytes32 id => bytes32 predecessor) private _predecessors;
    mapping(bytes32 plannerSubject => bytes32 id) private _registrations;
    /// @dev A firm subject's latest firm certificate (zero: none ever issued). Its province is the subject's
    /// jurisdiction (fixed by the first certificate, moved only by moveFirm); while it binds, it is the
    /// subject's live qualification. One slot per firm subject, written again by each new certificate.
    mapping(bytes32 firmSubject => bytes32 id) private _firms;

    /// @param admin The governance admin, who grants the ministry and registrar roles.
    constructor(address admin) RegulatorRoles(admin) SignedActs("PlanningQualificationLedger") {}

    // ---------------------------------------------------------------- direct acts

    /// @inheritdoc ICertificateRegistry
    function issue(IssueRequest calldata request) external returns (bytes32) {
        _checkImporter(msg.sender);
        return _imported(_issue(msg.sender, request), msg.sender);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatch(IssueRequest[] calldata requests) external returns (bytes32[] memory) {
        return _importBatch(msg.sender, requests);
    }

    /// @inheritdoc ICertificateRegistry
    function upgrade(bytes32 id, SuccessorRequest calldata successor, bool legacy) external returns (bytes32) {
        _checkImporter(msg.sender);
        return _imported(_upgrade(msg.sender, id, successor, legacy), msg.sender);
    }

    /// @inheritdoc ICertificateRegistry
    function renew(bytes32 id, SuccessorRequest calldata successor) external returns (bytes32) {
        _checkImporter(msg.sender);
        return _imported(_renew(msg.sender, id, successor), msg.sender);
    }

    /// @inheritdoc ICertificateRegistry
    function amend(bytes32 id, address holder, bytes32 documentHash, bytes calldata publicData) external {
        _checkImporter(msg.sender);
        _amend(msg.sender, id, holder, documentHash, publicData);
    }

    /// @inheritdoc ICertificateRegistry
    function bindHolder(bytes32 id, address holder, bytes32 reasonHash) external {
        _bindHolder(msg.sender, id, holder, reasonHash);
    }

    /// @inheritdoc ICertificateRegistry
    function suspend(bytes32 id, uint16 reason) external {
        _suspend(msg.sender, id, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function reinstate(bytes32 id, uint16 reason) external {
        _reinstate(msg.sender, id, reason);
    }

    /// @inheritdoc ICertificateRegistry
    function revoke(bytes32 id, uint16 reason) external {
        _revoke(msg.sender, id, reason, false);
    }

    /// @inheritdoc ICertificateRegistry
    function transfer(bytes32 id, bytes32 employer, bytes32 documentHash, bytes calldata publicData) external {
        _checkImporter(msg.sender);
        _transfer(msg.sender, id, employer, documentHash, publicData);
    }

    /// @inheritdoc ICertificateRegistry
    function moveFirm(bytes32 subject, uint8 province) external onlyMinistry {
        if (!isProvinceCode(province)) revert InvalidProvince(province);
        bytes32 latest = _firms[subject];
        if (latest == bytes32(0)) revert UnknownFirm(subject);
        Record storage r = _records[latest];
        uint8 from = r.province;
        r.province = province;
        emit FirmMoved(subject, latest, from, province, msg.sender);
    }

    // ---------------------------------------------------------------- acts decided through the licensing registry

    /// @inheritdoc ICertificateRegistry
    function issueFor(address issuer, IssueRequest calldata request)
        external
        onlyRole(LICENSING_ROLE)
        returns (bytes32)
    {
        return _issue(issuer, request);
    }

    /// @inheritdoc ICertificateRegistry
    function upgradeFor(address actor, bytes32 id, SuccessorRequest calldata successor)
        external
        onlyRole(LICENSING_ROLE)
        returns (bytes32)
    {
        return _upgrade(actor, id, successor, false);
    }

    /// @inheritdoc ICertificateRegistry
    function renewFor(address actor, bytes32 id, SuccessorRequest calldata successor)
        external
        onlyRole(LICENSING_ROLE)
        returns (bytes32)
    {
        return _renew(actor, id, successor);
    }

    /// @inheritdoc ICertificateRegistry
    function revokeFor(address actor, bytes32 id, uint16 reason) external onlyRole(LICENSING_ROLE) {
        _revoke(actor, id, reason, true);
    }

    /// @inheritdoc ICertificateRegistry
    function amendFor(address actor, bytes32 id, address holder, bytes32 documentHash, bytes calldata publicData)
        external
        onlyRole(LICENSING_ROLE)
    {
        _amend(actor, id, holder, documentHash, publicData);
    }

    /// @inheritdoc ICertificateRegistry
    function transferFor(address actor, bytes32 id, bytes32 employer, bytes32 documentHash, bytes calldata publicData)
        external
        onlyRole(LICENSING_ROLE)
    {
        _transfer(actor, id, employer, documentHash, publicData);
    }

    // ---------------------------------------------------------------- acts by signature

    /// @inheritdoc ICertificateRegistry
    function issueBySignature(IssueRequest calldata request, Delegation calldata delegation)
        external
        returns (bytes32)
    {
        address signer = _signer(delegation, _issueHash(request, delegation.nonce, delegation.deadline));
        _checkImporter(signer);
        return _imported(_issue(signer, request), signer);
    }

    /// @inheritdoc ICertificateRegistry
    function issueBatchBySignature(IssueRequest[] calldata requests, Delegation calldata delegation)
        external
        returns (bytes32[] memory)
    {
        return _importBatch(
            _signer(delegation, _issueBatchHash(requests, delegation.nonce, delegation.deadline)), requests
        );
    }

    /// @inheritdoc ICertificateRegistry
    function upgradeBySignature(
        bytes32 id,
        SuccessorRequest calldata successor,
        bool legacy,
        Delegation calldata delegation
    ) external returns (bytes32) {
        address signer =
            _signer(delegation, _upgradeHash(id, successor, legacy, delegation.nonce, delegation.deadline));
        _checkImporter(signer);
        return _imported(_upgrade(signer, id, successor, legacy), signer);
    }

    /// @inheritdoc ICertificateRegistry
    function renewBySignature(bytes32 id, SuccessorRequest calldata successor, Delegation calldata delegation)
        external
        returns (bytes32)
    {
        address signer = _signer(delegation, _renewHash(id, successor, delegation.nonce, delegation.deadline));
        _checkImporter(signer);
        return _imported(_renew(signer, id, successor), signer);
    }

    /// @inheritdoc ICertificateRegistry
    function amendBySignature(
        bytes32 id,
        address holder,
        bytes32 documentHash,
        bytes calldata publicData,
        Delegation calldata delegation
    ) external {
        address signer = _signer(
            delegation, _amendHash(id, holder, documentHash, publicData, delegation.nonce, delegation.deadline)
        );
        _checkImporter(signer);
        _amend(signer, id, holder, documentHash, publicData);
    }

    /// @inheritdoc ICertificateRegistry
    function bindHolderBySignature(bytes32 id, address holder, bytes32 reasonHash, Delegation calldata delegation)
        external
    {
        address signer =
            _signer(delegation, _bindHolderHash(id, holder, reasonHash, delegation.nonce, delegation.deadline));
        _bindHolder(signer, id, holder, reasonHash);
    }

    /// @inheritdoc ICertificateRegistry
    function suspendBySignature(bytes32 id, uint16 reason, Delegation calldata delegation) external {
        _suspend(
            _signer(delegation, _statusActHash(SUSPEND_TYPEHASH, id, reason, delegation.nonce, delegation.deadline)),
            id,
            reason
        );
    }

    /// @inheritdoc ICertificateRegistry
    function reinstateBySignature(bytes32 id, uint16 reason, Delegation calldata delegation) external {
        _reinstate(
            _signer(delegation, _statusActHash(REINSTATE_TYPEHASH, id, reason, delegation.nonce, delegation.deadline)),
            id,
            reason
        );
    }

    /// @inheritdoc ICertificateRegistry
    function revokeBySignature(bytes32 id, uint16 reason, Delegation calldata delegation) external {
        _revoke(
            _signer(delegation, _statusActHash(REVOKE_TYPEHASH, id, reason, delegation.nonce, delegation.deadline)),
            id,
            reason,
            false
        );
    }

    /// @inheritdoc ICertificateRegistry
    function transferBySignature(
        bytes32 id,
        bytes32 employer,
        bytes32 documentHash,
        bytes calldata publicData,
        Delegation calldata delegation
    ) external {
        address signer = _signer(
            delegation, _transferHash(id, employer, documentHash, publicData, delegation.nonce, delegation.deadline)
        );
        _checkImporter(signer);
        _transfer(signer, id, employer, documentHash, publicData);
    }

    // ---------------------------------------------------------------- EIP-712 struct hashes of the acts
    // Internal so that a test harness (tests/contracts/utils/ActDigests.sol) can show Python the contract's own.

    function _issueHash(IssueRequest calldata request, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(ISSUE_TYPEHASH, ActTypes.hashIssueRequest(request), nonce, deadline));
    }

    function _issueBatchHash(IssueRequest[] calldata requests, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32[] memory hashes = new bytes32[](requests.length);
        for (uint256 i = 0; i < requests.length; ++i) {
            hashes[i] = ActTypes.hashIssueRequest(requests[i]);
        }
        return keccak256(abi.encode(ISSUE_BATCH_TYPEHASH, keccak256(abi.encodePacked(hashes)), nonce, deadline));
    }

    function _upgradeHash(
        bytes32 id,
        SuccessorRequest calldata successor,
        bool legacy,
        uint256 nonce,
        uint256 deadline
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(UPGRADE_TYPEHASH, id, ActTypes.hashSuccessorRequest(successor), legacy, nonce, deadline));
    }

    function _renewHash(bytes32 id, SuccessorRequest calldata successor, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(RENEW_TYPEHASH, id, ActTypes.hashSuccessorRequest(successor), nonce, deadline));
    }

    function _amendHash(
        bytes32 id,
        address holder,
        bytes32 documentHash,
        bytes calldata publicData,
        uint256 nonce,
        uint256 deadline
    ) internal pure returns (bytes32) {
        return keccak256(abi.encode(AMEND_TYPEHASH, id, holder, documentHash, keccak256(publicData), nonce, deadline));
    }

    function _bindHolderHash(bytes32 id, address holder, bytes32 reasonHash, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(BIND_HOLDER_TYPEHASH, id, holder, reasonHash, nonce, deadline));
    }

    /// @dev Suspend, Reinstate and Revoke share one shape and differ only in their type hash.
    function _statusActHash(bytes32 typeHash, bytes32 id, uint16 reason, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(typeHash, id, reason, nonce, deadline));
    }

    function _transferHash(
        bytes32 id,
        bytes32 employer,
        bytes32 documentHash,
        bytes calldata publicData,
        uint256 nonce,
        uint256 deadline
    ) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(TRANSFER_TYPEHASH, id, employer, documentHash, keccak256(publicData), nonce, deadline)
        );
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ICertificateRegistry
    function certificate(bytes32 id) external view returns (Certificate memory) {
        Record storage r = _existing(id);
        bool superseded = r.status == Status.SUPERSEDED;
        bytes32 subject = _subjectOf(r);
        return Certificate({
            subject: subject,
            documentHash: r.documentHash,
            holder: r.holder,
            validFrom: r.validFrom,
            validUntil: r.validUntil,
            status: r.status,
            kind: r.kind,
            issuer: r.issuer,
            grade: r.grade,
            province: r.kind == Kind.FIRM ? _records[_firms[subject]].province : r.province,
            version: r.version,
            heldSince: r.heldSince,
            employer: _employers[id],
            predecessor: _predecessors[id],
            successor: superseded ? r.subjectOrSuccessor : bytes32(0)
        });
    }

    /// @inheritdoc ICertificateRegistry
    function statusOf(bytes32 id) external view returns (Status) {
        return _statusOf(_records[id]);
    }

    /// @inheritdoc ICertificateRegistry
    function isValid(bytes32 id) external view returns (bool) {
        Record storage r = _records[id];
        return _statusOf(r) == Status.ACTIVE && r.validFrom <= block.timestamp;
    }

    /// @inheritdoc ICertificateRegistry
    function registrationOf(bytes32 subject) external view returns (bytes32) {
        bytes32 id = _registrations[subject];
        return _binds(_records[id]) ? id : bytes32(0);
    }

    /// @inheritdoc ICertificateRegistry
    function firmProvinceOf(bytes32 subject) external view returns (uint8) {
        return _records[_firms[subject]].province;
    }

    /// @inheritdoc ICertificateRegistry
    function qualificationOf(bytes32 subject) external view returns (bytes32) {
        bytes32 id = _firms[subject];
        return _binds(_records[id]) ? id : bytes32(0);
    }

    /// @inheritdoc ICertificateRegistry
    function firmOf(bytes32 subject) external view returns (uint8 province, bytes32 qualification) {
        bytes32 id = _firms[subject];
        Record storage r = _records[id];
        return (r.province, _binds(r) ? id : bytes32(0));
    }

    /// @inheritdoc ICertificateRegistry
    function idOf(string calldata number) external pure returns (bytes32) {
        return keccak256(bytes(number));
    }

    /// @inheritdoc ICertificateRegistry
    function checkAuthority(address account, Kind kind, Grade grade, uint8 province) external view {
        _checkAuthority(account, kind, grade, province);
    }

    // ---------------------------------------------------------------- the acts' logic

    function _issue(address issuer, IssueRequest calldata request) private returns (bytes32) {
        uint8 province = request.province;
        if (request.kind == Kind.FIRM) {
            // A subject seen before is judged by the province it is bound to, not by the one the request names.
            bytes32 latest = _firms[request.subject];
            if (latest != bytes32(0)) {
                uint8 bound = _records[latest].province;
                _checkAuthority(issuer, Kind.FIRM, request.grade, bound);
                if (province != bound) revert SubjectInOtherProvince(request.subject, bound);
            } else {
                _checkAuthority(issuer, Kind.FIRM, request.grade, province);
            }
        } else {
            _checkAuthority(issuer, request.kind, request.grade, province);
        }
        // The grade is held from the act on, whatever window the request names: a backdated validFrom does not
        // count towards the holding period (a record of the old register is upgraded with the logged legacy flag).
        return _create(issuer, request, IssueAct.ISSUE, bytes32(0), uint40(block.timestamp));
    }

    /// @dev The legacy import is the importers' alone (IMPORTER_ROLE), on top of the act's own authority.
    function _checkImporter(address actor) private view {
        if (!hasRole(IMPORTER_ROLE, actor)) revert Unauthorized(actor);
    }

    /// @dev Marks `id` as made by the legacy import, not by an application.
    function _imported(bytes32 id, address importer) private returns (bytes32) {
        emit CertificateImported(id, importer);
        return id;
    }

    function _importBatch(address importer, IssueRequest[] calldata requests) private returns (bytes32[] memory ids) {
        _checkImporter(importer);
        ids = _issueBatch(importer, requests);
        for (uint256 i = 0; i < ids.length; ++i) {
            emit CertificateImported(ids[i], importer);
        }
    }

    function _issueBatch(address issuer, IssueRequest[] calldata requests) private returns (bytes32[] memory ids) {
        ids = new bytes32[](requests.length);
        for (uint256 i = 0; i < requests.length; ++i) {
            // Nothing allocated while issuing one certificate outlives it: giving that memory back keeps a large
            // batch from paying the quadratic cost of an ever-growing memory.
            uint256 freeMemory;
            assembly ("memory-safe") {
                freeMemory := mload(0x40)
            }
            ids[i] = _issue(issuer, requests[i]);
            assembly ("memory-safe") {
                mstore(0x40, freeMemory)
            }
        }
    }

    function _upgrade(address actor, bytes32 id, SuccessorRequest calldata successor, bool legacy)
        private
        returns (bytes32)
    {
        _checkMinistry(actor);
        Record storage old = _existing(id);
        if (old.kind != Kind.FIRM) revert WrongKind(id, old.kind);
        if (old.grade != Grade.B) revert InvalidGrade(old.kind, old.grade);
        _requireStatus(id, old, Status.ACTIVE);
        if (legacy) {
            emit HoldingPeriodWaived(id, actor);
        } else {
            uint40 eligibleAt = old.heldSince + GRADE_B_HOLDING_PERIOD;
            if (block.timestamp < eligibleAt) revert GradeHeldTooShort(id, eligibleAt);
        }
        return _supersede(actor, id, old, successor, Grade.A, IssueAct.UPGRADE, uint40(block.timestamp));
    }

    function _renew(address actor, bytes32 id, SuccessorRequest calldata successor) private returns (bytes32) {
        Record storage old = _authorised(actor, id);
        // Renewal applies to an ACTIVE certificate whether or not it has expired; never to a suspended one.
        if (old.status != Status.ACTIVE) revert WrongStatus(id, _statusOf(old));
        // The grade counts as held without a gap only if the renewal is made, and the new window starts, before
        // the old one ended; judged by the chain's time, so a late renewal backdated into the old window restarts.
        uint40 end = old.validUntil;
        uint40 heldSince =
            block.timestamp <= end && successor.validFrom <= end ? old.heldSince : uint40(block.timestamp);
        return _supersede(actor, id, old, successor, old.grade, IssueAct.RENEW, heldSince);
    }

    function _amend(address actor, bytes32 id, address holder, bytes32 documentHash, bytes calldata publicData)
        private
    {
        Record storage c = _authorised(actor, id);
        Status status = _statusOf(c);
        if (status != Status.ACTIVE && status != Status.SUSPENDED) revert WrongStatus(id, status);
        if (documentHash == bytes32(0)) revert InvalidField("documentHash");
        uint16 version = c.version + 1;
        c.documentHash = documentHash;
        c.holder = holder;
        c.version = version;
        emit CertificateAmended(id, actor, version, holder, documentHash, publicData);
    }

    function _bindHolder(address actor, bytes32 id, address holder, bytes32 reasonHash) private {
        Record storage c = _authorised(actor, id);
        Status status = _statusOf(c);
        if (status != Status.ACTIVE && status != Status.SUSPENDED) revert WrongStatus(id, status);
        if (holder == address(0)) revert InvalidField("holder");
        if (reasonHash == bytes32(0)) revert InvalidField("reasonHash");
        address previous = c.holder;
        c.holder = holder;
        emit HolderBound(id, actor, previous, holder, reasonHash);
    }

    function _suspend(address actor, bytes32 id, uint16 reason) private {
        Record storage c = _actOn(actor, id, reason);
        _requireStatus(id, c, Status.ACTIVE);
        c.status = Status.SUSPENDED;
        emit CertificateSuspended(id, actor, reason);
    }

    function _reinstate(address actor, bytes32 id, uint16 reason) private {
        Record storage c = _authorised(actor, id);
        _requireStatus(id, c, Status.SUSPENDED);
        c.status = Status.ACTIVE;
        emit CertificateReinstated(id, actor, reason);
    }

    /// @dev `confirmed`: the licensing registry's four-eyes confirmation; alone, a regulator only cancels (注销).
    function _revoke(address actor, bytes32 id, uint16 reason, bool confirmed) private {
        Record storage c = _actOn(actor, id, reason);
        if (!confirmed && reason != CANCELLATION) revert FourEyesRequired(reason);
        // Expired certificates may be revoked too: that is 注销 for a licence that lapsed without renewal.
        if (c.status != Status.ACTIVE && c.status != Status.SUSPENDED) revert WrongStatus(id, c.status);
        c.status = Status.REVOKED;
        emit CertificateRevoked(id, actor, reason);
    }

    function _transfer(address actor, bytes32 id, bytes32 employer, bytes32 documentHash, bytes calldata publicData)
        private
    {
        Record storage c = _existing(id);
        if (c.kind != Kind.PLANNER) revert WrongKind(id, c.kind);
        _checkAuthority(actor, Kind.PLANNER, Grade.NONE, c.province);
        _requireStatus(id, c, Status.ACTIVE);
        bytes32 previous = _employers[id];
        if (employer == bytes32(0)) revert InvalidField("employer");
        if (employer == previous) revert SameEmployer(employer);
        _checkEmployer(employer);
        if (documentHash == bytes32(0)) revert InvalidField("documentHash");
        uint16 version = c.version + 1;
        _employers[id] = employer;
        c.documentHash = documentHash;
        c.version = version;
        emit PlannerTransferred(id, previous, employer, actor, version, documentHash, publicData);
    }

    // ---------------------------------------------------------------- helpers

    /// @dev Creates the certificate after checking its fields; callers have checked the issuer's authority.
    function _create(
        address issuer,
        IssueRequest memory request,
        IssueAct act,
        bytes32 predecessor,
        uint40 heldSince
    ) private returns (bytes32 id) {
        _checkFields(request);
        id = keccak256(bytes(request.number));
        if (_records[id].status != Status.NONE) revert AlreadyIssued(id);
        _writeRecord(_records[id], request, issuer, heldSince);
        if (request.kind == Kind.PLANNER) {
            _employers[id] = request.employer;
            _bindPlanner(request.subject, id, predecessor);
        } else {
            _firms[request.subject] = id;
        }
        if (predecessor != bytes32(0)) _predecessors[id] = predecessor;
        emit CertificateIssued(id, request.subject, predecessor, issuer, act, request);
    }

    /// @dev Writes a new record's four slots once each. Solidity would read-modify-write a packed slot once per
    /// member; packing here saves that on every issue. The layout is Record's (members from the low-order bytes
    /// up), and the tests read every field back through the compiler's own accessors.
    function _writeRecord(Record storage r, IssueRequest memory request, address issuer, uint40 heldSince) private {
        bytes32 subject = request.subject;
        bytes32 documentHash = request.documentHash;
        uint256 terms = uint256(uint160(request.holder)) | (uint256(request.validFrom) << 160)
            | (uint256(request.validUntil) << 200) | (uint256(uint8(Status.ACTIVE)) << 240)
            | (uint256(uint8(request.kind)) << 248);
        uint256 issuance = uint256(uint160(issuer)) | (uint256(uint8(request.grade)) << 160)
            | (uint256(request.province) << 168) | (uint256(1) << 176) | (uint256(heldSince) << 192);
        assembly ("memory-safe") {
            let slot := r.slot
            sstore(slot, subject)
            sstore(add(slot, 1), documentHash)
            sstore(add(slot, 2), terms)
            sstore(add(slot, 3), issuance)
        }
    }

    /// @dev Issues `successor` in place of `old` (renewal or upgrade) and marks `old` SUPERSEDED.
    function _supersede(
        address actor,
        bytes32 id,
        Record storage old,
        SuccessorRequest calldata successor,
        Grade grade,
        IssueAct act,
        uint40 heldSince
    ) private returns (bytes32 newId) {
        IssueRequest memory request = IssueRequest({
            number: successor.number,
            kind: old.kind,
            grade: grade,
            province: _jurisdictionOf(old),
            subject: old.subjectOrSuccessor,
            holder: successor.holder,
            employer: old.kind == Kind.PLANNER ? _employers[id] : bytes32(0),
            validFrom: successor.validFrom,
            validUntil: successor.validUntil,
            documentHash: successor.documentHash,
            publicData: successor.publicData
        });
        newId = _create(actor, request, act, id, heldSince);
        old.status = Status.SUPERSEDED;
        old.subjectOrSuccessor = newId;
    }

    /// @dev The certificate `id`, once it exists and `actor` may act on its kind, grade and province (for a firm,
    /// the province its subject is bound to now).
    function _authorised(address actor, bytes32 id) private view returns (Record storage c) {
        c = _existing(id);
        _checkAuthority(actor, c.kind, c.grade, _jurisdictionOf(c));
    }

    /// @dev The province that decides who may act on `c`: a firm's is its subject's binding, held by the subject's
    /// latest firm certificate; a planner's is the certificate's own.
    function _jurisdictionOf(Record storage c) private view returns (uint8) {
        if (c.kind != Kind.FIRM) return c.province;
        return _records[_firms[_subjectOf(c)]].province;
    }

    /// @dev The shared preamble of suspend and revoke: as `_authorised`, and a reason is given.
    function _actOn(address actor, bytes32 id, uint16 reason) private view returns (Record storage c) {
        c = _authorised(actor, id);
        if (reason == 0) revert MissingReason();
    }

    function _checkFields(IssueRequest memory r) private view {
        if (!isCertificateNumber(r.number)) revert InvalidNumber(r.number);
        if (r.kind == Kind.FIRM) {
            if (r.grade == Grade.NONE) revert InvalidGrade(r.kind, r.grade);
            if (!isProvinceCode(r.province)) revert InvalidProvince(r.province);
            if (r.employer != bytes32(0)) revert InvalidField("employer");
        } else if (r.kind == Kind.PLANNER) {
            if (r.grade != Grade.NONE) revert InvalidGrade(r.kind, r.grade);
            if (r.province != 0 && !isProvinceCode(r.province)) revert InvalidProvince(r.province);
            if (r.employer == bytes32(0)) revert InvalidField("employer");
            _checkEmployer(r.employer);
        } else {
            revert InvalidGrade(r.kind, r.grade);
        }
        if (r.subject == bytes32(0)) revert InvalidField("subject");
        if (r.documentHash == bytes32(0)) revert InvalidField("documentHash");
        if (r.validFrom >= r.validUntil || r.validUntil <= block.timestamp) {
            revert InvalidWindow(r.validFrom, r.validUntil);
        }
    }

    /// @dev A planner is employed by a firm that holds a live qualification, never by an unknown or lapsed subject.
    function _checkEmployer(bytes32 employer) private view {
        if (!_binds(_records[_firms[employer]])) revert EmployerNotQualified(employer);
    }

    /// @dev Makes `id` the planner's registration, unless another live one binds the planner.
    function _bindPlanner(bytes32 subject, bytes32 id, bytes32 replacing) private {
        bytes32 current = _registrations[subject];
        if (current != bytes32(0) && current != replacing && _binds(_records[current])) {
            revert PlannerAlreadyRegistered(subject, current);
        }
        _registrations[subject] = id;
    }

    /// @dev A registration binds its planner while it is ACTIVE or SUSPENDED and not expired.
    function _binds(Record storage c) private view returns (bool) {
        Status status = _statusOf(c);
        return status == Status.ACTIVE || status == Status.SUSPENDED;
    }

    /// @dev The subject of a certificate: stored while live, else that of the end of its renewal chain.
    function _subjectOf(Record storage r) private view returns (bytes32) {
        while (r.status == Status.SUPERSEDED) {
            r = _records[r.subjectOrSuccessor];
        }
        return r.subjectOrSuccessor;
    }

    function _existing(bytes32 id) private view returns (Record storage c) {
        c = _records[id];
        if (c.status == Status.NONE) revert UnknownCertificate(id);
    }

    function _requireStatus(bytes32 id, Record storage c, Status wanted) private view {
        Status status = _statusOf(c);
        if (status != wanted) revert WrongStatus(id, status);
    }

    /// @dev The status now: a live (ACTIVE or SUSPENDED) certificate past its validUntil is EXPIRED.
    function _statusOf(Record storage c) private view returns (Status) {
        Status stored = c.status;
        if ((stored == Status.ACTIVE || stored == Status.SUSPENDED) && block.timestamp >= c.validUntil) {
            return Status.EXPIRED;
        }
        return stored;
    }
}
