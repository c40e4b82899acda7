// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {
    Kind, Grade, Status, UnknownCertificate, AlreadyIssued, WrongStatus, InvalidWindow, PlannerAlreadyRegistered,
    InvalidProvince, InvalidGrade, InvalidField, WrongKind, GradeHeldTooShort, MissingReason, SameEmployer,
    InvalidNumber
} from "../../contracts/Common.sol";

/// @dev Every allowed transition of the certificate state machine, and every refused one.
contract LifecycleTest is RegistryFixture {
    string internal constant NUMBER = unicode"自然资规乙字33010001";

    // ---- issue

    function test_issueStoresTheCertificateAsActive() public {
        bytes32 id = issueGradeB(NUMBER);
        vm.assertEq(id, keccak256(bytes(NUMBER)), "id is keccak256 of the number");
        ICertificateRegistry.Certificate memory c = registry.certificate(id);
        vm.assertEq(c.subject, FIRM, "subject");
        vm.assertEq(c.documentHash, keccak256(bytes(NUMBER)), "document hash");
        vm.assertEq(c.holder, address(0xF1), "holder");
        vm.assertEq(c.validFrom, START, "validFrom");
        vm.assertEq(uint256(c.status), uint256(Status.ACTIVE), "stored status");
        vm.assertEq(uint256(c.kind), uint256(Kind.FIRM), "kind");
        vm.assertEq(c.employer, bytes32(0), "no employer");
        vm.assertEq(c.predecessor, bytes32(0), "no predecessor");
        vm.assertEq(c.successor, bytes32(0), "no successor");
        vm.assertEq(c.issuer, zhejiang, "issuer");
        vm.assertEq(uint256(c.grade), uint256(Grade.B), "grade");
        vm.assertEq(c.province, 33, "province");
        vm.assertEq(c.version, 1, "version");
        vm.assertEq(c.heldSince, START, "held since issue");
        vm.assertEq(c.validUntil, START + FIVE_YEARS, "validUntil");
        assertStatus(id, Status.ACTIVE, "issued certificate is ACTIVE");
        vm.assertTrue(registry.isValid(id), "issued certificate is valid");
    }

    function test_issuingTheSameNumberTwiceIsRefused() public {
        bytes32 id = issueGradeB(NUMBER);
        vm.expectRevert(abi.encodeWithSelector(AlreadyIssued.selector, id));
        issueGradeB(NUMBER);
    }

    function test_unknownCertificateIsRefusedByEveryAct() public {
        bytes32 unknown = keccak256("never issued");
        assertStatus(unknown, Status.NONE, "unknown id has no status");
        vm.assertFalse(registry.isValid(unknown), "unknown id is not valid");
        vm.expectRevert(abi.encodeWithSelector(UnknownCertificate.selector, unknown));
        registry.certificate(unknown);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(UnknownCertificate.selector, unknown));
        registry.suspend(unknown, 1);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(UnknownCertificate.selector, unknown));
        registry.renew(unknown, successorRequest("X"));
    }

    function test_issueBatchIssuesEveryRequestOrNone() public {
        ICertificateRegistry.IssueRequest[] memory requests = new ICertificateRegistry.IssueRequest[](3);
        requests[0] = firmRequest("B-1", Grade.B, 33);
        requests[1] = firmRequest("B-2", Grade.B, 33);
        requests[2] = firmRequest("B-1", Grade.B, 33);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(AlreadyIssued.selector, keccak256("B-1")));
        registry.issueBatch(requests);
        assertStatus(keccak256("B-1"), Status.NONE, "a refused batch issues nothing");

        requests[2] = firmRequest("B-3", Grade.B, 33);
        vm.prank(zhejiang);
        bytes32[] memory ids = registry.issueBatch(requests);
        vm.assertEq(ids.length, 3, "one id per request");
        for (uint256 i = 0; i < 3; ++i) {
            assertStatus(ids[i], Status.ACTIVE, "batch certificate is ACTIVE");
        }
    }

    function test_fieldsAreChecked() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest(NUMBER, Grade.B, 33);
        r.province = 19;
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidProvince.selector, uint8(19)));
        registry.issue(r);

        r = firmRequest(NUMBER, Grade.NONE, 33);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidGrade.selector, Kind.FIRM, Grade.NONE));
        registry.issue(r);

        r = firmRequest("", Grade.B, 33);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidNumber.selector, ""));
        registry.issue(r);

        r = firmRequest(NUMBER, Grade.B, 33);
        r.subject = bytes32(0);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidField.selector, "subject"));
        registry.issue(r);

        r = firmRequest(NUMBER, Grade.B, 33);
        r.documentHash = bytes32(0);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidField.selector, "documentHash"));
        registry.issue(r);

        r = firmRequest(NUMBER, Grade.B, 33);
        r.employer = OTHER_FIRM;
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidField.selector, "employer"));
        registry.issue(r);

        r = plannerRequest("P-1", PLANNER, bytes32(0));
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(InvalidField.selector, "employer"));
        registry.issue(r);

        r = plannerRequest("P-1", PLANNER, EMPLOYER);
        r.grade = Grade.A;
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(InvalidGrade.selector, Kind.PLANNER, Grade.A));
        registry.issue(r);

        r = firmRequest(NUMBER, Grade.B, 33);
        r.kind = Kind.NONE;
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidGrade.selector, Kind.NONE, Grade.B));
        registry.issue(r);
    }

    function test_anEmptyOrPastWindowIsRefused() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest(NUMBER, Grade.B, 33);
        r.validUntil = r.validFrom;
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(InvalidWindow.selector, r.validFrom, r.validUntil));
        registry.issue(r);

        r.validFrom = START - 10 days;
        r.validUntil = START - 1;
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(InvalidWindow.selector, r.validFrom, r.validUntil));
        registry.issue(r);
    }

    function test_aCertificateNotYetInForceIsActiveButNotValid() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest(NUMBER, Grade.B, 33);
        r.validFrom = START + 30 days;
        r.validUntil = START + 30 days + FIVE_YEARS;
        vm.prank(zhejiang);
        bytes32 id = registry.issue(r);
        assertStatus(id, Status.ACTIVE, "stored ACTIVE");
        vm.assertFalse(registry.isValid(id), "not valid before validFrom");
        vm.warp(START + 30 days);
        vm.assertTrue(registry.isValid(id), "valid from validFrom on");
    }

    // ---- suspend / reinstate / revoke

    function test_suspendAndReinstate() public {
        bytes32 id = issueGradeB(NUMBER);
        vm.prank(zhejiang);
        registry.suspend(id, 7);
        assertStatus(id, Status.SUSPENDED, "suspended");
        vm.assertFalse(registry.isValid(id), "a suspended certificate is not valid");

        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, Status.SUSPENDED));
        registry.suspend(id, 7);

        vm.prank(zhejiang);
        registry.reinstate(id, 0);
        assertStatus(id, Status.ACTIVE, "reinstated");
        vm.assertTrue(registry.isValid(id), "valid again");

        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, Status.ACTIVE));
        registry.reinstate(id, 0);
    }

    function test_suspendAndRevokeNeedAReason() public {
        bytes32 id = issueGradeB(NUMBER);
        vm.prank(zhejiang);
        vm.expectRevert(MissingReason.selector);
        registry.suspend(id, 0);
        vm.prank(zhejiang);
        vm.expectRevert(MissingReason.selector);
        registry.revoke(id, 0);
    }

    function test_revokeFromActiveAndFromSuspendedIsFinal() public {
        bytes32 a = issueGradeB("R-1");
        bytes32 b = issueGradeB("R-2");
        vm.startPrank(zhejiang);
        registry.revoke(a, 3);
        registry.suspend(b, 1);
        registry.revoke(b, 3);
        vm.stopPrank();
        assertStatus(a, Status.REVOKED, "revoked from ACTIVE");
        assertStatus(b, Status.REVOKED, "revoked from SUSPENDED");
        _assertTerminal(a, Status.REVOKED);
    }

    // ---- expiry (derived)

    function test_expiryIsDerivedFromTheClock() public {
        bytes32 id = issueGradeB(NUMBER);
        vm.warp(START + FIVE_YEARS - 1);
        assertStatus(id, Status.ACTIVE, "active until the last second");
        vm.warp(START + FIVE_YEARS);
        assertStatus(id, Status.EXPIRED, "expired at validUntil");
        vm.assertFalse(registry.isValid(id), "an expired certificate is not valid");
        vm.assertEq(uint256(registry.certificate(id).status), uint256(Status.ACTIVE), "EXPIRED is never stored");

        vm.startPrank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, Status.EXPIRED));
        registry.suspend(id, 1);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, Status.EXPIRED));
        registry.amend(id, address(0), keccak256("new"), "");
        registry.revoke(id, 3); // 注销 of a lapsed licence
        vm.stopPrank();
        assertStatus(id, Status.REVOKED, "a lapsed licence can be cancelled");
    }

    function test_aSuspendedCertificateAlsoExpires() public {
        bytes32 id = issueGradeB(NUMBER);
        vm.prank(zhejiang);
        registry.suspend(id, 1);
        vm.warp(START + FIVE_YEARS);
        assertStatus(id, Status.EXPIRED, "suspended and past validUntil is EXPIRED");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, Status.EXPIRED));
        registry.reinstate(id, 0);
    }

    // ---- amend

    function test_amendChangesTheDocumentAndKeepsTheStatus() public {
        bytes32 id = issueGradeB(NUMBER);
        vm.prank(zhejiang);
        registry.amend(id, address(0xABC), keccak256("renamed"), unicode'{"name":"新名称"}');
        ICertificateRegistry.Certificate memory c = registry.certificate(id);
        vm.assertEq(c.documentHash, keccak256("renamed"), "new document hash");
        vm.assertEq(c.holder, address(0xABC), "new holder key");
        vm.assertEq(c.version, 2, "version + 1");
        assertStatus(id, Status.ACTIVE, "still ACTIVE");

        vm.startPrank(zhejiang);
        registry.suspend(id, 1);
        registry.amend(id, address(0xABC), keccak256("moved"), "");
        vm.stopPrank();
        assertStatus(id, Status.SUSPENDED, "amending a suspended certificate keeps it suspended");
        vm.assertEq(registry.certificate(id).version, 3, "version + 1 again");

        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(InvalidField.selector, "documentHash"));
        registry.amend(id, address(0), bytes32(0), "");
    }

    // ---- renew

    function test_renewSupersedesAndLinksBothWays() public {
        bytes32 old = issueGradeB(NUMBER);
        vm.warp(START + FIVE_YEARS - 90 days);
        vm.prank(zhejiang);
        bytes32 next = registry.renew(old, successorRequest("B-RENEWED"));
        _assertLinked(old, next);
        ICertificateRegistry.Certificate memory n = registry.certificate(next);
        vm.assertEq(uint256(n.grade), uint256(Grade.B), "renewal keeps the grade");
        vm.assertEq(n.subject, FIRM, "renewal keeps the subject");
        vm.assertEq(registry.certificate(old).subject, FIRM, "a superseded certificate still names its subject");
        vm.assertEq(n.heldSince, START, "renewal without a gap keeps heldSince");
        _assertTerminal(old, Status.SUPERSEDED);
    }

    function test_anExpiredCertificateCanBeRenewedButTheGradeRestarts() public {
        bytes32 old = issueGradeB(NUMBER);
        vm.warp(START + FIVE_YEARS + 30 days);
        assertStatus(old, Status.EXPIRED, "expired");
        vm.prank(zhejiang);
        bytes32 next = registry.renew(old, successorRequest("B-LATE"));
        _assertLinked(old, next);
        vm.assertEq(registry.certificate(next).heldSince, START + FIVE_YEARS + 30 days, "a gap restarts heldSince");
    }

    function test_aSuspendedCertificateCannotBeRenewed() public {
        bytes32 id = issueGradeB(NUMBER);
        vm.prank(zhejiang);
        registry.suspend(id, 1);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, Status.SUSPENDED));
        registry.renew(id, successorRequest("B-2"));
    }

    // ---- upgrade

    function test_upgradeAfterTwoYearsOfGradeB() public {
        bytes32 old = issueGradeB(NUMBER);
        vm.warp(START + 730 days - 1);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(GradeHeldTooShort.selector, old, START + 730 days));
        registry.upgrade(old, successorRequest("A-1"), false);

        vm.warp(START + 730 days);
        vm.prank(ministry);
        bytes32 next = registry.upgrade(old, successorRequest("A-1"), false);
        _assertLinked(old, next);
        ICertificateRegistry.Certificate memory n = registry.certificate(next);
        vm.assertEq(uint256(n.grade), uint256(Grade.A), "upgraded to grade A");
        vm.assertEq(n.issuer, ministry, "the ministry issued it");
        vm.assertEq(n.province, 33, "province carries over");
    }

    function test_holdingSurvivesRenewalForTheUpgrade() public {
        bytes32 first = issueGradeB(NUMBER);
        vm.warp(START + 400 days);
        vm.prank(zhejiang);
        bytes32 renewed = registry.renew(first, successorRequest("B-RENEWED"));
        vm.warp(START + 730 days);
        vm.prank(ministry);
        bytes32 upgraded = registry.upgrade(renewed, successorRequest("A-1"), false);
        assertStatus(upgraded, Status.ACTIVE, "two years of grade B across a renewal qualify");
        vm.assertEq(registry.certificate(first).subject, FIRM, "the subject is found two links down the chain");
        vm.assertEq(registry.certificate(first).successor, renewed, "each link names its own successor");
    }

    function test_legacyUpgradeWaivesTheHoldingPeriod() public {
        bytes32 old = issueGradeB(NUMBER);
        vm.expectEmit(true, true, true, true);
        emit ICertificateRegistry.HoldingPeriodWaived(old, ministry);
        vm.prank(ministry);
        bytes32 next = registry.upgrade(old, successorRequest("A-LEGACY"), true);
        assertStatus(next, Status.ACTIVE, "legacy upgrade");
    }

    function test_upgradeNeedsAnActiveGradeBFirm() public {
        bytes32 a = issueGradeA("A-0");
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(InvalidGrade.selector, Kind.FIRM, Grade.A));
        registry.upgrade(a, successorRequest("A-1"), true);

        bytes32 p = issuePlanner("P-1", PLANNER, EMPLOYER);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(WrongKind.selector, p, Kind.PLANNER));
        registry.upgrade(p, successorRequest("A-2"), true);

        bytes32 b = issueGradeB(NUMBER);
        vm.prank(zhejiang);
        registry.suspend(b, 1);
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, b, Status.SUSPENDED));
        registry.upgrade(b, successorRequest("A-3"), true);
    }

    function test_theSuccessorNumberMustBeNew() public {
        bytes32 old = issueGradeB(NUMBER);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(AlreadyIssued.selector, old));
        registry.renew(old, successorRequest(NUMBER));
        assertStatus(old, Status.ACTIVE, "a refused renewal changes nothing");
    }

    // ---- planners

    function test_transferMovesAPlannerToAnotherFirm() public {
        bytes32 id = issuePlanner("P-1", PLANNER, EMPLOYER);
        vm.prank(registrar);
        registry.transfer(id, OTHER_EMPLOYER, keccak256("moved"), "");
        ICertificateRegistry.Certificate memory c = registry.certificate(id);
        vm.assertEq(c.employer, OTHER_EMPLOYER, "new employer");
        vm.assertEq(c.version, 2, "version + 1");
        vm.assertEq(registry.registrationOf(PLANNER), id, "still the same registration");

        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(SameEmployer.selector, OTHER_EMPLOYER));
        registry.transfer(id, OTHER_EMPLOYER, keccak256("again"), "");

        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(InvalidField.selector, "employer"));
        registry.transfer(id, bytes32(0), keccak256("again"), "");

        vm.prank(registrar);
        registry.suspend(id, 1);
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, Status.SUSPENDED));
        registry.transfer(id, EMPLOYER, keccak256("back"), "");
    }

    function test_transferIsForPlannersOnly() public {
        bytes32 firm = issueGradeB(NUMBER);
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(WrongKind.selector, firm, Kind.FIRM));
        registry.transfer(firm, OTHER_EMPLOYER, keccak256("x"), "");
    }

    function test_aPlannerHasOneLiveRegistration() public {
        bytes32 first = issuePlanner("P-1", PLANNER, EMPLOYER);
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(PlannerAlreadyRegistered.selector, PLANNER, first));
        registry.issue(plannerRequest("P-2", PLANNER, OTHER_EMPLOYER));

        vm.prank(registrar);
        registry.suspend(first, 1);
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(PlannerAlreadyRegistered.selector, PLANNER, first));
        registry.issue(plannerRequest("P-2", PLANNER, OTHER_EMPLOYER));

        vm.prank(registrar);
        registry.revoke(first, 3);
        bytes32 second = issuePlanner("P-2", PLANNER, OTHER_EMPLOYER);
        vm.assertEq(registry.registrationOf(PLANNER), second, "the new registration binds the planner");
    }

    function test_anExpiredRegistrationFreesThePlannerButCannotComeBack() public {
        bytes32 first = issuePlanner("P-1", PLANNER, EMPLOYER);
        vm.warp(START + THREE_YEARS + 1 days);
        vm.assertEq(registry.registrationOf(PLANNER), bytes32(0), "an expired registration binds nobody");
        bytes32 second = issuePlanner("P-2", PLANNER, OTHER_EMPLOYER);
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(PlannerAlreadyRegistered.selector, PLANNER, second));
        registry.renew(first, successorRequest("P-1-RENEWED"));
    }

    function test_renewingARegistrationKeepsTheEmployerAndTheBinding() public {
        bytes32 first = issuePlanner("P-1", PLANNER, EMPLOYER);
        vm.warp(START + THREE_YEARS - 30 days);
        vm.prank(registrar);
        bytes32 next = registry.renew(first, successorRequest("P-1-RENEWED"));
        vm.assertEq(registry.certificate(next).employer, EMPLOYER, "employer carries over");
        vm.assertEq(registry.registrationOf(PLANNER), next, "the renewal binds the planner");
    }

    // ---- helpers

    function _assertLinked(bytes32 old, bytes32 next) private view {
        assertStatus(old, Status.SUPERSEDED, "old certificate SUPERSEDED");
        assertStatus(next, Status.ACTIVE, "new certificate ACTIVE");
        vm.assertEq(registry.certificate(old).successor, next, "old points to new");
        vm.assertEq(registry.certificate(next).predecessor, old, "new points back");
    }

    /// @dev No act brings a terminal certificate back.
    function _assertTerminal(bytes32 id, Status terminal) private {
        vm.startPrank(ministry);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, terminal));
        registry.suspend(id, 1);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, terminal));
        registry.reinstate(id, 1);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, terminal));
        registry.revoke(id, 3);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, terminal));
        registry.amend(id, address(0), keccak256("x"), "");
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, id, terminal));
        registry.renew(id, successorRequest("never"));
        vm.stopPrank();
        assertStatus(id, terminal, "still terminal");
    }
}
