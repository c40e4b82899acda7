// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title The governance admin, behind a delay everyone can see
/// @notice Holds the certificate registry's DEFAULT_ADMIN_ROLE once deployment has granted the first roles, so
/// that no one can grant the ministry or registrar role (to itself or anyone) without first scheduling the call
/// on chain (CallScheduled, with its earliest execution time) and waiting `minDelay`: the ministry and the
/// provinces see the grant coming and can object before it takes effect. OpenZeppelin's TimelockController,
/// unchanged; the contract exists so that Hardhat builds it into an artifact the Python deployment reads.
contract GovernanceTimelock is TimelockController {
    /// @param minDelay Seconds between scheduling a call and the earliest moment it may execute.
    /// @param proposers Who may schedule (and cancel) calls: the governance admin's key or multisig.
    /// @param executors Who may execute a call once ready; the zero address lets anyone execute.
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors)
        TimelockController(minDelay, proposers, executors, address(0))
    {}
}
