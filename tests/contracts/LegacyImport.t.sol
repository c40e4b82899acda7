// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LicensingFixture} from "./utils/LicensingFixture.sol";
import {Vm} from "./utils/Vm.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {ApplicationKind, Stage, NotApplicant} from "../../contracts/ILicensingRegistry.sol";
import {Grade, Status, Unauthorized, WrongJurisdiction, InvalidField, WrongStatus} from "../../contracts/Common.sol";

/// @dev A certificate comes from an approved application, or from the legacy import, which only IMPORTER_ROLE
/// may use and which marks every certificate it makes: so each certificate is traced to its application or
/// announced as imported. An imported firm gets its first holder key (or a lost one replaced) by bindHolder.
contract LegacyImportTest is LicensingFixture {
    bytes32 internal constant IMPORTED = keccak256("CertificateImported(bytes32,address)");
    bytes32 internal constant REASON = keccak256("the firm's written request and the identity check");

    function test_aRegulatorWithoutTheImportRoleMakesCertificatesOnlyThroughApplications() public {
        registry.revokeRole(registry.IMPORTER_ROLE(), zhejiang);
        ICertificateRegistry.IssueRequest memory r = firmRequest("B-DIRECT", Grade.B, 33);
        vm.startPrank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.issue(r);
        ICertificateRegistry.IssueRequest[] memory batch = new ICertificateRegistry.IssueRequest[](1);
        batch[0] = r;
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.issueBatch(batch);
        bytes32 held = registry.qualificationOf(EMPLOYER);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.renew(held, successorRequest("B-RENEWED"));
        vm.stopPrank();

        bytes32 id = fileFirst();
        toNotice(id, zhejiang);
        vm.warp(block.timestamp + NOTICE);
        vm.prank(zhejiang);
        bytes32 cert = licensing.approveFirst(id, DOSSIER, newFirmCertificate("B-NEW"));
        assertStatus(cert, Status.ACTIVE, "the application's approval still issues");
    }

    function test_theImportRoleAddsToTheActsAuthorityNeverReplacesIt() public {
        grantImporter(stranger);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, stranger));
        registry.issue(firmRequest("B-STRANGER", Grade.B, 33));
    }

    function test_everyImportedCertificateIsMarkedAndNoApprovedOneIs() public {
        ICertificateRegistry.IssueRequest[] memory batch = new ICertificateRegistry.IssueRequest[](2);
        batch[0] = firmRequest("B-IMP-1", Grade.B, 33);
        batch[1] = firmRequest("B-IMP-2", Grade.B, 33);
        batch[1].subject = keccak256("another firm");
        vm.recordLogs();
        vm.prank(zhejiang);
        bytes32[] memory ids = registry.issueBatch(batch);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        vm.assertEq(_imported(logs), 2, "both imported certificates are marked");
        vm.assertEq(_markedId(logs, 0), ids[0], "the first, by id");
        vm.assertEq(_markedId(logs, 1), ids[1], "the second, by id");

        bytes32 id = fileFirst();
        toNotice(id, zhejiang);
        vm.warp(block.timestamp + NOTICE);
        vm.recordLogs();
        vm.prank(zhejiang);
        licensing.approveFirst(id, DOSSIER, newFirmCertificate("B-NEW"));
        vm.assertEq(_imported(vm.getRecordedLogs()), 0, "an approval's certificate is not marked imported");
    }

    function test_anImportedFirmGetsAKeyBoundByItsProvinceAndThenApplies() public {
        bytes32 held = registry.qualificationOf(EMPLOYER); // imported, with no key of the applicant's
        address previous = registry.certificate(held).holder;
        vm.prank(applicant);
        vm.expectRevert(abi.encodeWithSelector(NotApplicant.selector, bytes32(0), applicant));
        licensing.file(successorApplication(ApplicationKind.RENEWAL, held));

        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        registry.bindHolder(held, applicant, REASON);
        vm.startPrank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(InvalidField.selector, "holder"));
        registry.bindHolder(held, address(0), REASON);
        vm.expectRevert(abi.encodeWithSelector(InvalidField.selector, "reasonHash"));
        registry.bindHolder(held, applicant, bytes32(0));
        uint16 version = registry.certificate(held).version;
        vm.expectEmit(true, true, false, true, address(registry));
        emit ICertificateRegistry.HolderBound(held, zhejiang, previous, applicant, REASON);
        registry.bindHolder(held, applicant, REASON);
        vm.stopPrank();
        vm.assertEq(registry.certificate(held).holder, applicant, "the key is bound");
        vm.assertEq(registry.certificate(held).version, version, "the document is unchanged");

        vm.prank(applicant);
        bytes32 id = licensing.file(successorApplication(ApplicationKind.RENEWAL, held));
        assertStage(id, Stage.FILED, "the firm applies with its key");
    }

    function test_aLostKeyIsReplacedAndTheOldOneFilesNothingMore() public {
        bytes32 held = registry.qualificationOf(EMPLOYER);
        address lost = address(0x105);
        vm.startPrank(zhejiang);
        registry.bindHolder(held, lost, REASON);
        registry.bindHolder(held, applicant, keccak256("the firm reported its key lost"));
        vm.stopPrank();
        vm.prank(lost);
        vm.expectRevert(abi.encodeWithSelector(NotApplicant.selector, bytes32(0), lost));
        licensing.file(successorApplication(ApplicationKind.RENEWAL, held));
    }

    function test_noKeyIsBoundToADeadCertificate() public {
        bytes32 held = registry.qualificationOf(EMPLOYER);
        vm.startPrank(zhejiang);
        registry.revoke(held, registry.CANCELLATION());
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, held, Status.REVOKED));
        registry.bindHolder(held, applicant, REASON);
        vm.stopPrank();
    }

    function _imported(Vm.Log[] memory logs) internal pure returns (uint256 count) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IMPORTED) ++count;
        }
    }

    function _markedId(Vm.Log[] memory logs, uint256 nth) internal pure returns (bytes32) {
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].topics[0] == IMPORTED) {
                if (nth == 0) return logs[i].topics[1];
                --nth;
            }
        }
        return bytes32(0);
    }
}
