// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {SignedActs} from "./SignedActs.sol";
import {ActTypes, ISSUE_REQUEST_TYPE, SUCCESSOR_REQUEST_TYPE} from "./ActTypes.sol";
import {Delegation} from "./Common.sol";
import {ICertificateRegistry} from "./ICertificateRegistry.sol";
import {ILicensingRegistry} from "./ILicensingRegistry.sol";

/// @title The licensing steps, relayed with their actor's EIP-712 signature
/// @notice Every step of the licensing registry can be signed by the applicant, the objector or the regulator who
/// takes it and sent by anyone (the ledger's relayer, which holds no role and pays the gas). This contract checks
/// the signature (EOA or EIP-1271 wallet), the signer's nonce and the deadline in its own EIP-712 domain
/// ("PlanningQualificationLicensing"), then calls the licensing registry as an ERC-2771 forwarder: the signer's
/// address is appended to the call and the registry, which trusts only this contract, takes it as the actor. The
/// registry's own refusals come back unchanged.
/// @dev Created by the licensing registry in its constructor, so each registry has exactly one forwarder and a
/// forwarder one registry. Kept apart from the registry for its size (24 KiB code limit).
contract LicensingActs is SignedActs {
    string private constant _APPLICATION_REQUEST_TYPE =
        "ApplicationRequest(uint8 kind,bytes32 subject,bytes32 certificate,uint8 province,bytes32 employer,bytes32 dossier,bytes publicData)";
    bytes32 private constant _APPLICATION_REQUEST_TYPEHASH = keccak256(bytes(_APPLICATION_REQUEST_TYPE));

    bytes32 public constant FILE_TYPEHASH = keccak256(
        abi.encodePacked("File(ApplicationRequest request,uint256 nonce,uint256 deadline)", _APPLICATION_REQUEST_TYPE)
    );
    bytes32 public constant FILE_ON_PAPER_TYPEHASH = keccak256(
        abi.encodePacked(
            "FileOnPaper(ApplicationRequest request,uint256 nonce,uint256 deadline)", _APPLICATION_REQUEST_TYPE
        )
    );
    bytes32 public constant REQUEST_COMPLETION_TYPEHASH =
        keccak256("RequestCompletion(bytes32 application,bytes32 listHash,uint256 nonce,uint256 deadline)");
    bytes32 public constant SUPPLEMENT_TYPEHASH =
        keccak256("Supplement(bytes32 application,bytes32 dossier,uint256 nonce,uint256 deadline)");
    bytes32 public constant REFUSE_ACCEPTANCE_TYPEHASH =
        keccak256("RefuseAcceptance(bytes32 application,bytes32 reasonHash,uint256 nonce,uint256 deadline)");
    bytes32 public constant ACCEPT_TYPEHASH = keccak256("Accept(bytes32 application,uint256 nonce,uint256 deadline)");
    bytes32 public constant REVIEW_TYPEHASH = keccak256(
        "Review(bytes32 application,bytes32 checksHash,bytes32 opinionHash,uint40 noticeEndsAt,uint256 nonce,uint256 deadline)"
    );
    bytes32 public constant EXPERT_REVIEW_TYPEHASH =
        keccak256("ExpertReview(bytes32 application,bool begun,uint256 nonce,uint256 deadline)");
    bytes32 public constant EXTEND_DECISION_TYPEHASH =
        keccak256("ExtendDecision(bytes32 application,bytes32 reasonHash,uint256 nonce,uint256 deadline)");
    bytes32 public constant PUBLISH_NOTICE_TYPEHASH =
        keccak256("PublishNotice(bytes32 application,uint40 endsAt,uint256 nonce,uint256 deadline)");
    bytes32 public constant OBJECT_TYPEHASH = keccak256(
        "Object(bytes32 application,bytes32 evidenceHash,bytes32 textHash,uint256 nonce,uint256 deadline)"
    );
    bytes32 public constant ANSWER_OBJECTIONS_TYPEHASH =
        keccak256("AnswerObjections(bytes32[] objections,bytes32 answerHash,uint256 nonce,uint256 deadline)");
    bytes32 public constant APPROVE_FIRST_TYPEHASH = keccak256(
        abi.encodePacked(
            "ApproveFirst(bytes32 application,bytes32 dossier,IssueRequest request,uint256 nonce,uint256 deadline)",
            ISSUE_REQUEST_TYPE
        )
    );
    bytes32 public constant APPROVE_SUCCESSOR_TYPEHASH = keccak256(
        abi.encodePacked(
            "ApproveSuccessor(bytes32 application,bytes32 dossier,SuccessorRequest successor,uint256 nonce,uint256 deadline)",
            SUCCESSOR_REQUEST_TYPE
        )
    );
    bytes32 public constant APPROVE_CHANGE_TYPEHASH = keccak256(
        "ApproveChange(bytes32 application,bytes32 dossier,bytes32 documentHash,bytes publicData,uint256 nonce,uint256 deadline)"
    );
    bytes32 public constant APPROVE_CANCELLATION_TYPEHASH =
        keccak256("ApproveCancellation(bytes32 application,bytes32 dossier,uint256 nonce,uint256 deadline)");
    bytes32 public constant CONSENT_TYPEHASH = keccak256("Consent(bytes32 application,uint256 nonce,uint256 deadline)");
    bytes32 public constant REFUSE_TYPEHASH =
        keccak256("Refuse(bytes32 application,bytes32 reasonsHash,uint256 nonce,uint256 deadline)");
    bytes32 public constant WITHDRAW_TYPEHASH = keccak256("Withdraw(bytes32 application,uint256 nonce,uint256 deadline)");
    bytes32 public constant PROPOSE_REVOCATION_TYPEHASH = keccak256(
        "ProposeRevocation(bytes32 certificate,uint16 reason,bytes32 evidenceHash,uint256 nonce,uint256 deadline)"
    );
    bytes32 public constant CONFIRM_REVOCATION_TYPEHASH =
        keccak256("ConfirmRevocation(bytes32 proposal,uint256 nonce,uint256 deadline)");
    bytes32 public constant WITHDRAW_REVOCATION_TYPEHASH =
        keccak256("WithdrawRevocation(bytes32 proposal,uint256 nonce,uint256 deadline)");

    /// @notice The licensing registry this contract forwards to: the one that created it.
    address public immutable licensing;

    constructor() SignedActs("PlanningQualificationLicensing") {
        licensing = msg.sender;
    }

    // Each function: the struct hash of its type (the arguments in order, then nonce and deadline), the signer it
    // proves, and the registry's function called with that signer as its actor.

    function fileBySignature(ILicensingRegistry.ApplicationRequest calldata request, Delegation calldata d)
        external
        returns (bytes32)
    {
        bytes32 hash = keccak256(abi.encode(FILE_TYPEHASH, _hashApplicationRequest(request), d.nonce, d.deadline));
        return _forwardReturning(abi.encodeCall(ILicensingRegistry.file, (request)), _signer(d, hash));
    }

    function fileOnPaperBySignature(ILicensingRegistry.ApplicationRequest calldata request, Delegation calldata d)
        external
        returns (bytes32)
    {
        bytes32 hash =
            keccak256(abi.encode(FILE_ON_PAPER_TYPEHASH, _hashApplicationRequest(request), d.nonce, d.deadline));
        return _forwardReturning(abi.encodeCall(ILicensingRegistry.fileOnPaper, (request)), _signer(d, hash));
    }

    function requestCompletionBySignature(bytes32 application, bytes32 listHash, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(REQUEST_COMPLETION_TYPEHASH, application, listHash, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.requestCompletion, (application, listHash)), _signer(d, hash));
    }

    function supplementBySignature(bytes32 application, bytes32 dossier, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(SUPPLEMENT_TYPEHASH, application, dossier, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.supplement, (application, dossier)), _signer(d, hash));
    }

    function refuseAcceptanceBySignature(bytes32 application, bytes32 reasonHash, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(REFUSE_ACCEPTANCE_TYPEHASH, application, reasonHash, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.refuseAcceptance, (application, reasonHash)), _signer(d, hash));
    }

    function acceptBySignature(bytes32 application, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(ACCEPT_TYPEHASH, application, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.accept, (application)), _signer(d, hash));
    }

    function reviewBySignature(
        bytes32 application,
        bytes32 checksHash,
        bytes32 opinionHash,
        uint40 noticeEndsAt,
        Delegation calldata d
    ) external {
        bytes32 hash = keccak256(
            abi.encode(REVIEW_TYPEHASH, application, checksHash, opinionHash, noticeEndsAt, d.nonce, d.deadline)
        );
        _forward(
            abi.encodeCall(ILicensingRegistry.review, (application, checksHash, opinionHash, noticeEndsAt)),
            _signer(d, hash)
        );
    }

    function expertReviewBySignature(bytes32 application, bool begun, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(EXPERT_REVIEW_TYPEHASH, application, begun, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.expertReview, (application, begun)), _signer(d, hash));
    }

    function extendDecisionBySignature(bytes32 application, bytes32 reasonHash, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(EXTEND_DECISION_TYPEHASH, application, reasonHash, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.extendDecision, (application, reasonHash)), _signer(d, hash));
    }

    function publishNoticeBySignature(bytes32 application, uint40 endsAt, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(PUBLISH_NOTICE_TYPEHASH, application, endsAt, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.publishNotice, (application, endsAt)), _signer(d, hash));
    }

    function objectBySignature(bytes32 application, bytes32 evidenceHash, bytes32 textHash, Delegation calldata d)
        external
        returns (bytes32)
    {
        bytes32 hash =
            keccak256(abi.encode(OBJECT_TYPEHASH, application, evidenceHash, textHash, d.nonce, d.deadline));
        return _forwardReturning(
            abi.encodeCall(ILicensingRegistry.object, (application, evidenceHash, textHash)), _signer(d, hash)
        );
    }

    function answerObjectionsBySignature(bytes32[] calldata objections, bytes32 answerHash, Delegation calldata d)
        external
    {
        bytes32 hash = keccak256(
            abi.encode(
                ANSWER_OBJECTIONS_TYPEHASH, keccak256(abi.encodePacked(objections)), answerHash, d.nonce, d.deadline
            )
        );
        _forward(abi.encodeCall(ILicensingRegistry.answerObjections, (objections, answerHash)), _signer(d, hash));
    }

    function approveFirstBySignature(
        bytes32 application,
        bytes32 dossier,
        ICertificateRegistry.IssueRequest calldata request,
        Delegation calldata d
    ) external returns (bytes32) {
        bytes32 hash = keccak256(
            abi.encode(
                APPROVE_FIRST_TYPEHASH, application, dossier, ActTypes.hashIssueRequest(request), d.nonce, d.deadline
            )
        );
        return _forwardReturning(
            abi.encodeCall(ILicensingRegistry.approveFirst, (application, dossier, request)), _signer(d, hash)
        );
    }

    function approveSuccessorBySignature(
        bytes32 application,
        bytes32 dossier,
        ICertificateRegistry.SuccessorRequest calldata successor,
        Delegation calldata d
    ) external returns (bytes32) {
        bytes32 hash = keccak256(
            abi.encode(
                APPROVE_SUCCESSOR_TYPEHASH,
                application,
                dossier,
                ActTypes.hashSuccessorRequest(successor),
                d.nonce,
                d.deadline
            )
        );
        return _forwardReturning(
            abi.encodeCall(ILicensingRegistry.approveSuccessor, (application, dossier, successor)), _signer(d, hash)
        );
    }

    function approveChangeBySignature(
        bytes32 application,
        bytes32 dossier,
        bytes32 documentHash,
        bytes calldata publicData,
        Delegation calldata d
    ) external {
        bytes32 hash = keccak256(
            abi.encode(
                APPROVE_CHANGE_TYPEHASH, application, dossier, documentHash, keccak256(publicData), d.nonce, d.deadline
            )
        );
        _forward(
            abi.encodeCall(ILicensingRegistry.approveChange, (application, dossier, documentHash, publicData)),
            _signer(d, hash)
        );
    }

    function approveCancellationBySignature(bytes32 application, bytes32 dossier, Delegation calldata d) external {
        bytes32 hash =
            keccak256(abi.encode(APPROVE_CANCELLATION_TYPEHASH, application, dossier, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.approveCancellation, (application, dossier)), _signer(d, hash));
    }

    function consentBySignature(bytes32 application, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(CONSENT_TYPEHASH, application, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.consent, (application)), _signer(d, hash));
    }

    function refuseBySignature(bytes32 application, bytes32 reasonsHash, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(REFUSE_TYPEHASH, application, reasonsHash, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.refuse, (application, reasonsHash)), _signer(d, hash));
    }

    function withdrawBySignature(bytes32 application, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(WITHDRAW_TYPEHASH, application, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.withdraw, (application)), _signer(d, hash));
    }

    function proposeRevocationBySignature(
        bytes32 certificate,
        uint16 reason,
        bytes32 evidenceHash,
        Delegation calldata d
    ) external returns (bytes32) {
        bytes32 hash = keccak256(
            abi.encode(PROPOSE_REVOCATION_TYPEHASH, certificate, reason, evidenceHash, d.nonce, d.deadline)
        );
        return _forwardReturning(
            abi.encodeCall(ILicensingRegistry.proposeRevocation, (certificate, reason, evidenceHash)), _signer(d, hash)
        );
    }

    function confirmRevocationBySignature(bytes32 proposal, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(CONFIRM_REVOCATION_TYPEHASH, proposal, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.confirmRevocation, (proposal)), _signer(d, hash));
    }

    function withdrawRevocationBySignature(bytes32 proposal, Delegation calldata d) external {
        bytes32 hash = keccak256(abi.encode(WITHDRAW_REVOCATION_TYPEHASH, proposal, d.nonce, d.deadline));
        _forward(abi.encodeCall(ILicensingRegistry.withdrawRevocation, (proposal)), _signer(d, hash));
    }

    /// @dev ERC-2771: the call with the signer's address appended; a refusal is re-raised as the registry made it.
    function _forward(bytes memory call, address signer) private returns (bytes memory) {
        return Address.functionCall(licensing, abi.encodePacked(call, signer));
    }

    function _forwardReturning(bytes memory call, address signer) private returns (bytes32) {
        return abi.decode(_forward(call, signer), (bytes32));
    }

    function _hashApplicationRequest(ILicensingRegistry.ApplicationRequest calldata r) private pure returns (bytes32) {
        return keccak256(
            abi.encode(
                _APPLICATION_REQUEST_TYPEHASH,
                r.kind,
                r.subject,
                r.certificate,
                r.province,
                r.employer,
                r.dossier,
                keccak256(r.publicData)
            )
        );
    }
}
