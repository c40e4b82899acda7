// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {Grade, Status, WrongJurisdiction, SubjectInOtherProvince} from "../../contracts/Common.sol";

/// @dev The attacks of the security review (issue 14), one per finding, each written against the code it found
/// open: a province acting on another province's firm (1).
contract AttacksTest is RegistryFixture {
    /// @dev The victim: a grade A firm registered in Beijing (11), its subject bound there by its first certificate.
    bytes32 internal constant BEIJING_FIRM = OTHER_FIRM;

    function _beijingGradeA(string memory number) internal returns (bytes32) {
        ICertificateRegistry.IssueRequest memory r = firmRequest(number, Grade.A, 11);
        r.subject = BEIJING_FIRM;
        vm.prank(ministry);
        return registry.issue(r);
    }

    // ---- finding 1: a province can act on any firm in the country

    function test_attack_aProvinceCannotIssueAFakeCertificateForAnotherProvincesFirm() public {
        _beijingGradeA("A-BJ");
        ICertificateRegistry.IssueRequest memory fake = firmRequest("B-FAKE", Grade.B, 33);
        fake.subject = BEIJING_FIRM;
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, zhejiang, uint8(11)));
        registry.issue(fake);
        assertStatus(registry.idOf("B-FAKE"), Status.NONE, "no fake certificate");
    }

    function test_attack_theMinistryCannotIssueAFirmInAnotherProvinceThanItsOwn() public {
        _beijingGradeA("A-BJ");
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-ZJ", Grade.A, 33);
        r.subject = BEIJING_FIRM;
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(SubjectInOtherProvince.selector, BEIJING_FIRM, uint8(11)));
        registry.issue(r);
    }
}
