// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {CertificateRegistry} from "../../../contracts/CertificateRegistry.sol";
import {isCertificateNumber} from "../../../contracts/Common.sol";

/// @dev Test harness: the registry's own EIP-712 digest of each act, for tests/test_typed_acts.py to compare
/// with the digests Python signs, and its number format for ledger/certificates/identifiers.py's mirror of it.
/// Deployed only by tests; its domain is its own address.
contract ActDigests is CertificateRegistry {
    constructor() CertificateRegistry(msg.sender) {}

    function isNumber(string calldata number) external pure returns (bool) {
        return isCertificateNumber(number);
    }

    function issueDigest(IssueRequest calldata request, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(_issueHash(request, nonce, deadline));
    }

    function issueBatchDigest(IssueRequest[] calldata requests, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(_issueBatchHash(requests, nonce, deadline));
    }

    function upgradeDigest(bytes32 id, SuccessorRequest calldata successor, bool legacy, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(_upgradeHash(id, successor, legacy, nonce, deadline));
    }

    function renewDigest(bytes32 id, SuccessorRequest calldata successor, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(_renewHash(id, successor, nonce, deadline));
    }

    function amendDigest(
        bytes32 id,
        address holder,
        bytes32 documentHash,
        bytes calldata publicData,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _hashTypedDataV4(_amendHash(id, holder, documentHash, publicData, nonce, deadline));
    }

    function bindHolderDigest(bytes32 id, address holder, bytes32 reasonHash, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(_bindHolderHash(id, holder, reasonHash, nonce, deadline));
    }

    function suspendDigest(bytes32 id, uint16 reason, uint256 nonce, uint256 deadline) external view returns (bytes32) {
        return _hashTypedDataV4(_statusActHash(SUSPEND_TYPEHASH, id, reason, nonce, deadline));
    }

    function reinstateDigest(bytes32 id, uint16 reason, uint256 nonce, uint256 deadline)
        external
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(_statusActHash(REINSTATE_TYPEHASH, id, reason, nonce, deadline));
    }

    function revokeDigest(bytes32 id, uint16 reason, uint256 nonce, uint256 deadline) external view returns (bytes32) {
        return _hashTypedDataV4(_statusActHash(REVOKE_TYPEHASH, id, reason, nonce, deadline));
    }

    function transferDigest(
        bytes32 id,
        bytes32 employer,
        bytes32 documentHash,
        bytes calldata publicData,
        uint256 nonce,
        uint256 deadline
    ) external view returns (bytes32) {
        return _hashTypedDataV4(_transferHash(id, employer, documentHash, publicData, nonce, deadline));
    }
}
