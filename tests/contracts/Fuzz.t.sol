// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {
    Grade, Status, WrongJurisdiction, AlreadyIssued, InvalidWindow, InvalidProvince, GradeHeldTooShort, MissingReason,
    InvalidNumber, FourEyesRequired, isProvinceCode
} from "../../contracts/Common.sol";

/// @dev Property tests over certificate numbers, validity windows, the clock, reason codes and province codes.
contract FuzzTest is RegistryFixture {
    function testFuzz_theIdIsTheNumbersHashAndANumberIsIssuedOnce(uint64 serial) public {
        string memory number = string.concat(unicode"浙规乙字", vm.toString(uint256(serial)));
        vm.prank(zhejiang);
        bytes32 id = registry.issue(firmRequest(number, Grade.B, 33));
        vm.assertEq(id, keccak256(bytes(number)), "id = keccak256(number)");
        vm.assertEq(registry.idOf(number), id, "idOf agrees");
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(AlreadyIssued.selector, id));
        registry.issue(firmRequest(number, Grade.A, 33));
    }

    /// @dev Any byte but an upper-case letter, a digit or a hyphen spoils a number: lower case, punctuation,
    /// control characters, and every byte of 0x80 and above on its own (no look-alike lead byte or stray
    /// continuation byte sneaks through).
    function testFuzz_aNumberIsRefusedForAnyByteOutsideTheFormat(uint8 c) public {
        bool allowed = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || c == 0x2d;
        string memory number = string(bytes.concat("B-", bytes1(c), "1"));
        if (!allowed) vm.expectRevert(abi.encodeWithSelector(InvalidNumber.selector, number));
        vm.prank(zhejiang);
        registry.issue(firmRequest(number, Grade.B, 33));
    }

    function testFuzz_aWindowIsAcceptedExactlyWhenItIsNonEmptyAndNotOver(uint40 validFrom, uint40 validUntil) public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("B-1", Grade.B, 33);
        r.validFrom = validFrom;
        r.validUntil = validUntil;
        bool acceptable = validFrom < validUntil && validUntil > block.timestamp;
        if (!acceptable) vm.expectRevert(abi.encodeWithSelector(InvalidWindow.selector, validFrom, validUntil));
        vm.prank(zhejiang);
        bytes32 id = registry.issue(r);
        if (acceptable) {
            vm.assertEq(registry.isValid(id) ? 1 : 0, validFrom <= block.timestamp ? 1 : 0, "valid iff in force");
        }
    }

    function testFuzz_statusFollowsTheClock(uint40 elapsed) public {
        bytes32 id = issueGradeB("B-1");
        vm.warp(uint256(START) + elapsed);
        Status expected = elapsed >= FIVE_YEARS ? Status.EXPIRED : Status.ACTIVE;
        assertStatus(id, expected, "EXPIRED exactly from validUntil on");
        vm.assertEq(registry.isValid(id) ? 1 : 0, expected == Status.ACTIVE ? 1 : 0, "valid iff ACTIVE");
    }

    function testFuzz_suspendTakesAnyNonZeroReasonAndRevokeAloneOnlyCancellation(uint16 reason) public {
        bytes32 id = issueGradeB("B-1");
        if (reason == 0) vm.expectRevert(MissingReason.selector);
        vm.prank(zhejiang);
        registry.suspend(id, reason);
        assertStatus(id, reason == 0 ? Status.ACTIVE : Status.SUSPENDED, "suspend follows the reason rule");
        if (reason == 0) vm.expectRevert(MissingReason.selector);
        else if (reason != 3) vm.expectRevert(abi.encodeWithSelector(FourEyesRequired.selector, reason));
        vm.prank(zhejiang);
        registry.revoke(id, reason);
        Status expected = reason == 3 ? Status.REVOKED : reason == 0 ? Status.ACTIVE : Status.SUSPENDED;
        assertStatus(id, expected, "alone, a regulator only cancels");
    }

    function testFuzz_onlyGbt2260ProvinceCodesAreAccepted(uint8 province) public {
        bool real = (province >= 11 && province <= 15) || (province >= 21 && province <= 23)
            || (province >= 31 && province <= 37) || (province >= 41 && province <= 46)
            || (province >= 50 && province <= 54) || (province >= 61 && province <= 65) || province == 71
            || province == 81 || province == 82;
        vm.assertEq(isProvinceCode(province) ? 1 : 0, real ? 1 : 0, "province bitmap matches the list");
        if (!real) vm.expectRevert(abi.encodeWithSelector(InvalidProvince.selector, province));
        vm.prank(ministry);
        registry.issue(firmRequest("B-1", Grade.B, province));
    }

    function testFuzz_aProvinceActsOnlyOnItsOwnFirms(uint8 province) public {
        vm.assume(isProvinceCode(province));
        if (province != 33) vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, zhejiang, province));
        vm.prank(zhejiang);
        registry.issue(firmRequest("B-1", Grade.B, province));
    }

    function testFuzz_theUpgradeWaitsTwoYears(uint40 elapsed) public {
        elapsed = uint40(elapsed % FIVE_YEARS);
        bytes32 id = issueGradeB("B-1");
        vm.warp(uint256(START) + elapsed);
        if (elapsed < 730 days) {
            vm.expectRevert(abi.encodeWithSelector(GradeHeldTooShort.selector, id, START + 730 days));
        }
        vm.prank(ministry);
        registry.upgrade(id, successorRequest("A-1"), false);
    }

    /// @dev A regulator of any other province tries every act on a Beijing firm (and a certificate of its own for
    /// the firm's subject): each is refused as out of its jurisdiction and the firm comes out as it went in.
    function testFuzz_noProvincialActChangesAFirmBoundToAnotherProvince(uint8 province, uint16 reason) public {
        vm.assume(isProvinceCode(province) && province != 11);
        address attacker = address(uint160(0xA77AC4));
        vm.prank(ministry);
        registry.appointProvincialRegulator(attacker, province);
        grantImporter(attacker); // so that what refuses it is the jurisdiction, not the import role
        ICertificateRegistry.IssueRequest memory r = firmRequest("B-BJ", Grade.B, 11);
        r.subject = OTHER_FIRM;
        vm.prank(beijing);
        bytes32 id = registry.issue(r);
        bytes32 before = keccak256(abi.encode(registry.certificate(id), registry.qualificationOf(OTHER_FIRM)));

        bytes memory refusal = abi.encodeWithSelector(WrongJurisdiction.selector, attacker, uint8(11));
        ICertificateRegistry.IssueRequest memory fake = firmRequest("B-FAKE", Grade.B, province);
        fake.subject = OTHER_FIRM;
        vm.startPrank(attacker);
        vm.expectRevert(refusal);
        registry.issue(fake);
        vm.expectRevert(refusal);
        registry.suspend(id, reason | 1);
        vm.expectRevert(refusal);
        registry.revoke(id, reason | 1);
        vm.expectRevert(refusal);
        registry.amend(id, attacker, keccak256(abi.encode(reason)), "");
        vm.expectRevert(refusal);
        registry.renew(id, successorRequest("B-NEXT"));
        vm.stopPrank();

        vm.assertEq(
            keccak256(abi.encode(registry.certificate(id), registry.qualificationOf(OTHER_FIRM))), before, "untouched"
        );
        vm.assertEq(registry.firmProvinceOf(OTHER_FIRM), 11, "still bound to Beijing");
    }
}
