// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryFixture} from "./RegistryFixture.sol";
import {LicensingRegistry} from "../../../contracts/LicensingRegistry.sol";
import {ICertificateRegistry} from "../../../contracts/ICertificateRegistry.sol";
import {ILicensingRegistry, ApplicationKind, Stage} from "../../../contracts/ILicensingRegistry.sol";
import {Grade} from "../../../contracts/Common.sol";

/// @dev The registry fixture with a licensing registry holding LICENSING_ROLE, a firm with a key of its own that
/// applies, and helpers that take an application through its steps.
abstract contract LicensingFixture is RegistryFixture {
    uint40 internal constant NOTICE = 10 days;
    uint256 internal constant APPLICANT_KEY = 0xF12;

    LicensingRegistry internal licensing;
    address internal applicant;

    bytes32 internal constant NEW_FIRM = keccak256("91330106MA2BNEW001");
    bytes32 internal constant DOSSIER = keccak256("dossier manifest v1");
    bytes32 internal constant CHECKS = keccak256("checks");
    bytes32 internal constant OPINION = keccak256("opinion");
    bytes internal constant PUBLIC_DATA = bytes(unicode'{"creditCode":"91330106MA2BNEW001","name":"新设规划院"}');

    function setUp() public virtual override {
        super.setUp();
        licensing = new LicensingRegistry(registry, NOTICE);
        registry.grantRole(registry.LICENSING_ROLE(), address(licensing));
        applicant = vm.addr(APPLICANT_KEY);
    }

    function firstApplication() internal pure returns (ILicensingRegistry.ApplicationRequest memory) {
        return ILicensingRegistry.ApplicationRequest(
            ApplicationKind.FIRST, NEW_FIRM, bytes32(0), 33, bytes32(0), DOSSIER, PUBLIC_DATA
        );
    }

    function successorApplication(ApplicationKind kind, bytes32 certificate)
        internal
        pure
        returns (ILicensingRegistry.ApplicationRequest memory)
    {
        return ILicensingRegistry.ApplicationRequest(kind, bytes32(0), certificate, 0, bytes32(0), DOSSIER, PUBLIC_DATA);
    }

    /// @dev The grade B certificate a first application for NEW_FIRM asks for, held by the applicant's key.
    function newFirmCertificate(string memory number) internal view returns (ICertificateRegistry.IssueRequest memory r) {
        r = firmRequest(number, Grade.B, 33);
        r.subject = NEW_FIRM;
        r.holder = applicant;
    }

    function fileFirst() internal returns (bytes32 id) {
        vm.prank(applicant);
        id = licensing.file(firstApplication());
    }

    /// @dev Filed, accepted, reviewed by `reviewer` and noticed for the shortest period.
    function toNotice(bytes32 id, address reviewer) internal {
        vm.prank(reviewer);
        licensing.accept(id);
        vm.prank(reviewer);
        licensing.review(id, CHECKS, OPINION, 0);
        vm.prank(reviewer);
        licensing.publishNotice(id, uint40(block.timestamp) + NOTICE);
    }

    function assertStage(bytes32 id, Stage expected, string memory what) internal view {
        vm.assertEq(uint256(licensing.application(id).stage), uint256(expected), what);
    }
}
