// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "./Vm.sol";
import {ICertificateRegistry} from "../../../contracts/ICertificateRegistry.sol";
import {ICreditRegistry} from "../../../contracts/ICreditRegistry.sol";
import {Delegation} from "../../../contracts/Common.sol";

/// @dev Builds EIP-712 signatures over acts from the type strings written out here, independently of the
/// contract's constants, so a mismatch between the two shows up as a refused signature.
library ActSigner {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    string internal constant ISSUE_REQUEST =
        "IssueRequest(string number,uint8 kind,uint8 grade,uint8 province,bytes32 subject,address holder,bytes32 employer,uint40 validFrom,uint40 validUntil,bytes32 documentHash,bytes publicData)";
    string internal constant SUCCESSOR_REQUEST =
        "SuccessorRequest(string number,address holder,uint40 validFrom,uint40 validUntil,bytes32 documentHash,bytes publicData)";

    string internal constant CREDIT_REQUEST =
        "CreditRequest(bytes32 certificate,uint8 kind,uint8 severity,uint16 category,uint16 points,uint40 publishedFrom,uint40 publishedUntil,bytes32 evidenceHash,string decisionNumber)";
    string internal constant RESTORATION_REQUEST = "RestorationRequest(bytes32 record,bytes32 evidenceHash,string decisionNumber)";

    struct Domain {
        address verifyingContract;
        uint256 chainId;
    }

    function sign(uint256 key, Domain memory domain, bytes32 structHash, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (Delegation memory)
    {
        return _sign(key, "PlanningQualificationLedger", domain, structHash, nonce, deadline);
    }

    /// @dev As `sign`, in the credit registry's EIP-712 domain.
    function signCredit(uint256 key, Domain memory domain, bytes32 structHash, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (Delegation memory)
    {
        return _sign(key, "PlanningQualificationCredit", domain, structHash, nonce, deadline);
    }

    /// @dev As `sign`, in the licensing registry's signed-acts domain (LicensingActs).
    function signLicensing(uint256 key, Domain memory domain, bytes32 structHash, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (Delegation memory)
    {
        return _sign(key, "PlanningQualificationLicensing", domain, structHash, nonce, deadline);
    }

    function _sign(
        uint256 key,
        string memory name,
        Domain memory domain,
        bytes32 structHash,
        uint256 nonce,
        uint256 deadline
    ) private pure returns (Delegation memory) {
        bytes32 separator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256(bytes(name)),
                keccak256("1"),
                domain.chainId,
                domain.verifyingContract
            )
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, keccak256(abi.encodePacked("\x19\x01", separator, structHash)));
        return Delegation({
            signer: vm.addr(key),
            nonce: nonce,
            deadline: deadline,
            signature: abi.encodePacked(r, s, v)
        });
    }

    function issueRequestHash(ICertificateRegistry.IssueRequest memory r) internal pure returns (bytes32) {
        bytes memory head = abi.encode(
            keccak256(bytes(ISSUE_REQUEST)), keccak256(bytes(r.number)), r.kind, r.grade, r.province, r.subject
        );
        bytes memory tail =
            abi.encode(r.holder, r.employer, r.validFrom, r.validUntil, r.documentHash, keccak256(r.publicData));
        return keccak256(bytes.concat(head, tail));
    }

    function successorRequestHash(ICertificateRegistry.SuccessorRequest memory s) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                keccak256(bytes(SUCCESSOR_REQUEST)),
                keccak256(bytes(s.number)),
                s.holder,
                s.validFrom,
                s.validUntil,
                s.documentHash,
                keccak256(s.publicData)
            )
        );
    }

    function issue(ICertificateRegistry.IssueRequest memory r, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32 typeHash =
            keccak256(abi.encodePacked("Issue(IssueRequest request,uint256 nonce,uint256 deadline)", ISSUE_REQUEST));
        return keccak256(abi.encode(typeHash, issueRequestHash(r), nonce, deadline));
    }

    function issueBatch(ICertificateRegistry.IssueRequest[] memory rs, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32[] memory hashes = new bytes32[](rs.length);
        for (uint256 i = 0; i < rs.length; ++i) {
            hashes[i] = issueRequestHash(rs[i]);
        }
        bytes32 typeHash = keccak256(
            abi.encodePacked("IssueBatch(IssueRequest[] requests,uint256 nonce,uint256 deadline)", ISSUE_REQUEST)
        );
        return keccak256(abi.encode(typeHash, keccak256(abi.encodePacked(hashes)), nonce, deadline));
    }

    function upgrade(
        bytes32 id,
        ICertificateRegistry.SuccessorRequest memory s,
        bool legacy,
        uint256 nonce,
        uint256 deadline
    ) internal pure returns (bytes32) {
        bytes32 typeHash = keccak256(
            abi.encodePacked(
                "Upgrade(bytes32 id,SuccessorRequest successor,bool legacy,uint256 nonce,uint256 deadline)",
                SUCCESSOR_REQUEST
            )
        );
        return keccak256(abi.encode(typeHash, id, successorRequestHash(s), legacy, nonce, deadline));
    }

    function renew(bytes32 id, ICertificateRegistry.SuccessorRequest memory s, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32 typeHash = keccak256(
            abi.encodePacked("Renew(bytes32 id,SuccessorRequest successor,uint256 nonce,uint256 deadline)", SUCCESSOR_REQUEST)
        );
        return keccak256(abi.encode(typeHash, id, successorRequestHash(s), nonce, deadline));
    }

    function amend(bytes32 id, address holder, bytes32 documentHash, bytes memory publicData, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32 typeHash = keccak256(
            "Amend(bytes32 id,address holder,bytes32 documentHash,bytes publicData,uint256 nonce,uint256 deadline)"
        );
        return keccak256(abi.encode(typeHash, id, holder, documentHash, keccak256(publicData), nonce, deadline));
    }

    /// @dev Suspend, Reinstate and Revoke share one shape; `act` is the type name.
    function statusAct(string memory act, bytes32 id, uint16 reason, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32 typeHash =
            keccak256(abi.encodePacked(act, "(bytes32 id,uint16 reason,uint256 nonce,uint256 deadline)"));
        return keccak256(abi.encode(typeHash, id, reason, nonce, deadline));
    }

    function transfer(
        bytes32 id,
        bytes32 employer,
        bytes32 documentHash,
        bytes memory publicData,
        uint256 nonce,
        uint256 deadline
    ) internal pure returns (bytes32) {
        bytes32 typeHash = keccak256(
            "Transfer(bytes32 id,bytes32 employer,bytes32 documentHash,bytes publicData,uint256 nonce,uint256 deadline)"
        );
        return keccak256(abi.encode(typeHash, id, employer, documentHash, keccak256(publicData), nonce, deadline));
    }

    function recordCredit(ICreditRegistry.CreditRequest memory r, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32 requestHash = keccak256(
            abi.encode(
                keccak256(bytes(CREDIT_REQUEST)),
                r.certificate,
                r.kind,
                r.severity,
                r.category,
                r.points,
                r.publishedFrom,
                r.publishedUntil,
                r.evidenceHash,
                keccak256(bytes(r.decisionNumber))
            )
        );
        bytes32 typeHash =
            keccak256(abi.encodePacked("RecordCredit(CreditRequest request,uint256 nonce,uint256 deadline)", CREDIT_REQUEST));
        return keccak256(abi.encode(typeHash, requestHash, nonce, deadline));
    }

    function restoreCredit(ICreditRegistry.RestorationRequest memory r, uint256 nonce, uint256 deadline)
        internal
        pure
        returns (bytes32)
    {
        bytes32 requestHash = keccak256(
            abi.encode(keccak256(bytes(RESTORATION_REQUEST)), r.record, r.evidenceHash, keccak256(bytes(r.decisionNumber)))
        );
        bytes32 typeHash = keccak256(
            abi.encodePacked("RestoreCredit(RestorationRequest request,uint256 nonce,uint256 deadline)", RESTORATION_REQUEST)
        );
        return keccak256(abi.encode(typeHash, requestHash, nonce, deadline));
    }
}
