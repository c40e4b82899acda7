// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LicensingFixture} from "./utils/LicensingFixture.sol";
import {Vm} from "./utils/Vm.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {Grade, Status, Unauthorized} from "../../contracts/Common.sol";

/// @dev A certificate comes from an approved application, or from the legacy import, which only IMPORTER_ROLE
/// may use and which marks every certificate it makes: so each certificate is traced to its application or
/// announced as imported.
contract LegacyImportTest is LicensingFixture {
    bytes32 internal constant IMPORTED = keccak256("CertificateImported(bytes32,address)");

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
