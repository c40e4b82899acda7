// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryFixture} from "./RegistryFixture.sol";
import {CreditRegistry} from "../../../contracts/CreditRegistry.sol";
import {ICreditRegistry, CreditKind, Severity} from "../../../contracts/ICreditRegistry.sol";

/// @dev The registry fixture with a credit registry beside it, and the credit requests the credit tests share.
abstract contract CreditFixture is RegistryFixture {
    CreditRegistry internal credit;

    uint16 internal constant AWARD = 1;
    uint16 internal constant PENALTY = 101;

    function setUp() public virtual override {
        super.setUp();
        credit = new CreditRegistry(registry);
    }

    /// @dev A dishonesty record published from now for `period`, its evidence the decision's hash.
    function dishonesty(bytes32 certificate, Severity severity, uint40 period, string memory decision)
        internal
        view
        returns (ICreditRegistry.CreditRequest memory)
    {
        return ICreditRegistry.CreditRequest({
            certificate: certificate,
            kind: CreditKind.DISHONESTY,
            severity: severity,
            category: PENALTY,
            points: 10,
            publishedFrom: uint40(block.timestamp),
            publishedUntil: uint40(block.timestamp) + period,
            evidenceHash: keccak256(bytes(decision)),
            decisionNumber: decision
        });
    }

    function restoration(bytes32 record) internal pure returns (ICreditRegistry.RestorationRequest memory) {
        return ICreditRegistry.RestorationRequest(record, keccak256("repair"), unicode"修复〔2026〕1号");
    }
}
