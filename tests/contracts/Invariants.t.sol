// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {RegistryHandler} from "./utils/RegistryHandler.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {Status} from "../../contracts/Common.sol";

/// @dev Invariants over random sequences of acts: terminal stays terminal, one live registration per planner,
/// no number issued twice, no provincial regulator changes a firm bound to another province.
contract InvariantsTest is RegistryFixture {
    RegistryHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new RegistryHandler(registry, ministry, zhejiang, beijing, registrar);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_aRevokedOrSupersededCertificateNeverComesBack() public view {
        for (uint256 i = 0; i < handler.terminalCount(); ++i) {
            bytes32 id = handler.terminal(i);
            vm.assertEq(
                uint256(registry.certificate(id).status), uint256(handler.terminalStatus(id)), "terminal status kept"
            );
            vm.assertFalse(registry.isValid(id), "a terminal certificate is never valid");
        }
    }

    function invariant_aPlannerIsBoundToAtMostOneFirm() public view {
        uint256 n = handler.idCount();
        for (uint256 p = 0; p < handler.PLANNERS(); ++p) {
            bytes32 subject = handler.plannerSubject(p);
            uint256 live;
            bytes32 liveId;
            for (uint256 i = 0; i < n; ++i) {
                bytes32 id = handler.ids(i);
                ICertificateRegistry.Certificate memory c = registry.certificate(id);
                Status status = registry.statusOf(id);
                if (c.subject == subject && (status == Status.ACTIVE || status == Status.SUSPENDED)) {
                    live++;
                    liveId = id;
                }
            }
            vm.assertTrue(live <= 1, "at most one live registration per planner");
            vm.assertEq(registry.registrationOf(subject), liveId, "registrationOf names the live one");
        }
    }

    function invariant_aNumberIsNeverIssuedTwice() public view {
        vm.assertEq(handler.duplicateIssues(), 0, "no number issued twice");
    }

    function invariant_noProvincialActChangesAFirmBoundToAnotherProvince() public view {
        vm.assertEq(handler.foreignChanges(), 0, "a provincial regulator changed another province's firm");
    }
}
