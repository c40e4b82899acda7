// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {LicensingFixture} from "./utils/LicensingFixture.sol";
import {LicensingHandler} from "./utils/LicensingHandler.sol";
import {Stage} from "../../contracts/ILicensingRegistry.sol";

/// @dev Invariants over random sequences of licensing steps: no certificate comes into being from an application
/// except by its approval after the whole notice with every objection answered, on the dossier filed; a final
/// stage never changes; a firm of the pool holds a qualification only through an approved application.
contract LicensingInvariantsTest is LicensingFixture {
    LicensingHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new LicensingHandler(registry, licensing, zhejiang, beijing, applicant);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @dev The handler can reach an approval (and an early one is refused), so the invariants are not vacuous.
    function test_theHandlerReachesApprovals() public {
        handler.file(1, 1);
        handler.accept(0, false);
        handler.review(0, true, 0);
        handler.approve(0, false);
        vm.assertEq(handler.issuedCount(), 0, "not before the notice has run");
        handler.wait(uint32(NOTICE));
        handler.approve(0, false);
        vm.assertEq(handler.issuedCount(), 1, "approved after the notice");
    }

    function invariant_noApprovalWithoutTheWholeNoticeAndEveryObjectionAnswered() public view {
        vm.assertEq(handler.earlyApprovals(), 0, "an approval came early, with an objection open or another dossier");
    }

    function invariant_everyCertificateOfThePoolComesFromAnApprovedApplication() public view {
        for (uint256 f = 0; f < handler.FIRMS(); ++f) {
            bytes32 held = registry.qualificationOf(handler.firm(f));
            if (held == bytes32(0)) continue;
            bytes32 application = handler.issuedBy(held);
            vm.assertTrue(application != bytes32(0), "a qualification the procedure did not make");
            vm.assertEq(uint256(licensing.application(application).stage), uint256(Stage.APPROVED), "approved");
        }
    }

    function invariant_aFinalStageIsFinal() public view {
        for (uint256 i = 0; i < handler.finalCount(); ++i) {
            bytes32 id = handler.finals(i);
            vm.assertEq(uint256(licensing.application(id).stage), uint256(handler.finalStage(id)), "final kept");
        }
    }
}
