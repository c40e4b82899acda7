// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CreditFixture} from "./utils/CreditFixture.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {ICreditRegistry, Severity, AlreadyRecorded, NotCurrentQualification} from "../../contracts/ICreditRegistry.sol";
import {Grade, Unauthorized} from "../../contracts/Common.sol";

/// @dev Issue 14, finding 4: a credit record belongs to the subject, not to one certificate of its renewal chain.
/// A decision counts once across renewals and upgrades, and a record made against a certificate that was
/// superseded since stays restorable, judged on the subject's live certificate. And (the jurisdiction part of the
/// issue) a record counts only against the subject's live qualification: never a certificate that no longer binds.
contract CreditRenewalTest is CreditFixture {
    bytes32 internal gradeB;

    function setUp() public override {
        super.setUp();
        gradeB = issueGradeB("B-1");
    }

    function dishonesty(bytes32 certificate, string memory decision)
        internal
        view
        returns (ICreditRegistry.CreditRequest memory)
    {
        return dishonesty(certificate, Severity.GENERAL, 300 days, decision);
    }

    function renewGradeB() internal returns (bytes32) {
        vm.prank(zhejiang);
        return registry.renew(gradeB, successorRequest("B-2"));
    }

    function test_theRecordIdIsTheDecisionOnTheSubject() public {
        vm.prank(zhejiang);
        bytes32 id = credit.recordCredit(dishonesty(gradeB, "D-1"));
        vm.assertEq(id, keccak256(abi.encode("D-1", FIRM)), "keyed by decision and subject");
    }

    function test_attack_aDecisionRecordedAgainAgainstTheRenewedCertificateIsRefused() public {
        vm.prank(zhejiang);
        bytes32 id = credit.recordCredit(dishonesty(gradeB, "D-1"));
        bytes32 renewed = renewGradeB();
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(AlreadyRecorded.selector, id));
        credit.recordCredit(dishonesty(renewed, "D-1"));
    }

    function test_attack_aRecordOnARenewedCertificateIsStillRestorable() public {
        vm.prank(zhejiang);
        bytes32 id = credit.recordCredit(dishonesty(gradeB, "D-1"));
        renewGradeB();
        vm.warp(START + 90 days);
        vm.prank(zhejiang);
        credit.restoreCredit(restoration(id));
        vm.assertFalse(credit.isPublished(id), "restored although its certificate was superseded");
    }

    function test_restorationIsJudgedOnTheSubjectsLiveCertificate() public {
        vm.warp(START + 730 days);
        vm.prank(zhejiang);
        bytes32 id = credit.recordCredit(dishonesty(gradeB, "D-1"));
        vm.warp(START + 820 days);
        vm.prank(ministry);
        registry.upgrade(gradeB, successorRequest("A-2"), false);
        // The firm is grade A now: the ministry's, no longer the province's.
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        credit.restoreCredit(restoration(id));
        vm.prank(ministry);
        credit.restoreCredit(restoration(id));
        vm.assertFalse(credit.isPublished(id), "restored by the live grade's authority");
    }

    function testFuzz_aDecisionCountsOnceAlongAnyRenewalChain(uint8 renewals) public {
        renewals = uint8(1 + renewals % 4);
        bytes32[] memory chain = new bytes32[](renewals + 1);
        chain[0] = gradeB;
        vm.prank(zhejiang);
        bytes32 id = credit.recordCredit(dishonesty(gradeB, "D-1"));
        for (uint256 i = 1; i <= renewals; i++) {
            vm.prank(zhejiang);
            chain[i] = registry.renew(chain[i - 1], successorRequest(string(abi.encodePacked("B-R", bytes1(uint8(48 + i))))));
        }
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(AlreadyRecorded.selector, id));
        credit.recordCredit(dishonesty(chain[renewals], "D-1"));
        vm.warp(START + 90 days);
        vm.prank(zhejiang);
        credit.restoreCredit(restoration(id));
        vm.assertFalse(credit.isPublished(id), "restorable from any link of the chain");
    }

    function test_attack_creditNamesOnlyTheSubjectsLiveQualification() public {
        // A second certificate for the same firm displaces the first: the first carries no new credit.
        ICertificateRegistry.IssueRequest memory again = firmRequest("B-3", Grade.B, 33);
        vm.prank(zhejiang);
        bytes32 current = registry.issue(again);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(NotCurrentQualification.selector, gradeB, current));
        credit.recordCredit(dishonesty(gradeB, "D-1"));

        // Revoked, the firm holds no qualification: nothing more is recorded against it.
        vm.prank(zhejiang);
        registry.revoke(current, 3);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(NotCurrentQualification.selector, current, bytes32(0)));
        credit.recordCredit(dishonesty(current, "D-1"));
    }

    function test_aLapsedQualificationCarriesNoNewCredit() public {
        vm.warp(START + FIVE_YEARS);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(NotCurrentQualification.selector, gradeB, bytes32(0)));
        credit.recordCredit(dishonesty(gradeB, "D-1"));
    }
}
