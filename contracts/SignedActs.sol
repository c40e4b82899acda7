// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Delegation, SignatureExpired, InvalidSignature} from "./Common.sol";

/// @title Acts relayed with a regulator's EIP-712 signature
/// @notice What the certificate and credit registries share: an EIP-712 domain of their own (version "1"), one
/// nonce sequence per signer, and the check of a relayed act's deadline, nonce and signature.
abstract contract SignedActs is EIP712, Nonces {
    constructor(string memory name) EIP712(name, "1") {}

    /// @dev Checks a relayed act's deadline, nonce and signature (EOA or EIP-1271) and returns the signer.
    function _signer(Delegation calldata d, bytes32 structHash) internal returns (address) {
        if (block.timestamp > d.deadline) revert SignatureExpired(d.deadline);
        _useCheckedNonce(d.signer, d.nonce);
        if (!SignatureChecker.isValidSignatureNow(d.signer, _hashTypedDataV4(structHash), d.signature)) {
            revert InvalidSignature(d.signer);
        }
        return d.signer;
    }
}
