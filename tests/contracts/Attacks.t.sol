// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {SignedActs} from "../../contracts/SignedActs.sol";
import {ActSigner} from "./utils/ActSigner.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {
    Grade, Status, Delegation, WrongJurisdiction, SubjectInOtherProvince, GradeHeldTooShort, DeadlineTooFar,
    EmployerNotQualified, InvalidNumber
} from "../../contracts/Common.sol";

/// @dev The attacks of the security review (issue 14), one per finding, each written against the code it found
/// open: a province acting on another province's firm (1), a backdated holding period (2), a signed act
/// outliving its signer's removal (3), planners employed by no live firm and look-alike numbers (6). Findings 4
/// and 5 are in CreditRenewal.t.sol and Inspections.t.sol, the admin's delay (11) in Governance.t.sol.
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

    // ---- finding 2: the two-year grade B holding period can be skipped

    function test_attack_aBackdatedIssueDoesNotCountTowardsTheHoldingPeriod() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("B-OLD", Grade.B, 33);
        r.validFrom = START - 3 * 365 days;
        r.validUntil = START + 2 * 365 days;
        vm.prank(zhejiang);
        bytes32 id = registry.issue(r);
        vm.assertEq(registry.certificate(id).heldSince, START, "held since the act, not since the backdated window");
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(GradeHeldTooShort.selector, id, START + 730 days));
        registry.upgrade(id, successorRequest("A-1"), false);
    }

    function test_attack_aLateRenewalBackdatedBeforeTheOldExpiryRestartsTheGrade() public {
        bytes32 old = issueGradeB("B-1");
        uint40 late = START + FIVE_YEARS + 400 days;
        vm.warp(late);
        ICertificateRegistry.SuccessorRequest memory s = successorRequest("B-2");
        s.validFrom = START + FIVE_YEARS - 1 days; // claims to follow on without a gap
        vm.prank(zhejiang);
        bytes32 next = registry.renew(old, s);
        vm.assertEq(registry.certificate(next).heldSince, late, "the 400-day gap restarts the grade");
    }

    // ---- finding 3: a signed act outlives its signer's removal

    /// @dev Zhejiang's signed Suspend of `id` (reason 5, nonce 0) with `deadline`.
    function zhejiangSuspends(bytes32 id, uint256 deadline) internal view returns (Delegation memory) {
        return ActSigner.sign(
            ZHEJIANG_KEY,
            ActSigner.Domain(address(registry), block.chainid),
            ActSigner.statusAct("Suspend", id, 5, 0, deadline),
            0,
            deadline
        );
    }

    function test_attack_anActSignedForeverIsNotRelayedAfterRemovalAndReappointment() public {
        bytes32 id = issueGradeB("B-1");
        uint256 forever = type(uint256).max;
        Delegation memory d = zhejiangSuspends(id, forever);
        vm.startPrank(ministry);
        registry.removeProvincialRegulator(zhejiang);
        vm.warp(START + 2 * 365 days);
        registry.appointProvincialRegulator(zhejiang, 33);
        vm.stopPrank();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(DeadlineTooFar.selector, forever, block.timestamp + 30 days));
        registry.suspendBySignature(id, 5, d);
        assertStatus(id, Status.ACTIVE, "the stale act changed nothing");
    }

    function test_aDeadlineUpToTheCapIsAcceptedAndOneSecondMoreIsNot() public {
        bytes32 id = issueGradeB("B-1");
        uint256 cap = block.timestamp + registry.MAX_SIGNATURE_LIFETIME();
        Delegation memory tooFar = zhejiangSuspends(id, cap + 1);
        vm.expectRevert(abi.encodeWithSelector(DeadlineTooFar.selector, cap + 1, cap));
        registry.suspendBySignature(id, 5, tooFar);
        Delegation memory atCap = zhejiangSuspends(id, cap);
        registry.suspendBySignature(id, 5, atCap);
        assertStatus(id, Status.SUSPENDED, "a deadline at the cap is relayed");
    }

    function test_aRemovedSignerKillsWhatItSignedWithInvalidateNonce() public {
        bytes32 id = issueGradeB("B-1");
        uint256 deadline = block.timestamp + 1 days;
        Delegation memory d = zhejiangSuspends(id, deadline);
        vm.prank(ministry);
        registry.removeProvincialRegulator(zhejiang);
        vm.expectEmit(true, true, true, true);
        emit SignedActs.NonceInvalidated(zhejiang, 0);
        vm.prank(zhejiang);
        vm.assertEq(registry.invalidateNonce(), 0, "nonce 0 spent");
        vm.prank(ministry);
        registry.appointProvincialRegulator(zhejiang, 33);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, zhejiang, 1));
        registry.suspendBySignature(id, 5, d);
        assertStatus(id, Status.ACTIVE, "the killed act changed nothing");
    }

    // ---- finding 6: planners and numbers

    function test_attack_aPlannerCannotBeRegisteredWithAnEmployerThatIsNoLiveFirm() public {
        bytes32 nobody = keccak256("91330000000000000X");
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(EmployerNotQualified.selector, nobody));
        registry.issue(plannerRequest("P-1", PLANNER, nobody));

        bytes32 employersCertificate = registry.idOf("E-1");
        vm.prank(zhejiang);
        registry.revoke(employersCertificate, 3);
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(EmployerNotQualified.selector, EMPLOYER));
        registry.issue(plannerRequest("P-1", PLANNER, EMPLOYER));
        assertStatus(registry.idOf("P-1"), Status.NONE, "no registration with a revoked firm");
    }

    function test_attack_aPlannerCannotBeTransferredToAnEmployerThatIsNoLiveFirm() public {
        bytes32 id = issuePlanner("P-1", PLANNER, EMPLOYER);
        bytes32 nobody = keccak256("91330000000000000X");
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(EmployerNotQualified.selector, nobody));
        registry.transfer(id, nobody, keccak256("moved"), "");

        bytes32 othersCertificate = registry.idOf("E-2");
        vm.prank(beijing);
        registry.suspend(othersCertificate, 1);
        vm.prank(registrar);
        registry.transfer(id, OTHER_EMPLOYER, keccak256("moved"), "");
        vm.assertEq(registry.certificate(id).employer, OTHER_EMPLOYER, "a suspended firm still employs");
    }

    function test_attack_aLookAlikeNumberIsNoSecondCertificate() public {
        issueGradeB(unicode"浙规乙字330001");
        string[6] memory lookAlikes = [
            unicode"浙规乙字３３０００１", // full-width digits
            unicode"浙规乙字330001\u200b", // a zero-width space
            unicode"浙规乙字 330001", // a blank
            unicode"浙规乙字330001\u00a0", // a no-break space
            "b-1", // lower case
            "\u0412-1" // Cyrillic В for Latin B
        ];
        for (uint256 i; i < lookAlikes.length; ++i) {
            ICertificateRegistry.IssueRequest memory r = firmRequest(lookAlikes[i], Grade.B, 33);
            vm.prank(zhejiang);
            vm.expectRevert(abi.encodeWithSelector(InvalidNumber.selector, lookAlikes[i]));
            registry.issue(r);
        }
    }
}
