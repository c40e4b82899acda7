// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Hashes} from "@openzeppelin/contracts/utils/cryptography/Hashes.sol";

/// @dev An inspection round's population commitment as ledger/credit/inspections.py builds it: leaves
/// keccak256(keccak256(abi.encode(position, certificate))) in certificate-id order, paired level by level with
/// OpenZeppelin's commutative hash, an odd last node carried up unchanged.
library Population {
    function leaf(uint256 position, bytes32 certificate) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(position, certificate))));
    }

    function sorted(bytes32[] memory ids) internal pure returns (bytes32[] memory) {
        for (uint256 i = 1; i < ids.length; i++) {
            for (uint256 j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
                (ids[j - 1], ids[j]) = (ids[j], ids[j - 1]);
            }
        }
        return ids;
    }

    function root(bytes32[] memory ids) internal pure returns (bytes32) {
        (bytes32 r,) = _walk(ids, type(uint256).max);
        return r;
    }

    function proof(bytes32[] memory ids, uint256 index) internal pure returns (bytes32[] memory) {
        (, bytes32[] memory p) = _walk(ids, index);
        return p;
    }

    function _walk(bytes32[] memory ids, uint256 index) private pure returns (bytes32, bytes32[] memory) {
        bytes32[] memory level = new bytes32[](ids.length);
        for (uint256 i; i < ids.length; i++) level[i] = leaf(i, ids[i]);
        bytes32[] memory path = new bytes32[](64);
        uint256 depth;
        uint256 n = level.length;
        while (n > 1) {
            if (index != type(uint256).max) {
                uint256 sibling = index ^ 1;
                if (sibling < n) path[depth++] = level[sibling];
                index /= 2;
            }
            uint256 m;
            for (uint256 i; i < n; i += 2) {
                level[m++] = i + 1 < n ? Hashes.commutativeKeccak256(level[i], level[i + 1]) : level[i];
            }
            n = m;
        }
        bytes32[] memory p = new bytes32[](depth);
        for (uint256 i; i < depth; i++) p[i] = path[i];
        return (level[0], p);
    }
}
