// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {CreditFixture} from "./utils/CreditFixture.sol";
import {ActSigner} from "./utils/ActSigner.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {
    ICreditRegistry, CreditKind, Severity, InvalidCredit, InvalidPublication, AlreadyRecorded, UnknownRecord,
    NotRestorable, RestorableFrom, NotCurrentQualification
} from "../../contracts/ICreditRegistry.sol";
import {
    Kind, Grade, Status, Delegation, Unauthorized, WrongJurisdiction, UnknownCertificate, InvalidSignature
} from "../../contracts/Common.sol";

/// @dev Credit records follow the certificates' roles and jurisdictions, keep to the restoration tiers, are never
/// overwritten, and restorations end a dishonesty record only after its minimum period.
contract CreditTest is CreditFixture {
    bytes32 internal gradeB;
    bytes32 internal gradeA;
    bytes32 internal planner;

    function setUp() public override {
        super.setUp();
        gradeB = issueGradeB("B-1");
        // Another firm of Zhejiang: each firm holds one live qualification, and credit names that one.
        ICertificateRegistry.IssueRequest memory a = firmRequest("A-1", Grade.A, 33);
        a.subject = OTHER_FIRM;
        vm.prank(ministry);
        gradeA = registry.issue(a);
        planner = issuePlanner("P-1", PLANNER, EMPLOYER);
    }

    function honour(bytes32 certificate, string memory decision)
        internal
        view
        returns (ICreditRegistry.CreditRequest memory r)
    {
        r = dishonesty(certificate, Severity.NONE, 365 days, decision);
        r.kind = CreditKind.HONOUR;
        r.category = AWARD;
    }

    // ---- who may record ----

    function test_theCreditRegistryNamesItsCertificateRegistry() public view {
        vm.assertEq(address(credit.certificates()), address(registry), "held through ICertificateRegistry");
    }

    function test_theRuleItAppliesIsTheCertificateRegistrysCheckAuthority() public {
        ICertificateRegistry certificates = credit.certificates();
        certificates.checkAuthority(zhejiang, Kind.FIRM, Grade.B, 33);
        certificates.checkAuthority(ministry, Kind.FIRM, Grade.A, 0);
        certificates.checkAuthority(registrar, Kind.PLANNER, Grade.NONE, 0);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        certificates.checkAuthority(zhejiang, Kind.FIRM, Grade.A, 33);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, zhejiang, uint8(11)));
        certificates.checkAuthority(zhejiang, Kind.FIRM, Grade.B, 11);
    }

    function test_aProvinceRecordsAgainstItsOwnGradeBFirms() public {
        vm.prank(zhejiang);
        bytes32 id = credit.recordCredit(dishonesty(gradeB, Severity.GENERAL, 180 days, "D-1"));
        vm.assertEq(id, keccak256(abi.encode("D-1", FIRM)), "id is the decision on that subject");
        vm.assertTrue(credit.isPublished(id), "published");
    }

    function test_aProvinceCannotRecordAgainstGradeAOrAnotherProvince() public {
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        credit.recordCredit(honour(gradeA, "H-1"));
        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        credit.recordCredit(honour(gradeB, "H-1"));
    }

    function test_theMinistryRecordsAgainstAnyFirmButNotPlanners() public {
        vm.startPrank(ministry);
        credit.recordCredit(honour(gradeA, "H-1"));
        credit.recordCredit(honour(gradeB, "H-2"));
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, ministry));
        credit.recordCredit(dishonesty(planner, Severity.SERIOUS, 2 * 365 days, "D-1"));
        vm.stopPrank();
        vm.prank(registrar);
        credit.recordCredit(dishonesty(planner, Severity.SERIOUS, 2 * 365 days, "D-1"));
    }

    function test_strangersAndUnknownCertificatesAreRefused() public {
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, stranger));
        credit.recordCredit(honour(gradeA, "H-1"));
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(UnknownCertificate.selector, bytes32(uint256(1))));
        credit.recordCredit(honour(bytes32(uint256(1)), "H-1"));
    }

    function test_aSupersededCertificateIsRefusedSoTheCurrentGradeDecides() public {
        vm.warp(START + 800 days);
        vm.prank(ministry);
        bytes32 upgraded = registry.upgrade(gradeB, successorRequest("A-2"), false);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(NotCurrentQualification.selector, gradeB, upgraded));
        credit.recordCredit(dishonesty(gradeB, Severity.MINOR, 30 days, "D-1"));
    }

    // ---- what a record must be ----

    function test_theTiersBoundThePublicationPeriod() public {
        vm.startPrank(ministry);
        ICreditRegistry.CreditRequest memory r = dishonesty(gradeA, Severity.GENERAL, 60 days, "D-1");
        vm.expectRevert(abi.encodeWithSelector(InvalidPublication.selector, r.publishedFrom, r.publishedUntil));
        credit.recordCredit(r);
        r = dishonesty(gradeA, Severity.SERIOUS, 4 * 365 days, "D-1");
        vm.expectRevert(abi.encodeWithSelector(InvalidPublication.selector, r.publishedFrom, r.publishedUntil));
        credit.recordCredit(r);
        r = dishonesty(gradeA, Severity.MINOR, 91 days, "D-1");
        vm.expectRevert(abi.encodeWithSelector(InvalidPublication.selector, r.publishedFrom, r.publishedUntil));
        credit.recordCredit(r);
        credit.recordCredit(dishonesty(gradeA, Severity.MINOR, 90 days, "D-1"));
        credit.recordCredit(dishonesty(gradeA, Severity.GENERAL, 365 days, "D-2"));
        credit.recordCredit(dishonesty(gradeA, Severity.SERIOUS, 1095 days, "D-3"));
        vm.stopPrank();
    }

    function testFuzz_aPeriodIsAcceptedExactlyWithinItsTier(uint8 severityCode, uint40 period) public {
        Severity severity = Severity(bound(severityCode, 1, 3));
        period = uint40(bound(period, 1, 2000 days));
        (uint40 shortest, uint40 longest) = severity == Severity.MINOR
            ? (uint40(0), uint40(90 days))
            : severity == Severity.GENERAL ? (uint40(90 days), uint40(365 days)) : (uint40(365 days), uint40(1095 days));
        ICreditRegistry.CreditRequest memory r = dishonesty(gradeA, severity, period, "D-1");
        bool fits = period >= shortest && period <= longest;
        if (!fits) {
            vm.expectRevert(abi.encodeWithSelector(InvalidPublication.selector, r.publishedFrom, r.publishedUntil));
        }
        vm.prank(ministry);
        credit.recordCredit(r);
    }

    function test_badFieldsAreRefusedByName() public {
        vm.startPrank(ministry);
        ICreditRegistry.CreditRequest memory r = honour(gradeA, "H-1");
        r.points = 0;
        vm.expectRevert(abi.encodeWithSelector(InvalidCredit.selector, "points"));
        credit.recordCredit(r);
        r.points = 101;
        vm.expectRevert(abi.encodeWithSelector(InvalidCredit.selector, "points"));
        credit.recordCredit(r);
        r = honour(gradeA, "H-1");
        r.category = 0;
        vm.expectRevert(abi.encodeWithSelector(InvalidCredit.selector, "category"));
        credit.recordCredit(r);
        r = honour(gradeA, "H-1");
        r.severity = Severity.SERIOUS;
        vm.expectRevert(abi.encodeWithSelector(InvalidCredit.selector, "severity"));
        credit.recordCredit(r);
        r = dishonesty(gradeA, Severity.NONE, 30 days, "D-1");
        vm.expectRevert(abi.encodeWithSelector(InvalidCredit.selector, "severity"));
        credit.recordCredit(r);
        r = honour(gradeA, "");
        vm.expectRevert(abi.encodeWithSelector(InvalidCredit.selector, "decisionNumber"));
        credit.recordCredit(r);
        r = honour(gradeA, "H-1");
        r.publishedFrom = uint40(block.timestamp + 1);
        vm.expectRevert(abi.encodeWithSelector(InvalidPublication.selector, r.publishedFrom, r.publishedUntil));
        credit.recordCredit(r);
        vm.stopPrank();
    }

    function test_aDecisionIsRecordedOnce() public {
        vm.startPrank(ministry);
        bytes32 id = credit.recordCredit(honour(gradeA, "H-1"));
        vm.expectRevert(abi.encodeWithSelector(AlreadyRecorded.selector, id));
        credit.recordCredit(honour(gradeA, "H-1"));
        vm.stopPrank();
    }

    // ---- restoration ----

    function test_restorationComesAfterTheMinimumPeriodAndOnlyOnce() public {
        vm.prank(zhejiang);
        bytes32 id = credit.recordCredit(dishonesty(gradeB, Severity.GENERAL, 300 days, "D-1"));
        vm.warp(START + 89 days);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(RestorableFrom.selector, id, START + 90 days));
        credit.restoreCredit(restoration(id));
        vm.warp(START + 90 days);
        vm.prank(zhejiang);
        bytes32 restored = credit.restoreCredit(restoration(id));
        vm.assertEq(credit.restorationOf(id), restored, "linked to its restoration");
        vm.assertFalse(credit.isPublished(id), "publication ended");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(NotRestorable.selector, id));
        credit.restoreCredit(restoration(id));
    }

    function test_honoursAndEndedRecordsCannotBeRestored() public {
        vm.startPrank(ministry);
        bytes32 award = credit.recordCredit(honour(gradeA, "H-1"));
        vm.expectRevert(abi.encodeWithSelector(NotRestorable.selector, award));
        credit.restoreCredit(restoration(award));
        bytes32 minor = credit.recordCredit(dishonesty(gradeA, Severity.MINOR, 30 days, "D-1"));
        vm.warp(START + 30 days);
        vm.expectRevert(abi.encodeWithSelector(NotRestorable.selector, minor));
        credit.restoreCredit(restoration(minor));
        vm.expectRevert(abi.encodeWithSelector(UnknownRecord.selector, bytes32(uint256(7))));
        credit.restoreCredit(restoration(bytes32(uint256(7))));
        vm.stopPrank();
    }

    function test_onlyTheRecordsJurisdictionRestores() public {
        vm.prank(zhejiang);
        bytes32 id = credit.recordCredit(dishonesty(gradeB, Severity.MINOR, 30 days, "D-1"));
        vm.prank(beijing);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        credit.restoreCredit(restoration(id));
        vm.prank(ministry);
        credit.restoreCredit(restoration(id));
    }

    // ---- by signature ----

    function _domain() internal view returns (ActSigner.Domain memory) {
        return ActSigner.Domain(address(credit), block.chainid);
    }

    function test_aSignedRecordNamesTheSignerAndCannotBeReplayed() public {
        ICreditRegistry.CreditRequest memory r = dishonesty(gradeB, Severity.MINOR, 30 days, "D-1");
        uint256 deadline = block.timestamp + 1 hours;
        Delegation memory d = ActSigner.signCredit(
            ZHEJIANG_KEY, _domain(), ActSigner.recordCredit(r, 0, deadline), 0, deadline
        );
        vm.expectEmit(true, true, true, true);
        emit ICreditRegistry.CreditRecorded(keccak256(abi.encode("D-1", FIRM)), FIRM, gradeB, zhejiang, r.publishedFrom, r);
        credit.recordCreditBySignature(r, d);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, zhejiang, 1));
        credit.recordCreditBySignature(r, d);
    }

    function test_aSignatureForTheCertificateRegistryIsRefused() public {
        ICreditRegistry.CreditRequest memory r = dishonesty(gradeB, Severity.MINOR, 30 days, "D-1");
        uint256 deadline = block.timestamp + 1 hours;
        Delegation memory d = ActSigner.signCredit(
            ZHEJIANG_KEY, ActSigner.Domain(address(registry), block.chainid), ActSigner.recordCredit(r, 0, deadline), 0, deadline
        );
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, zhejiang));
        credit.recordCreditBySignature(r, d);
    }

    function test_aSignedRestoration() public {
        vm.prank(zhejiang);
        bytes32 id = credit.recordCredit(dishonesty(gradeB, Severity.MINOR, 30 days, "D-1"));
        uint256 deadline = block.timestamp + 1 hours;
        ICreditRegistry.RestorationRequest memory r = restoration(id);
        Delegation memory d =
            ActSigner.signCredit(ZHEJIANG_KEY, _domain(), ActSigner.restoreCredit(r, 0, deadline), 0, deadline);
        vm.prank(stranger);
        credit.restoreCreditBySignature(r, d);
        vm.assertFalse(credit.isPublished(id), "restored by the province's signature");
    }

    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return lo + x % (hi - lo + 1);
    }
}
