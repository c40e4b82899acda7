// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CreditRegistry} from "../../../contracts/CreditRegistry.sol";
import {ICertificateRegistry} from "../../../contracts/ICertificateRegistry.sol";

/// @dev Test harness: the credit registry's own EIP-712 digest of each credit act, for tests/test_typed_acts.py,
/// and its inspection draw, for ledger/credit/inspections.py's mirror of it.
/// Deployed only by tests; its domain is its own address, and it is bound to no certificate registry.
contract CreditDigests is CreditRegistry {
    constructor() CreditRegistry(ICertificateRegistry(address(0))) {}

    function recordCreditDigest(CreditRequest calldata request, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(_recordCreditHash(request, nonce, deadline));
    }

    function restoreCreditDigest(RestorationRequest calldata request, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(_restoreCreditHash(request, nonce, deadline));
    }

    function sample(bytes32 seed, uint256 populationSize, uint256 sampleSize) external pure returns (uint256[] memory) {
        return _sample(seed, populationSize, sampleSize);
    }
}
