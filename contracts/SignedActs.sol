// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {Delegation, SignatureExpired, InvalidSignature, DeadlineTooFar} from "./Common.sol";

/// @title Acts relayed with a regulator's EIP-712 signature
/// @notice What the certificate and credit registries share: an EIP-712 domain of their own (version "1"), one
/// nonce sequence per signer, and the check of a relayed act's deadline, nonce and signature.
abstract contract SignedActs is EIP712, Nonces {
    /// @notice The furthest a signed act's deadline may lie beyond the block that relays it: an act signed for
    /// longer is refused (DeadlineTooFar), so no signature outlives its signer's removal by more than this.
    uint256 public constant MAX_SIGNATURE_LIFETIME = 30 days;

    /// @notice `signer` spent `nonce` without acting: whatever it signed with that nonce can no longer be relayed.
    event NonceInvalidated(address indexed signer, uint256 nonce);

    constructor(string memory name) EIP712(name, "1") {}

    /// @notice Spend the caller's next nonce without acting, so that an act it signed with that nonce (and not yet
    /// relayed) can never be. Anyone may call it for itself, with or without a role: a removed regulator too.
    /// @dev Emits NonceInvalidated. Call it once per outstanding signed act (nonces are used in order).
    /// @return nonce The nonce spent.
    function invalidateNonce() external returns (uint256 nonce) {
        nonce = _useNonce(msg.sender);
        emit NonceInvalidated(msg.sender, nonce);
    }

    /// @dev Checks a relayed act's deadline, nonce and signature (EOA or EIP-1271) and returns the signer.
    function _signer(Delegation calldata d, bytes32 structHash) internal returns (address) {
        if (block.timestamp > d.deadline) revert SignatureExpired(d.deadline);
        uint256 latest = block.timestamp + MAX_SIGNATURE_LIFETIME;
        if (d.deadline > latest) revert DeadlineTooFar(d.deadline, latest);
        _useCheckedNonce(d.signer, d.nonce);
        if (!SignatureChecker.isValidSignatureNow(d.signer, _hashTypedDataV4(structHash), d.signature)) {
            revert InvalidSignature(d.signer);
        }
        return d.signer;
    }
}
