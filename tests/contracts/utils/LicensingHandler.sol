// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "./Vm.sol";
import {CertificateRegistry} from "../../../contracts/CertificateRegistry.sol";
import {ICertificateRegistry} from "../../../contracts/ICertificateRegistry.sol";
import {LicensingRegistry} from "../../../contracts/LicensingRegistry.sol";
import {ILicensingRegistry, ApplicationKind, Stage} from "../../../contracts/ILicensingRegistry.sol";
import {Kind, Grade} from "../../../contracts/Common.sol";

/// @dev Drives random sequences of licensing steps over a few first applications (any step, by the right or the
/// wrong regulator, at any time), recording what the invariants check: each approval's state just before it, and
/// the stages seen final.
contract LicensingHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
    uint256 public constant FIRMS = 6;

    CertificateRegistry internal immutable registry;
    LicensingRegistry internal immutable licensing;
    address internal immutable zhejiang;
    address internal immutable beijing;
    address internal immutable applicant;

    bytes32[] public applications;
    mapping(bytes32 id => bool) internal known;
    /// @dev Approvals that succeeded without a whole notice behind them, or with an objection open.
    uint256 public earlyApprovals;
    /// @dev Certificates issued for the pool's firms, and the application each came from.
    bytes32[] public issued;
    mapping(bytes32 certificate => bytes32 application) public issuedBy;
    mapping(bytes32 id => Stage) public finalStage;
    bytes32[] public finals;
    uint256 internal serial;

    constructor(CertificateRegistry r, LicensingRegistry l, address z, address b, address a) {
        (registry, licensing, zhejiang, beijing, applicant) = (r, l, z, b, a);
    }

    function firm(uint256 i) public pure returns (bytes32) {
        return keccak256(abi.encode("licensing handler firm", i % FIRMS));
    }

    function applicationCount() external view returns (uint256) {
        return applications.length;
    }

    function issuedCount() external view returns (uint256) {
        return issued.length;
    }

    function finalCount() external view returns (uint256) {
        return finals.length;
    }

    function file(uint8 firmSeed, uint8 dossierSeed) external {
        ILicensingRegistry.ApplicationRequest memory r = ILicensingRegistry.ApplicationRequest(
            ApplicationKind.FIRST, firm(firmSeed), bytes32(0), 33, bytes32(0), keccak256(abi.encode(dossierSeed % 4)), ""
        );
        vm.prank(applicant);
        try licensing.file(r) returns (bytes32 id) {
            if (!known[id]) {
                known[id] = true;
                applications.push(id);
            }
        } catch {}
    }

    function accept(uint256 i, bool wrongProvince) external {
        bytes32 id = _pick(i);
        if (id == 0) return;
        vm.prank(wrongProvince ? beijing : zhejiang);
        try licensing.accept(id) {} catch {}
        _noteFinal(id);
    }

    function review(uint256 i, bool withNotice, uint32 extra) external {
        bytes32 id = _pick(i);
        if (id == 0) return;
        uint40 endsAt = withNotice ? uint40(block.timestamp) + licensing.MIN_NOTICE_PERIOD() + extra % 5 days : 0;
        vm.prank(zhejiang);
        try licensing.review(id, keccak256("checks"), keccak256("opinion"), endsAt) {} catch {}
    }

    function publishNotice(uint256 i, uint32 length) external {
        bytes32 id = _pick(i);
        if (id == 0) return;
        vm.prank(zhejiang);
        try licensing.publishNotice(id, uint40(block.timestamp) + length % 20 days) {} catch {}
    }

    function object(uint256 i, uint8 text) external {
        bytes32 id = _pick(i);
        if (id == 0) return;
        vm.prank(address(uint160(0xB0B0 + text)));
        try licensing.object(id, keccak256("evidence"), keccak256(abi.encode(text))) returns (bytes32 objection) {
            objections.push(objection);
        } catch {}
    }

    bytes32[] internal objections;

    function answer(uint256 k) external {
        if (objections.length == 0) return;
        vm.prank(zhejiang);
        try licensing.answerObjection(objections[k % objections.length], keccak256("answer")) {} catch {}
    }

    function approve(uint256 i, bool otherDossier) external {
        bytes32 id = _pick(i);
        if (id == 0) return;
        ILicensingRegistry.Application memory before = licensing.application(id);
        ICertificateRegistry.IssueRequest memory r = _certificate(before.subject);
        bytes32 dossier = otherDossier ? keccak256("another") : before.dossier;
        vm.prank(zhejiang);
        try licensing.approveFirst(id, dossier, r) returns (bytes32 certificate) {
            bool complete = before.stage == Stage.IN_NOTICE && block.timestamp >= before.noticeEndsAt
                && before.openObjections == 0 && dossier == before.dossier;
            if (!complete) ++earlyApprovals;
            issued.push(certificate);
            issuedBy[certificate] = id;
        } catch {}
        _noteFinal(id);
    }

    function refuse(uint256 i) external {
        bytes32 id = _pick(i);
        if (id == 0) return;
        vm.prank(zhejiang);
        try licensing.refuse(id, keccak256("reasons")) {} catch {}
        _noteFinal(id);
    }

    function withdraw(uint256 i) external {
        bytes32 id = _pick(i);
        if (id == 0) return;
        vm.prank(applicant);
        try licensing.withdraw(id) {} catch {}
        _noteFinal(id);
    }

    function wait(uint32 seconds_) external {
        vm.warp(block.timestamp + seconds_ % 15 days);
    }

    function _pick(uint256 i) internal view returns (bytes32) {
        return applications.length == 0 ? bytes32(0) : applications[i % applications.length];
    }

    function _noteFinal(bytes32 id) internal {
        Stage stage = licensing.application(id).stage;
        if (stage >= Stage.APPROVED && finalStage[id] == Stage.NONE) {
            finalStage[id] = stage;
            finals.push(id);
        }
    }

    function _certificate(bytes32 subject) internal returns (ICertificateRegistry.IssueRequest memory) {
        string memory number = string.concat("L-", vm.toString(++serial));
        return ICertificateRegistry.IssueRequest({
            number: number,
            kind: Kind.FIRM,
            grade: Grade.B,
            province: 33,
            subject: subject,
            holder: applicant,
            employer: bytes32(0),
            validFrom: uint40(block.timestamp),
            validUntil: uint40(block.timestamp) + 5 * 365 days,
            documentHash: keccak256(bytes(number)),
            publicData: ""
        });
    }
}
