// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LicensingFixture} from "./utils/LicensingFixture.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {
    ILicensingRegistry, ApplicationKind, Stage, NoticeRunning, DecisionMismatch, WrongStage, NotEmployer,
    ConsentMissing, InvalidApplication, QualificationHeld, NotApplicant
} from "../../contracts/ILicensingRegistry.sol";
import {Status, Unauthorized, EmployerNotQualified, WrongStatus} from "../../contracts/Common.sol";

/// @dev The application kinds besides a firm's first application, upgrade and renewal: a firm's change (变更) and
/// cancellation (注销), and a registered planner's registration, renewal, change of employer (both employers
/// consenting) and cancellation. Grants come only after a notice; changes and cancellations once reviewed.
contract LicensingKindsTest is LicensingFixture {
    uint256 internal constant PLANNER_KEY = 0x9A;
    uint256 internal constant OLD_EMPLOYER_KEY = 0xE1;
    uint256 internal constant NEW_EMPLOYER_KEY = 0xE2;
    bytes32 internal constant NEW_DOCUMENT = keccak256("the amended document");

    address internal planner;
    address internal oldEmployer;
    address internal newEmployer;

    function setUp() public override {
        super.setUp();
        planner = vm.addr(PLANNER_KEY);
        oldEmployer = vm.addr(OLD_EMPLOYER_KEY);
        newEmployer = vm.addr(NEW_EMPLOYER_KEY);
        bytes32 old = registry.qualificationOf(EMPLOYER);
        bytes32 other = registry.qualificationOf(OTHER_EMPLOYER);
        vm.prank(zhejiang);
        registry.bindHolder(old, oldEmployer, keccak256("the firm's key"));
        vm.prank(beijing);
        registry.bindHolder(other, newEmployer, keccak256("the firm's key"));
    }

    function _request(ApplicationKind kind, bytes32 certificate, bytes32 employer)
        internal
        pure
        returns (ILicensingRegistry.ApplicationRequest memory r)
    {
        r = successorApplication(kind, certificate);
        r.employer = employer;
    }

    function _fileBy(address key, ILicensingRegistry.ApplicationRequest memory r) internal returns (bytes32 id) {
        vm.prank(key);
        id = licensing.file(r);
    }

    function _accepted(bytes32 id, address authority) internal {
        vm.startPrank(authority);
        licensing.accept(id);
        licensing.review(id, CHECKS, OPINION, 0);
        vm.stopPrank();
    }

    function _registeredPlanner(string memory number) internal returns (bytes32 id) {
        ICertificateRegistry.IssueRequest memory r = plannerRequest(number, PLANNER, EMPLOYER);
        r.holder = planner;
        vm.prank(registrar);
        id = registry.issue(r);
    }

    function test_aFirmsChangeIsDecidedOnceReviewedAndAmendsItsCertificate() public {
        bytes32 held = registry.qualificationOf(EMPLOYER);
        uint16 version = registry.certificate(held).version;
        bytes32 id = _fileBy(oldEmployer, _request(ApplicationKind.CHANGE, held, bytes32(0)));
        _accepted(id, zhejiang);
        vm.prank(zhejiang);
        licensing.approveChange(id, DOSSIER, NEW_DOCUMENT, bytes(unicode'{"name":"浙江省国土空间规划研究院"}'));
        assertStage(id, Stage.APPROVED, "approved without a notice");
        ICertificateRegistry.Certificate memory c = registry.certificate(held);
        vm.assertEq(c.documentHash, NEW_DOCUMENT, "the amended document");
        vm.assertEq(c.version, version + 1, "a new version");
        vm.assertEq(c.holder, oldEmployer, "the firm keeps its key");
    }

    function test_aCancellationAtTheHoldersRequestCancelsTheCertificate() public {
        bytes32 held = registry.qualificationOf(EMPLOYER);
        bytes32 id = _fileBy(oldEmployer, _request(ApplicationKind.CANCELLATION, held, bytes32(0)));
        _accepted(id, zhejiang);
        vm.prank(zhejiang);
        licensing.approveCancellation(id, DOSSIER);
        assertStatus(held, Status.REVOKED, "cancelled");
        vm.assertEq(registry.qualificationOf(EMPLOYER), bytes32(0), "the firm holds no qualification any more");
    }

    function test_aGrantIsNeverDecidedWithoutItsNotice() public {
        bytes32 held = registry.qualificationOf(EMPLOYER);
        bytes32 id = _fileBy(oldEmployer, _request(ApplicationKind.RENEWAL, held, bytes32(0)));
        _accepted(id, zhejiang);
        vm.startPrank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongStage.selector, id, Stage.REVIEWED));
        licensing.approveSuccessor(id, DOSSIER, successorRequest("B-RENEWED"));
        vm.expectRevert(abi.encodeWithSelector(DecisionMismatch.selector, "kind"));
        licensing.approveChange(id, DOSSIER, NEW_DOCUMENT, "");
        vm.expectRevert(abi.encodeWithSelector(DecisionMismatch.selector, "kind"));
        licensing.approveCancellation(id, DOSSIER);
        vm.stopPrank();
    }

    function test_aPlannerRegistersWithAQualifiedEmployerByTheRegistrarAfterANotice() public {
        ILicensingRegistry.ApplicationRequest memory r =
            ILicensingRegistry.ApplicationRequest(ApplicationKind.PLANNER_REGISTRATION, PLANNER, bytes32(0), 0, EMPLOYER, DOSSIER, "");
        bytes32 id = _fileBy(planner, r);
        vm.assertEq(licensing.application(id).employer, EMPLOYER, "the employer applied with");
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        licensing.accept(id);
        toNotice(id, registrar);
        ICertificateRegistry.IssueRequest memory registration = plannerRequest("P-NEW", PLANNER, EMPLOYER);
        registration.holder = planner;
        vm.startPrank(registrar);
        vm.expectRevert(abi.encodeWithSelector(NoticeRunning.selector, id, licensing.application(id).noticeEndsAt));
        licensing.approveFirst(id, DOSSIER, registration);
        vm.warp(block.timestamp + NOTICE);
        ICertificateRegistry.IssueRequest memory elsewhere = plannerRequest("P-NEW", PLANNER, OTHER_EMPLOYER);
        elsewhere.holder = planner;
        vm.expectRevert(abi.encodeWithSelector(DecisionMismatch.selector, "employer"));
        licensing.approveFirst(id, DOSSIER, elsewhere);
        bytes32 cert = licensing.approveFirst(id, DOSSIER, registration);
        vm.stopPrank();
        vm.assertEq(registry.registrationOf(PLANNER), cert, "registered");
        vm.assertEq(registry.certificate(cert).employer, EMPLOYER, "with its employer");
        vm.assertEq(registry.certificate(cert).holder, planner, "held by the planner's key");
    }

    function test_aRegistrationNeedsAQualifiedEmployerAndNoLiveRegistration() public {
        ILicensingRegistry.ApplicationRequest memory r = ILicensingRegistry.ApplicationRequest(
            ApplicationKind.PLANNER_REGISTRATION, PLANNER, bytes32(0), 0, keccak256("no such firm"), DOSSIER, ""
        );
        vm.startPrank(planner);
        vm.expectRevert(abi.encodeWithSelector(EmployerNotQualified.selector, keccak256("no such firm")));
        licensing.file(r);
        r.employer = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(InvalidApplication.selector, "employer"));
        licensing.file(r);
        vm.stopPrank();
        bytes32 held = _registeredPlanner("P-HELD");
        r.employer = EMPLOYER;
        vm.prank(planner);
        vm.expectRevert(abi.encodeWithSelector(QualificationHeld.selector, PLANNER, held));
        licensing.file(r);
    }

    function test_aChangeOfEmployerNeedsTheConsentOfBothEmployers() public {
        bytes32 held = _registeredPlanner("P-1");
        vm.prank(planner);
        vm.expectRevert(abi.encodeWithSelector(InvalidApplication.selector, "employer"));
        licensing.file(_request(ApplicationKind.PLANNER_CHANGE, held, EMPLOYER)); // the employer it has now
        bytes32 id = _fileBy(planner, _request(ApplicationKind.PLANNER_CHANGE, held, OTHER_EMPLOYER));
        _accepted(id, registrar);
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(ConsentMissing.selector, id, EMPLOYER));
        licensing.approveChange(id, DOSSIER, NEW_DOCUMENT, "");
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(NotEmployer.selector, id, stranger));
        licensing.consent(id);
        vm.prank(oldEmployer);
        licensing.consent(id);
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(ConsentMissing.selector, id, OTHER_EMPLOYER));
        licensing.approveChange(id, DOSSIER, NEW_DOCUMENT, "");
        vm.prank(newEmployer);
        licensing.consent(id);
        vm.prank(registrar);
        licensing.approveChange(id, DOSSIER, NEW_DOCUMENT, "");
        vm.assertEq(registry.certificate(held).employer, OTHER_EMPLOYER, "registered with the new employer");
        assertStage(id, Stage.APPROVED, "approved");
    }

    function test_aPlannersRenewalAfterANoticeAndCancellationOnceReviewed() public {
        bytes32 held = _registeredPlanner("P-2");
        bytes32 renewal = _fileBy(planner, _request(ApplicationKind.PLANNER_RENEWAL, held, bytes32(0)));
        toNotice(renewal, registrar);
        vm.warp(block.timestamp + NOTICE);
        ICertificateRegistry.SuccessorRequest memory next = successorRequest("P-2-R");
        next.holder = planner;
        vm.prank(registrar);
        bytes32 renewed = licensing.approveSuccessor(renewal, DOSSIER, next);
        assertStatus(held, Status.SUPERSEDED, "the old registration superseded");
        assertStatus(renewed, Status.ACTIVE, "renewed");

        bytes32 cancellation = _fileBy(planner, _request(ApplicationKind.PLANNER_CANCELLATION, renewed, bytes32(0)));
        _accepted(cancellation, registrar);
        vm.prank(registrar);
        licensing.approveCancellation(cancellation, DOSSIER);
        assertStatus(renewed, Status.REVOKED, "cancelled");
    }

    // ---- what a review of the change found: each was possible before it was fixed

    function _change(bytes32 certificate, bytes32 to, bytes32 dossier) internal returns (bytes32 id) {
        ILicensingRegistry.ApplicationRequest memory r = _request(ApplicationKind.PLANNER_CHANGE, certificate, to);
        r.dossier = dossier;
        id = _fileBy(planner, r);
        _accepted(id, registrar);
    }

    function test_aConsentCountsOnlyForTheEmployerThePlannerLeavesWhenItFiled() public {
        bytes32 third = keccak256("91330106MA2BTHIRD3");
        issueFirm("E-3", third, zhejiang, 33);
        address thirdKey = vm.addr(0xE3);
        bytes32 thirdCertificate = registry.qualificationOf(third);
        vm.prank(zhejiang);
        registry.bindHolder(thirdCertificate, thirdKey, keccak256("the firm's key"));
        bytes32 held = _registeredPlanner("P-3");
        bytes32 toOther = _change(held, OTHER_EMPLOYER, keccak256("d1"));
        bytes32 toThird = _change(held, third, keccak256("d2"));
        vm.prank(oldEmployer);
        licensing.consent(toOther);
        vm.prank(oldEmployer);
        licensing.consent(toThird);
        vm.prank(newEmployer);
        licensing.consent(toOther);
        vm.prank(thirdKey);
        licensing.consent(toThird);
        vm.startPrank(registrar);
        licensing.approveChange(toOther, keccak256("d1"), NEW_DOCUMENT, "");
        // The planner works for OTHER_EMPLOYER now, which never consented to leaving it for the third firm.
        vm.expectRevert(abi.encodeWithSelector(DecisionMismatch.selector, "employer"));
        licensing.approveChange(toThird, keccak256("d2"), NEW_DOCUMENT, "");
        vm.stopPrank();
    }

    function test_aConsentByAKeyReplacedSinceDoesNotCount() public {
        bytes32 held = _registeredPlanner("P-4");
        bytes32 id = _change(held, OTHER_EMPLOYER, keccak256("d1"));
        vm.prank(oldEmployer);
        licensing.consent(id);
        vm.prank(newEmployer);
        licensing.consent(id);
        bytes32 employerCertificate = registry.qualificationOf(EMPLOYER);
        vm.prank(zhejiang);
        registry.bindHolder(employerCertificate, address(0xAAAA), keccak256("the key was lost"));
        vm.prank(registrar);
        vm.expectRevert(abi.encodeWithSelector(ConsentMissing.selector, id, EMPLOYER));
        licensing.approveChange(id, keccak256("d1"), NEW_DOCUMENT, "");
        vm.prank(address(0xAAAA));
        licensing.consent(id);
        vm.prank(registrar);
        licensing.approveChange(id, keccak256("d1"), NEW_DOCUMENT, "");
    }

    function test_aReplacedKeysApplicationIsNotDecided() public {
        bytes32 held = registry.qualificationOf(EMPLOYER);
        bytes32 id = _fileBy(oldEmployer, _request(ApplicationKind.CANCELLATION, held, bytes32(0)));
        vm.prank(zhejiang);
        registry.bindHolder(held, address(0xBEEF), keccak256("a stolen key replaced"));
        _accepted(id, zhejiang);
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(NotApplicant.selector, id, oldEmployer));
        licensing.approveCancellation(id, DOSSIER);
        vm.prank(oldEmployer);
        vm.expectRevert(abi.encodeWithSelector(NotApplicant.selector, id, oldEmployer));
        licensing.withdraw(id);
        assertStatus(held, Status.ACTIVE, "the old key cancelled nothing");
    }

    function test_aFirmThatLostItsQualificationIsNotAskedToLetItsPlannerGo() public {
        bytes32 held = _registeredPlanner("P-5");
        bytes32 id = _change(held, OTHER_EMPLOYER, keccak256("d1"));
        bytes32 employerCertificate = registry.qualificationOf(EMPLOYER);
        uint16 cancellation = registry.CANCELLATION();
        vm.prank(zhejiang);
        registry.revoke(employerCertificate, cancellation);
        vm.prank(newEmployer);
        licensing.consent(id);
        vm.prank(registrar);
        licensing.approveChange(id, keccak256("d1"), NEW_DOCUMENT, "");
        vm.assertEq(registry.certificate(held).employer, OTHER_EMPLOYER, "moved with the new employer's consent");
    }

    function test_aMoveOrAChangeOutsideAnApplicationIsTheImportsAlone() public {
        bytes32 held = _registeredPlanner("P-6");
        registry.revokeRole(registry.IMPORTER_ROLE(), registrar);
        vm.startPrank(registrar);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, registrar));
        registry.transfer(held, OTHER_EMPLOYER, NEW_DOCUMENT, "");
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, registrar));
        registry.amend(held, planner, NEW_DOCUMENT, "");
        vm.stopPrank();
    }

    function test_aPlannersApplicationBelongsToNoProvince() public {
        bytes32 held = _registeredPlanner("P-7");
        bytes32 id = _fileBy(planner, _request(ApplicationKind.PLANNER_RENEWAL, held, bytes32(0)));
        vm.assertEq(licensing.application(id).province, 0, "the registrar's, nationwide");
    }

    function test_aSuspendedCertificateIsNotCancelledAtItsHoldersRequest() public {
        bytes32 held = registry.qualificationOf(EMPLOYER);
        vm.prank(zhejiang);
        registry.suspend(held, 4);
        vm.prank(oldEmployer);
        vm.expectRevert(abi.encodeWithSelector(WrongStatus.selector, held, Status.SUSPENDED));
        licensing.file(_request(ApplicationKind.CANCELLATION, held, bytes32(0)));
    }
}
