// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICertificateRegistry} from "./ICertificateRegistry.sol";

/// @dev EIP-712 struct types that more than one registry signs: a certificate to issue or to succeed another is
/// signed alone in the certificate registry and inside a decision in the licensing registry. Each string is
/// exactly the type hashed, as in Python's wallet/typed_acts.
string constant ISSUE_REQUEST_TYPE =
    "IssueRequest(string number,uint8 kind,uint8 grade,uint8 province,bytes32 subject,address holder,bytes32 employer,uint40 validFrom,uint40 validUntil,bytes32 documentHash,bytes publicData)";
string constant SUCCESSOR_REQUEST_TYPE =
    "SuccessorRequest(string number,address holder,uint40 validFrom,uint40 validUntil,bytes32 documentHash,bytes publicData)";

/// @title hashStruct of the shared request types
library ActTypes {
    bytes32 internal constant ISSUE_REQUEST_TYPEHASH = keccak256(bytes(ISSUE_REQUEST_TYPE));
    bytes32 internal constant SUCCESSOR_REQUEST_TYPEHASH = keccak256(bytes(SUCCESSOR_REQUEST_TYPE));

    function hashIssueRequest(ICertificateRegistry.IssueRequest calldata r) internal pure returns (bytes32) {
        return keccak256(
            bytes.concat(
                abi.encode(ISSUE_REQUEST_TYPEHASH, keccak256(bytes(r.number)), r.kind, r.grade, r.province, r.subject),
                abi.encode(r.holder, r.employer, r.validFrom, r.validUntil, r.documentHash, keccak256(r.publicData))
            )
        );
    }

    function hashSuccessorRequest(ICertificateRegistry.SuccessorRequest calldata s) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                SUCCESSOR_REQUEST_TYPEHASH,
                keccak256(bytes(s.number)),
                s.holder,
                s.validFrom,
                s.validUntil,
                s.documentHash,
                keccak256(s.publicData)
            )
        );
    }
}
