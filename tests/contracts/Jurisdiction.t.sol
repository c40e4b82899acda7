// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {RegulatorRoles} from "../../contracts/RegulatorRoles.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {
    Grade, Status, Unauthorized, WrongJurisdiction, InvalidProvince, UseAppointProvincialRegulator,
    SubjectInOtherProvince, UnknownFirm
} from "../../contracts/Common.sol";

/// @dev Who may act on what, and where: grade A is the ministry's, grade B the firm's province's,
/// planners the registrar's; only the ministry upgrades and appoints provinces.
contract JurisdictionTest is RegistryFixture {
    function test_aProvinceCannotIssueGradeA() public {
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.issue(firmRequest("A-1", Grade.A, 33));
    }

    function test_aProvinceCannotIssueForAnotherProvince() public {
        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        registry.issue(firmRequest("B-1", Grade.B, 33));
    }

    function test_aProvinceCannotActOnAnotherProvincesFirm() public {
        bytes32 id = issueGradeB("B-1");
        vm.startPrank(beijing);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        registry.suspend(id, 1);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        registry.revoke(id, 3);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        registry.amend(id, address(0), keccak256("x"), "");
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        registry.renew(id, successorRequest("B-2"));
        vm.stopPrank();
        assertStatus(id, Status.ACTIVE, "untouched");
    }

    function test_aProvinceCannotActOnGradeA() public {
        bytes32 id = issueGradeA("A-1");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.suspend(id, 1);
    }

    function test_theMinistryActsOnAnyGradeInAnyProvince() public {
        vm.startPrank(ministry);
        bytes32 b = registry.issue(firmRequest("B-44", Grade.B, 44));
        registry.suspend(b, 1);
        registry.reinstate(b, 0);
        registry.revoke(b, 3);
        vm.stopPrank();
        assertStatus(b, Status.REVOKED, "ministry acted on a grade B firm in Guangdong");
    }

    function test_onlyTheMinistryUpgrades() public {
        bytes32 id = issueGradeB("B-1");
        vm.warp(START + 800 days);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.upgrade(id, successorRequest("A-1"), false);
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, registrar));
        registry.upgrade(id, successorRequest("A-1"), false);
    }

    function test_onlyTheRegistrarHandlesPlanners() public {
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, ministry));
        registry.issue(plannerRequest("P-1", PLANNER, EMPLOYER));
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.issue(plannerRequest("P-1", PLANNER, EMPLOYER));

        bytes32 id = issuePlanner("P-1", PLANNER, EMPLOYER);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, ministry));
        registry.transfer(id, OTHER_EMPLOYER, keccak256("x"), "");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.revoke(id, 3);
    }

    function test_theRegistrarCannotIssueFirmCertificates() public {
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, registrar));
        registry.issue(firmRequest("B-1", Grade.B, 33));
    }

    function test_aStrangerCanDoNothing() public {
        bytes32 id = issueGradeB("B-1");
        vm.startPrank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, stranger));
        registry.issue(firmRequest("B-2", Grade.B, 33));
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, stranger));
        registry.suspend(id, 1);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, stranger));
        registry.upgrade(id, successorRequest("A-1"), true);
        vm.stopPrank();
    }

    function test_notTheMinistryIsOneRefusalWhateverTheAct() public {
        bytes32 id = issueGradeB("B-1");
        vm.warp(START + 800 days);
        address[3] memory others = [zhejiang, registrar, stranger];
        for (uint256 i = 0; i < others.length; ++i) {
            bytes memory refusal = abi.encodeWithSelector(Unauthorized.selector, others[i]);
            vm.startPrank(others[i]);
            vm.expectRevert(refusal);
            registry.upgrade(id, successorRequest("A-1"), false);
            vm.expectRevert(refusal);
            registry.appointProvincialRegulator(stranger, 42);
            vm.expectRevert(refusal);
            registry.removeProvincialRegulator(beijing);
            vm.stopPrank();
        }
        assertStatus(id, Status.ACTIVE, "not upgraded");
        vm.assertEq(registry.provinceOf(stranger), 0, "not appointed");
        vm.assertEq(registry.provinceOf(beijing), 11, "not removed");
    }

    function test_theMinistryAppointsAndRemovesProvinces() public {
        address hubei = address(0x42);
        vm.prank(ministry);
        registry.appointProvincialRegulator(hubei, 42);
        grantImporter(hubei);
        vm.assertEq(registry.provinceOf(hubei), 42, "bound to Hubei");
        vm.prank(hubei);
        registry.issue(firmRequest("B-42", Grade.B, 42));

        vm.prank(ministry);
        registry.removeProvincialRegulator(hubei);
        vm.assertEq(registry.provinceOf(hubei), 0, "binding gone");
        vm.prank(hubei);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, hubei));
        registry.issue(firmRequest("B-43", Grade.B, 42));
    }

    function test_removingASittingRegulatorAnnouncesTheRemoval() public {
        vm.expectEmit(true, true, true, true);
        emit RegulatorRoles.ProvincialRegulatorRemoved(zhejiang, 33, ministry);
        vm.prank(ministry);
        registry.removeProvincialRegulator(zhejiang);
        vm.assertFalse(registry.hasRole(registry.PROVINCIAL_REGULATOR_ROLE(), zhejiang), "role gone");
    }

    function test_removingAnAccountWithoutTheRoleAnnouncesNothing() public {
        bytes32 role = registry.PROVINCIAL_REGULATOR_ROLE();
        vm.prank(ministry);
        registry.removeProvincialRegulator(zhejiang);
        vm.prank(beijing);
        registry.renounceRole(role, beijing);
        address[3] memory without = [zhejiang, beijing, stranger]; // removed, renounced, never appointed
        for (uint256 i = 0; i < without.length; ++i) {
            vm.recordLogs();
            vm.prank(ministry);
            registry.removeProvincialRegulator(without[i]);
            vm.assertEq(vm.getRecordedLogs().length, 0, "no ProvincialRegulatorRemoved, no RoleRevoked");
        }
    }

    function test_aRegulatorWhoRenouncesLosesTheProvince() public {
        bytes32 role = registry.PROVINCIAL_REGULATOR_ROLE();
        vm.prank(zhejiang);
        registry.renounceRole(role, zhejiang);
        vm.assertEq(registry.provinceOf(zhejiang), 0, "binding dropped with the role");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.issue(firmRequest("B-1", Grade.B, 33));
    }

    function test_onlyTheMinistryAppointsAndOnlyRealProvinces() public {
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.appointProvincialRegulator(stranger, 33);

        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidProvince.selector, uint8(20)));
        registry.appointProvincialRegulator(stranger, 20);
    }

    function test_theProvincialRoleIsOnlyGrantedWithAProvince() public {
        bytes32 role = registry.PROVINCIAL_REGULATOR_ROLE();
        vm.startPrank(ministry);
        vm.expectRevert(UseAppointProvincialRegulator.selector);
        registry.grantRole(role, stranger);
        vm.expectRevert(UseAppointProvincialRegulator.selector);
        registry.revokeRole(role, zhejiang);
        vm.stopPrank();
    }

    function test_onlyTheAdminGrantsTheMinistryRole() public {
        bytes32 ministryRole = registry.MINISTRY_ROLE();
        bytes32 adminRole = registry.DEFAULT_ADMIN_ROLE();
        vm.prank(ministry);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, ministry, adminRole)
        );
        registry.grantRole(ministryRole, stranger);
    }

    // ---- a firm subject's province binding

    function test_theFirstCertificateBindsTheFirmsProvince() public {
        vm.assertEq(registry.firmProvinceOf(FIRM), 0, "no binding before the first certificate");
        vm.assertEq(registry.qualificationOf(FIRM), bytes32(0), "no qualification either");
        bytes32 id = issueGradeB("B-1");
        vm.assertEq(registry.firmProvinceOf(FIRM), 33, "bound by the first certificate");
        vm.assertEq(registry.qualificationOf(FIRM), id, "the live qualification");
        vm.prank(zhejiang);
        registry.revoke(id, 3);
        vm.assertEq(registry.qualificationOf(FIRM), bytes32(0), "a revoked certificate qualifies nothing");
        vm.assertEq(registry.firmProvinceOf(FIRM), 33, "the binding outlives the certificate");
        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        registry.issue(firmRequest("B-2", Grade.B, 11));
    }

    function test_theQualificationFollowsRenewals() public {
        bytes32 id = issueGradeB("B-1");
        vm.prank(zhejiang);
        bytes32 next = registry.renew(id, successorRequest("B-2"));
        vm.assertEq(registry.qualificationOf(FIRM), next, "the successor qualifies");
        vm.warp(START + FIVE_YEARS);
        vm.assertEq(registry.qualificationOf(FIRM), bytes32(0), "an expired certificate qualifies nothing");
    }

    function test_theMinistryMovesAFirmAndTheOldProvinceLosesIt() public {
        bytes32 id = issueGradeB("B-1");
        vm.expectEmit(true, true, true, true);
        emit ICertificateRegistry.FirmMoved(FIRM, id, 33, 11, ministry);
        vm.prank(ministry);
        registry.moveFirm(FIRM, 11);
        vm.assertEq(registry.firmProvinceOf(FIRM), 11, "moved");
        vm.assertEq(registry.certificate(id).province, 11, "the view answers the binding");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, zhejiang, uint8(11)));
        registry.suspend(id, 1);
        vm.prank(beijing);
        registry.suspend(id, 1);
        assertStatus(id, Status.SUSPENDED, "the new province acts");
        vm.prank(beijing);
        registry.reinstate(id, 0);
        vm.prank(beijing);
        bytes32 next = registry.renew(id, successorRequest("B-2"));
        vm.assertEq(registry.certificate(next).province, 11, "a renewal is issued in the new province");
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(SubjectInOtherProvince.selector, FIRM, uint8(11)));
        registry.issue(firmRequest("A-1", Grade.A, 33));
    }

    function test_onlyTheMinistryMovesAKnownFirmToARealProvince() public {
        issueGradeB("B-1");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.moveFirm(FIRM, 11);
        vm.startPrank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidProvince.selector, uint8(20)));
        registry.moveFirm(FIRM, 20);
        vm.expectRevert(abi.encodeWithSelector(UnknownFirm.selector, OTHER_FIRM));
        registry.moveFirm(OTHER_FIRM, 11);
        vm.stopPrank();
        vm.assertEq(registry.firmProvinceOf(FIRM), 33, "not moved");
    }
}
