// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {LicensingFixture} from "./utils/LicensingFixture.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {
    ILicensingRegistry, ApplicationKind, Stage, AlreadyFiled, WrongStage, NotApplicant, QualificationHeld,
    CompletionAlreadyRequested, NotTheFirmsProvince, NoticeTooShort, NoticeRunning, NotInNotice,
    ObjectionsUnanswered, DossierChanged, DecisionMismatch, AlreadyExtended, ExpertReviewOutOfOrder, SameRegulator,
    OtherAuthority, UnknownProposal, UnknownObjection, InvalidApplication, NotProposer, AlreadyProposed,
    AlreadyObjected, NoticeTooLong
} from "../../contracts/ILicensingRegistry.sol";
import {
    Grade, Status, WrongJurisdiction, Unauthorized, GradeHeldTooShort, FourEyesRequired
} from "../../contracts/Common.sol";

/// @dev Every step of the licensing procedure and every forbidden transition: order, authority, the notice and its
/// objections, the dossier the decision binds, terminal states, and four eyes on revocation.
contract LicensingTest is LicensingFixture {
    // ---- the first application, end to end

    function test_aFirstApplicationIsIssuedByItsApprovalAfterTheNotice() public {
        bytes32 id = fileFirst();
        ILicensingRegistry.Application memory a = licensing.application(id);
        vm.assertEq(a.applicant, applicant, "the firm's key filed");
        vm.assertEq(uint256(a.grade), uint256(Grade.B), "a first application is for grade B");
        vm.assertEq(a.province, 33, "in the firm's province");
        toNotice(id, zhejiang);
        vm.warp(block.timestamp + NOTICE);
        vm.expectEmit(true, false, false, false, address(licensing));
        emit ILicensingRegistry.ApplicationApproved(id, bytes32(0), zhejiang);
        vm.prank(zhejiang);
        bytes32 cert = licensing.approveFirst(id, DOSSIER, newFirmCertificate("B-NEW"));
        assertStage(id, Stage.APPROVED, "approved");
        assertStatus(cert, Status.ACTIVE, "issued in the same transaction");
        ICertificateRegistry.Certificate memory c = registry.certificate(cert);
        vm.assertEq(c.issuer, zhejiang, "the deciding regulator is the issuer");
        vm.assertEq(c.holder, applicant, "held by the key that applied");
        vm.assertEq(registry.qualificationOf(NEW_FIRM), cert, "the firm's qualification");
    }

    function test_noDecisionBeforeTheNoticeHasRun() public {
        bytes32 id = fileFirst();
        toNotice(id, zhejiang);
        uint40 endsAt = licensing.application(id).noticeEndsAt;
        vm.warp(endsAt - 1);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(NoticeRunning.selector, id, endsAt));
        licensing.approveFirst(id, DOSSIER, newFirmCertificate("B-NEW"));
    }

    function test_noNoticeShorterThanTheRuleSetsPeriod() public {
        bytes32 id = fileFirst();
        vm.startPrank(zhejiang);
        licensing.accept(id);
        licensing.review(id, CHECKS, OPINION, 0);
        uint40 earliest = uint40(block.timestamp) + NOTICE;
        vm.expectRevert(abi.encodeWithSelector(NoticeTooShort.selector, earliest - 1, earliest));
        licensing.publishNotice(id, earliest - 1);
        vm.stopPrank();
    }

    function test_theDecidingReviewMayPublishItsOpinionForNoticeInTheSameAct() public {
        bytes32 id = fileFirst();
        vm.startPrank(zhejiang);
        licensing.accept(id);
        uint40 earliest = uint40(block.timestamp) + NOTICE;
        vm.expectRevert(abi.encodeWithSelector(NoticeTooShort.selector, earliest - 1, earliest));
        licensing.review(id, CHECKS, OPINION, earliest - 1);
        licensing.review(id, CHECKS, OPINION, earliest);
        vm.stopPrank();
        assertStage(id, Stage.IN_NOTICE, "reviewed and noticed");
        vm.assertEq(licensing.application(id).noticeEndsAt, earliest, "until the end it names");
    }

    function test_anUnansweredObjectionBlocksTheDecisionUntilAnswered() public {
        bytes32 id = fileFirst();
        toNotice(id, zhejiang);
        vm.prank(stranger);
        bytes32 objection = licensing.object(id, keccak256("evidence"), keccak256(unicode"挂证"));
        vm.warp(block.timestamp + NOTICE);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotInNotice.selector, id));
        licensing.object(id, keccak256("late"), keccak256("late"));
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(ObjectionsUnanswered.selector, id, uint16(1)));
        licensing.approveFirst(id, DOSSIER, newFirmCertificate("B-NEW"));
        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        licensing.answerObjection(objection, keccak256("answer"));
        vm.prank(zhejiang);
        licensing.answerObjection(objection, keccak256("answer"));
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(UnknownObjection.selector, objection));
        licensing.answerObjection(objection, keccak256("answer"));
        vm.prank(zhejiang);
        licensing.approveFirst(id, DOSSIER, newFirmCertificate("B-NEW"));
        assertStage(id, Stage.APPROVED, "approved once every objection was answered");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotInNotice.selector, id));
        licensing.object(id, keccak256("evidence"), keccak256(unicode"挂证"));
    }

    function test_theDecisionBindsTheDossierAndTheCertificateAppliedFor() public {
        bytes32 id = fileFirst();
        toNotice(id, zhejiang);
        vm.warp(block.timestamp + NOTICE);
        vm.startPrank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(DossierChanged.selector, id, DOSSIER));
        licensing.approveFirst(id, keccak256("another dossier"), newFirmCertificate("B-NEW"));
        ICertificateRegistry.IssueRequest memory r = newFirmCertificate("B-NEW");
        r.grade = Grade.A;
        vm.expectRevert(abi.encodeWithSelector(DecisionMismatch.selector, "grade"));
        licensing.approveFirst(id, DOSSIER, r);
        r = newFirmCertificate("B-NEW");
        r.subject = FIRM;
        vm.expectRevert(abi.encodeWithSelector(DecisionMismatch.selector, "subject"));
        licensing.approveFirst(id, DOSSIER, r);
        r = newFirmCertificate("B-NEW");
        r.holder = stranger;
        vm.expectRevert(abi.encodeWithSelector(DecisionMismatch.selector, "holder"));
        licensing.approveFirst(id, DOSSIER, r);
        vm.stopPrank();
    }

    // ---- order and authority

    function test_stepsInOrderAndEachOnce() public {
        bytes32 id = fileFirst();
        vm.prank(applicant);
        vm.expectRevert(abi.encodeWithSelector(AlreadyFiled.selector, id));
        licensing.file(firstApplication());
        vm.startPrank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongStage.selector, id, Stage.FILED));
        licensing.review(id, CHECKS, OPINION, 0);
        vm.expectRevert(abi.encodeWithSelector(WrongStage.selector, id, Stage.FILED));
        licensing.publishNotice(id, uint40(block.timestamp) + NOTICE);
        licensing.accept(id);
        vm.expectRevert(abi.encodeWithSelector(WrongStage.selector, id, Stage.ACCEPTED));
        licensing.accept(id);
        vm.expectRevert(abi.encodeWithSelector(WrongStage.selector, id, Stage.ACCEPTED));
        licensing.approveFirst(id, DOSSIER, newFirmCertificate("B-NEW"));
        vm.stopPrank();
    }

    function test_anotherProvinceTakesNoStep() public {
        bytes32 id = fileFirst();
        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        licensing.accept(id);
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, stranger));
        licensing.accept(id);
    }

    function test_completionIsRequestedOnceWithEverythingMissing() public {
        bytes32 id = fileFirst();
        vm.prank(zhejiang);
        licensing.requestCompletion(id, keccak256("missing: social insurance proof"));
        assertStage(id, Stage.COMPLETION_REQUESTED, "waiting for the applicant");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotApplicant.selector, id, stranger));
        licensing.supplement(id, keccak256("dossier v2"));
        vm.prank(applicant);
        licensing.supplement(id, keccak256("dossier v2"));
        assertStage(id, Stage.FILED, "filed again");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(CompletionAlreadyRequested.selector, id));
        licensing.requestCompletion(id, keccak256("more"));
        toNotice(id, zhejiang);
        vm.warp(block.timestamp + NOTICE);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(DossierChanged.selector, id, keccak256("dossier v2")));
        licensing.approveFirst(id, DOSSIER, newFirmCertificate("B-NEW"));
    }

    function test_terminalStatesAreFinal() public {
        bytes32 refused = fileFirst();
        vm.startPrank(zhejiang);
        licensing.refuseAcceptance(refused, keccak256(unicode"不予受理"));
        vm.expectRevert(abi.encodeWithSelector(WrongStage.selector, refused, Stage.NOT_ACCEPTED));
        licensing.accept(refused);
        vm.stopPrank();
        vm.prank(applicant);
        vm.expectRevert(abi.encodeWithSelector(WrongStage.selector, refused, Stage.NOT_ACCEPTED));
        licensing.withdraw(refused);

        ILicensingRegistry.ApplicationRequest memory again = firstApplication();
        again.dossier = keccak256("dossier, second try");
        vm.prank(applicant);
        bytes32 id = licensing.file(again);
        toNotice(id, zhejiang);
        vm.prank(zhejiang);
        licensing.refuse(id, keccak256(unicode"不予许可"));
        vm.warp(block.timestamp + NOTICE);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongStage.selector, id, Stage.REFUSED));
        licensing.approveFirst(id, again.dossier, newFirmCertificate("B-NEW"));
    }

    function test_theApplicantWithdrawsBeforeTheDecisionOnly() public {
        bytes32 id = fileFirst();
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(NotApplicant.selector, id, zhejiang));
        licensing.withdraw(id);
        vm.prank(applicant);
        licensing.withdraw(id);
        assertStage(id, Stage.WITHDRAWN, "withdrawn");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongStage.selector, id, Stage.WITHDRAWN));
        licensing.accept(id);
    }

    function test_aQualifiedFirmFilesNoFirstApplication() public {
        vm.prank(applicant);
        vm.expectRevert(abi.encodeWithSelector(QualificationHeld.selector, EMPLOYER, registry.idOf("E-1")));
        licensing.file(
            ILicensingRegistry.ApplicationRequest(ApplicationKind.FIRST, EMPLOYER, bytes32(0), 33, bytes32(0), DOSSIER, "")
        );
    }

    function test_aPaperFilingIsRecordedByTheAuthorityAndMarked() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, stranger));
        licensing.fileOnPaper(firstApplication());
        vm.prank(zhejiang);
        bytes32 id = licensing.fileOnPaper(firstApplication());
        vm.assertEq(licensing.application(id).flags & licensing.FLAG_PAPER(), licensing.FLAG_PAPER(), "marked");
        toNotice(id, zhejiang);
        vm.warp(block.timestamp + NOTICE);
        ICertificateRegistry.IssueRequest memory r = newFirmCertificate("B-PAPER");
        r.holder = address(0xF1); // a key of the firm's choosing: the paper filing names none
        vm.prank(zhejiang);
        licensing.approveFirst(id, DOSSIER, r);
    }

    function test_expertReviewAndExtensionAreRecordedOnceInOrder() public {
        bytes32 id = fileFirst();
        vm.startPrank(zhejiang);
        licensing.accept(id);
        vm.expectRevert(abi.encodeWithSelector(ExpertReviewOutOfOrder.selector, id));
        licensing.expertReview(id, false);
        licensing.expertReview(id, true);
        vm.expectRevert(abi.encodeWithSelector(ExpertReviewOutOfOrder.selector, id));
        licensing.expertReview(id, true);
        licensing.expertReview(id, false);
        licensing.extendDecision(id, keccak256(unicode"经本行政机关负责人批准延长十日"));
        vm.expectRevert(abi.encodeWithSelector(AlreadyExtended.selector, id));
        licensing.extendDecision(id, keccak256("again"));
        vm.stopPrank();
    }

    // ---- grade A: the province first, then the ministry

    function _heldGradeB() internal returns (bytes32 gradeB) {
        ICertificateRegistry.IssueRequest memory r = firmRequest("B-HELD", Grade.B, 33);
        r.subject = NEW_FIRM;
        r.holder = applicant;
        vm.prank(zhejiang);
        gradeB = registry.issue(r);
    }

    function test_anUpgradeIsReviewedByTheFirmsProvinceThenByTheMinistry() public {
        bytes32 gradeB = _heldGradeB();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotApplicant.selector, bytes32(0), stranger));
        licensing.file(successorApplication(ApplicationKind.UPGRADE, gradeB));
        vm.prank(applicant);
        bytes32 id = licensing.file(successorApplication(ApplicationKind.UPGRADE, gradeB));
        vm.prank(zhejiang);
        licensing.accept(id);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(NotTheFirmsProvince.selector, ministry, uint8(33)));
        licensing.review(id, CHECKS, OPINION, 0);
        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(NotTheFirmsProvince.selector, beijing, uint8(33)));
        licensing.review(id, CHECKS, OPINION, 0);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(InvalidApplication.selector, "noticeEndsAt"));
        licensing.review(id, CHECKS, OPINION, uint40(block.timestamp) + NOTICE);
        vm.prank(zhejiang);
        licensing.review(id, CHECKS, OPINION, 0);
        assertStage(id, Stage.PROVINCE_REVIEWED, "forwarded to the ministry");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        licensing.review(id, CHECKS, OPINION, 0);
        vm.startPrank(ministry);
        licensing.review(id, CHECKS, OPINION, 0);
        licensing.publishNotice(id, uint40(block.timestamp) + NOTICE);
        vm.warp(block.timestamp + NOTICE);
        ICertificateRegistry.SuccessorRequest memory s = successorRequest("A-NEW");
        s.holder = applicant;
        // The holding period is still the registry's rule: two years of grade B first.
        vm.expectRevert(abi.encodeWithSelector(GradeHeldTooShort.selector, gradeB, uint40(START) + 730 days));
        licensing.approveSuccessor(id, DOSSIER, s);
        vm.warp(uint256(START) + 730 days);
        bytes32 gradeA = licensing.approveSuccessor(id, DOSSIER, s);
        vm.stopPrank();
        vm.assertEq(uint256(registry.certificate(gradeA).grade), uint256(Grade.A), "upgraded");
        assertStatus(gradeB, Status.SUPERSEDED, "grade B superseded");
    }

    function test_aRenewalIsDecidedByTheFirmsProvince() public {
        bytes32 gradeB = _heldGradeB();
        vm.prank(applicant);
        bytes32 id = licensing.file(successorApplication(ApplicationKind.RENEWAL, gradeB));
        toNotice(id, zhejiang);
        vm.warp(block.timestamp + NOTICE);
        ICertificateRegistry.SuccessorRequest memory s = successorRequest("B-RENEWED");
        s.holder = applicant;
        vm.prank(zhejiang);
        bytes32 renewed = licensing.approveSuccessor(id, DOSSIER, s);
        vm.assertEq(registry.certificate(gradeB).successor, renewed, "renewed");
    }

    function test_onlyTheLicensingRegistryMakesCertificatesForApplications() public {
        bytes32 role = registry.LICENSING_ROLE();
        ICertificateRegistry.IssueRequest memory r = newFirmCertificate("B-NEW");
        vm.prank(zhejiang);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, zhejiang, role)
        );
        registry.issueFor(zhejiang, r);
    }

    // ---- four eyes on revocation

    function test_aRevocationTakesEffectOnlyWhenASecondRegulatorOfTheSameAuthorityConfirms() public {
        bytes32 id = issueGradeB("B-1");
        address secondZhejiang = vm.addr(0x3302);
        vm.prank(ministry);
        registry.appointProvincialRegulator(secondZhejiang, 33);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(FourEyesRequired.selector, uint16(2)));
        registry.revoke(id, 2); // 撤销 for fraud: never one regulator's act alone
        vm.prank(zhejiang);
        bytes32 proposal = licensing.proposeRevocation(id, 2, keccak256("evidence"));
        assertStatus(id, Status.ACTIVE, "a proposal alone changes nothing");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(SameRegulator.selector, zhejiang));
        licensing.confirmRevocation(proposal);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(OtherAuthority.selector, ministry));
        licensing.confirmRevocation(proposal);
        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(OtherAuthority.selector, beijing));
        licensing.confirmRevocation(proposal);
        vm.prank(secondZhejiang);
        licensing.confirmRevocation(proposal);
        assertStatus(id, Status.REVOKED, "revoked on the second regulator's confirmation");
        vm.prank(secondZhejiang);
        vm.expectRevert(abi.encodeWithSelector(UnknownProposal.selector, proposal));
        licensing.confirmRevocation(proposal);
    }

    function test_aProposalIsWithdrawnByItsProposerOnly() public {
        bytes32 id = issueGradeB("B-1");
        vm.prank(zhejiang);
        bytes32 proposal = licensing.proposeRevocation(id, 3, keccak256("evidence"));
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(NotProposer.selector, proposal, ministry));
        licensing.withdrawRevocation(proposal);
        vm.prank(zhejiang);
        licensing.withdrawRevocation(proposal);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(UnknownProposal.selector, proposal));
        licensing.withdrawRevocation(proposal);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(AlreadyProposed.selector, proposal));
        licensing.proposeRevocation(id, 3, keccak256("evidence"));
    }

    // ---- the review's findings

    function test_aSecondFirstApplicationOfTheSameFirmIsNotApprovedOnceTheFirstWas() public {
        bytes32 first = fileFirst();
        ILicensingRegistry.ApplicationRequest memory again = firstApplication();
        again.dossier = keccak256("a second dossier");
        vm.prank(applicant);
        bytes32 second = licensing.file(again);
        toNotice(first, zhejiang);
        toNotice(second, zhejiang);
        vm.warp(block.timestamp + NOTICE);
        vm.prank(zhejiang);
        bytes32 cert = licensing.approveFirst(first, DOSSIER, newFirmCertificate("B-NEW"));
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(QualificationHeld.selector, NEW_FIRM, cert));
        licensing.approveFirst(second, again.dossier, newFirmCertificate("B-NEW-2"));
    }

    function test_aFirmMovedDuringItsApplicationIsHandledByItsNewProvince() public {
        bytes32 gradeB = _heldGradeB();
        vm.prank(applicant);
        bytes32 id = licensing.file(successorApplication(ApplicationKind.RENEWAL, gradeB));
        vm.prank(ministry);
        registry.moveFirm(NEW_FIRM, 11);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, zhejiang, uint8(11)));
        licensing.accept(id);
        toNotice(id, beijing);
        vm.warp(block.timestamp + NOTICE);
        ICertificateRegistry.SuccessorRequest memory s = successorRequest("B-RENEWED");
        s.holder = applicant;
        vm.prank(beijing);
        licensing.approveSuccessor(id, DOSSIER, s);
        assertStage(id, Stage.APPROVED, "decided by the province the firm belongs to now");
    }

    function test_anExpertReviewUnderWayIsEndedBeforeTheReview() public {
        bytes32 id = fileFirst();
        vm.startPrank(zhejiang);
        licensing.accept(id);
        licensing.expertReview(id, true);
        vm.expectRevert(abi.encodeWithSelector(ExpertReviewOutOfOrder.selector, id));
        licensing.review(id, CHECKS, OPINION, 0);
        licensing.expertReview(id, false);
        licensing.review(id, CHECKS, OPINION, 0);
        vm.stopPrank();
        assertStage(id, Stage.REVIEWED, "reviewed once the experts were done");
    }

    function test_noNoticeLongerThanTheMaximum() public {
        bytes32 id = fileFirst();
        vm.startPrank(zhejiang);
        licensing.accept(id);
        uint40 latest = uint40(block.timestamp) + licensing.MAX_NOTICE_PERIOD();
        vm.expectRevert(abi.encodeWithSelector(NoticeTooLong.selector, latest + 1, latest));
        licensing.review(id, CHECKS, OPINION, latest + 1);
        vm.stopPrank();
    }

    function test_aFloodOfObjectionsIsAnsweredInOneAct() public {
        bytes32 id = fileFirst();
        toNotice(id, zhejiang);
        bytes32[] memory flood = new bytes32[](20);
        for (uint256 i; i < flood.length; ++i) {
            vm.prank(address(uint160(0xF100D + i)));
            flood[i] = licensing.object(id, bytes32(0), keccak256("the same complaint"));
        }
        vm.assertEq(licensing.application(id).openObjections, 20, "twenty open");
        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        licensing.answerObjections(flood, keccak256("one answer"));
        vm.prank(zhejiang);
        licensing.answerObjections(flood, keccak256("one answer"));
        vm.assertEq(licensing.application(id).openObjections, 0, "all answered");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(UnknownObjection.selector, flood[0]));
        licensing.answerObjections(flood, keccak256("again"));
    }

    function test_anObjectionStandsOnceAnsweredOrNot() public {
        bytes32 id = fileFirst();
        toNotice(id, zhejiang);
        vm.prank(stranger);
        bytes32 objection = licensing.object(id, keccak256("evidence"), keccak256("text"));
        vm.prank(zhejiang);
        licensing.answerObjection(objection, keccak256("answer"));
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(AlreadyObjected.selector, objection));
        licensing.object(id, keccak256("evidence"), keccak256("text"));
    }

    function test_aProvinceDoesNotWithdrawAGradeAPaperApplicationItForwarded() public {
        bytes32 gradeB = _heldGradeB();
        vm.prank(zhejiang);
        bytes32 id = licensing.fileOnPaper(successorApplication(ApplicationKind.UPGRADE, gradeB));
        vm.prank(zhejiang);
        licensing.accept(id);
        vm.prank(zhejiang);
        licensing.review(id, CHECKS, OPINION, 0);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        licensing.withdraw(id);
        vm.prank(ministry);
        licensing.withdraw(id);
        assertStage(id, Stage.WITHDRAWN, "withdrawn by the deciding authority");
    }

    function test_aCopiedFilingIsAnotherApplicationThatHandsTheCopierNothing() public {
        bytes32 id = fileFirst();
        vm.prank(stranger);
        bytes32 copy = licensing.file(firstApplication());
        vm.assertTrue(copy != id, "another id");
        toNotice(copy, zhejiang);
        vm.warp(block.timestamp + NOTICE);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(DecisionMismatch.selector, "holder"));
        licensing.approveFirst(copy, DOSSIER, newFirmCertificate("B-NEW"));
    }

    // ---- properties

    /// @dev A decision at any instant succeeds exactly when the notice has run its whole period.
    function testFuzz_anApprovalComesOnlyAfterTheWholeNotice(uint32 after_, uint32 extra) public {
        bytes32 id = fileFirst();
        vm.startPrank(zhejiang);
        licensing.accept(id);
        licensing.review(id, CHECKS, OPINION, 0);
        uint40 endsAt = uint40(block.timestamp) + NOTICE + (extra % 30 days);
        licensing.publishNotice(id, endsAt);
        vm.warp(block.timestamp + (after_ % 60 days));
        if (block.timestamp < endsAt) vm.expectRevert(abi.encodeWithSelector(NoticeRunning.selector, id, endsAt));
        licensing.approveFirst(id, DOSSIER, newFirmCertificate("B-NEW"));
        vm.stopPrank();
        assertStatus(registry.idOf("B-NEW"), block.timestamp < endsAt ? Status.NONE : Status.ACTIVE, "iff noticed");
    }
}
