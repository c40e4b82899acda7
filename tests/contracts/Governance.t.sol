// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {GovernanceTimelock} from "../../contracts/GovernanceTimelock.sol";

/// @dev Finding 11 of the security review: the governance admin could grant itself the ministry role at once.
/// Deployed as `make up` deploys, the admin role sits in a timelock: a grant is scheduled on chain, visible, and
/// executable only after the delay.
contract GovernanceTest is RegistryFixture {
    uint256 internal constant DELAY = 2 days;
    uint256 internal constant ADMIN_KEY = 0xAD;

    GovernanceTimelock internal timelock;
    address internal admin;

    function setUp() public override {
        super.setUp();
        admin = vm.addr(ADMIN_KEY);
        address[] memory governors = new address[](1);
        governors[0] = admin;
        timelock = new GovernanceTimelock(DELAY, governors, governors);
        bytes32 adminRole = registry.DEFAULT_ADMIN_ROLE();
        registry.grantRole(adminRole, address(timelock));
        registry.renounceRole(adminRole, address(this));
    }

    function _grantMinistryToAdmin() internal view returns (bytes memory) {
        return abi.encodeCall(registry.grantRole, (registry.MINISTRY_ROLE(), admin));
    }

    function test_attack_theAdminCannotTakeTheMinistryRoleWithoutAVisibleDelay() public {
        bytes32 ministryRole = registry.MINISTRY_ROLE();
        bytes32 adminRole = registry.DEFAULT_ADMIN_ROLE();
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, admin, adminRole)
        );
        registry.grantRole(ministryRole, admin);

        bytes memory call = _grantMinistryToAdmin();
        bytes32 operation = timelock.hashOperation(address(registry), 0, call, bytes32(0), bytes32(0));
        vm.expectEmit(true, true, false, true, address(timelock));
        emit TimelockController.CallScheduled(operation, 0, address(registry), 0, call, bytes32(0), DELAY);
        vm.prank(admin);
        timelock.schedule(address(registry), 0, call, bytes32(0), bytes32(0), DELAY);

        vm.warp(block.timestamp + DELAY - 1);
        vm.prank(admin);
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                operation,
                bytes32(1 << uint8(TimelockController.OperationState.Ready))
            )
        );
        timelock.execute(address(registry), 0, call, bytes32(0), bytes32(0));
        vm.assertFalse(registry.hasRole(ministryRole, admin), "not before the delay");

        vm.warp(block.timestamp + 1);
        vm.prank(admin);
        timelock.execute(address(registry), 0, call, bytes32(0), bytes32(0));
        vm.assertTrue(registry.hasRole(ministryRole, admin), "granted once the delay has passed");
    }

    function test_onlyTheGovernorSchedulesAndTheDelayCannotBeShortened() public {
        bytes memory call = _grantMinistryToAdmin();
        bytes32 proposerRole = timelock.PROPOSER_ROLE();
        vm.prank(stranger);
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, stranger, proposerRole)
        );
        timelock.schedule(address(registry), 0, call, bytes32(0), bytes32(0), DELAY);

        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockInsufficientDelay.selector, 1, DELAY));
        timelock.schedule(address(registry), 0, call, bytes32(0), bytes32(0), 1);

        vm.prank(admin);
        vm.expectRevert(abi.encodeWithSelector(TimelockController.TimelockUnauthorizedCaller.selector, admin));
        timelock.updateDelay(0);
    }
}
