// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {LicensingFixture} from "./utils/LicensingFixture.sol";
import {ActSigner} from "./utils/ActSigner.sol";
import {ContractWallet} from "./utils/ContractWallet.sol";
import {LicensingActs} from "../../contracts/LicensingActs.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {ILicensingRegistry, Stage, NotApplicant, SameRegulator} from "../../contracts/ILicensingRegistry.sol";
import {Delegation, Status, Unauthorized, WrongJurisdiction, InvalidSignature, SignatureExpired} from "../../contracts/Common.sol";

/// @dev Every licensing step relayed with its actor's signature: the registry takes the signer, never the relayer,
/// as the actor; a signature is good once, before its deadline, in this registry's domain only; the registry's own
/// refusals reach the relayer unchanged. The type strings are written out here, apart from the contract's.
contract LicensingSignaturesTest is LicensingFixture {
    address internal constant RELAYER = address(0x2E1A);
    string internal constant APPLICATION_REQUEST =
        "ApplicationRequest(uint8 kind,bytes32 subject,bytes32 certificate,uint8 province,bytes32 employer,bytes32 dossier,bytes publicData)";

    LicensingActs internal acts;
    uint256 internal deadline;

    function setUp() public override {
        super.setUp();
        acts = LicensingActs(licensing.trustedForwarder());
        deadline = block.timestamp + 1 hours;
    }

    function _sign(uint256 key, bytes32 structHash) internal view returns (Delegation memory) {
        address signer = vm.addr(key);
        return ActSigner.signLicensing(
            key, ActSigner.Domain(address(acts), block.chainid), structHash, acts.nonces(signer), deadline
        );
    }

    function _fileHash(ILicensingRegistry.ApplicationRequest memory r, uint256 nonce) internal view returns (bytes32) {
        bytes32 request = keccak256(
            abi.encode(
                keccak256(bytes(APPLICATION_REQUEST)), r.kind, r.subject, r.certificate, r.province, r.employer, r.dossier,
                keccak256(r.publicData)
            )
        );
        return keccak256(
            abi.encode(
                keccak256(abi.encodePacked("File(ApplicationRequest request,uint256 nonce,uint256 deadline)", APPLICATION_REQUEST)),
                request,
                nonce,
                deadline
            )
        );
    }

    function _idHash(string memory act, bytes32 id, uint256 nonce) internal view returns (bytes32) {
        return keccak256(
            abi.encode(keccak256(abi.encodePacked(act, "(bytes32 application,uint256 nonce,uint256 deadline)")), id, nonce, deadline)
        );
    }

    function _fileSigned() internal returns (bytes32 id) {
        ILicensingRegistry.ApplicationRequest memory r = firstApplication();
        Delegation memory d = _sign(APPLICANT_KEY, _fileHash(r, acts.nonces(applicant)));
        vm.prank(RELAYER);
        id = acts.fileBySignature(r, d);
    }

    function test_theForwarderAndTheRegistryNameEachOther() public view {
        vm.assertEq(acts.licensing(), address(licensing), "the forwarder's registry is the one that created it");
        vm.assertTrue(licensing.isTrustedForwarder(address(acts)), "the registry trusts its forwarder");
        vm.assertFalse(licensing.isTrustedForwarder(RELAYER), "and nobody else");
    }

    function test_aSignedFilingMakesTheSignerTheApplicant() public {
        bytes32 id = _fileSigned();
        vm.assertEq(licensing.application(id).applicant, applicant, "the signer, not the relayer, applied");
        vm.assertEq(acts.nonces(applicant), 1, "its nonce is spent");
    }

    function test_theWholeFirstApplicationBySignature() public {
        bytes32 id = _fileSigned();
        acts.acceptBySignature(id, _sign(ZHEJIANG_KEY, _idHash("Accept", id, acts.nonces(zhejiang))));
        bytes32 review = keccak256(
            abi.encode(
                keccak256(
                    "Review(bytes32 application,bytes32 checksHash,bytes32 opinionHash,uint40 noticeEndsAt,uint256 nonce,uint256 deadline)"
                ),
                id, CHECKS, OPINION, uint40(block.timestamp) + NOTICE, acts.nonces(zhejiang), deadline
            )
        );
        acts.reviewBySignature(id, CHECKS, OPINION, uint40(block.timestamp) + NOTICE, _sign(ZHEJIANG_KEY, review));
        assertStage(id, Stage.IN_NOTICE, "reviewed and noticed by the province's signature");

        bytes32 evidence = keccak256("evidence");
        bytes32 text = keccak256("text");
        bytes32 objection = keccak256(
            abi.encode(
                keccak256("Object(bytes32 application,bytes32 evidenceHash,bytes32 textHash,uint256 nonce,uint256 deadline)"),
                id, evidence, text, acts.nonces(stranger), deadline
            )
        );
        bytes32 raised = acts.objectBySignature(id, evidence, text, _sign(STRANGER_KEY, objection));
        bytes32[] memory answered = new bytes32[](1);
        answered[0] = raised;
        bytes32 answer = keccak256(
            abi.encode(
                keccak256("AnswerObjections(bytes32[] objections,bytes32 answerHash,uint256 nonce,uint256 deadline)"),
                keccak256(abi.encodePacked(answered)), keccak256("answer"), acts.nonces(zhejiang), deadline
            )
        );
        acts.answerObjectionsBySignature(answered, keccak256("answer"), _sign(ZHEJIANG_KEY, answer));

        vm.warp(block.timestamp + NOTICE);
        deadline = block.timestamp + 1 hours;
        ICertificateRegistry.IssueRequest memory request = newFirmCertificate("B-NEW-1");
        bytes32 approve = keccak256(
            abi.encode(
                keccak256(
                    abi.encodePacked(
                        "ApproveFirst(bytes32 application,bytes32 dossier,IssueRequest request,uint256 nonce,uint256 deadline)",
                        ActSigner.ISSUE_REQUEST
                    )
                ),
                id, DOSSIER, ActSigner.issueRequestHash(request), acts.nonces(zhejiang), deadline
            )
        );
        vm.prank(RELAYER);
        bytes32 certificate = acts.approveFirstBySignature(id, DOSSIER, request, _sign(ZHEJIANG_KEY, approve));
        assertStage(id, Stage.APPROVED, "approved by signature");
        vm.assertEq(registry.certificate(certificate).issuer, zhejiang, "the signing regulator issued it");
        vm.assertEq(registry.certificate(certificate).holder, applicant, "held by the applicant's key");
        assertStatus(certificate, Status.ACTIVE, "and it is in force");
    }

    function test_theRegistrysRefusalReachesTheRelayerUnchanged() public {
        bytes32 id = _fileSigned();
        // Beijing's regulator has no jurisdiction over a Zhejiang firm: the certificate registry's own error.
        Delegation memory d = _sign(BEIJING_KEY, _idHash("Accept", id, acts.nonces(beijing)));
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        acts.acceptBySignature(id, d);
        // The applicant's steps are the applicant's: a regulator's signature cannot withdraw it.
        Delegation memory w = _sign(ZHEJIANG_KEY, _idHash("Withdraw", id, acts.nonces(zhejiang)));
        vm.expectRevert(abi.encodeWithSelector(NotApplicant.selector, id, zhejiang));
        acts.withdrawBySignature(id, w);
    }

    function test_aSignedStepIsRelayedOnce() public {
        bytes32 id = _fileSigned();
        Delegation memory d = _sign(ZHEJIANG_KEY, _idHash("Accept", id, acts.nonces(zhejiang)));
        acts.acceptBySignature(id, d);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, zhejiang, 1));
        acts.acceptBySignature(id, d);
    }

    function test_aLateSignatureIsRefused() public {
        bytes32 id = _fileSigned();
        Delegation memory d = _sign(ZHEJIANG_KEY, _idHash("Accept", id, acts.nonces(zhejiang)));
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(SignatureExpired.selector, deadline));
        acts.acceptBySignature(id, d);
    }

    function test_aSignatureForOneStepIsNoSignatureForAnother() public {
        bytes32 id = _fileSigned();
        // Signed as an acceptance, offered as a withdrawal: another type hash, another digest, another signer.
        Delegation memory d = _sign(APPLICANT_KEY, _idHash("Accept", id, acts.nonces(applicant)));
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, applicant));
        acts.withdrawBySignature(id, d);
    }

    function test_theCertificateRegistrysSignatureIsNoGoodHere() public {
        bytes32 id = _fileSigned();
        Delegation memory d = ActSigner.sign(
            ZHEJIANG_KEY, ActSigner.Domain(address(acts), block.chainid), _idHash("Accept", id, 0), 0, deadline
        );
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, zhejiang));
        acts.acceptBySignature(id, d);
    }

    function test_aCallWithAnAppendedAddressFromAnyoneButTheForwarderActsAsTheCaller() public {
        bytes32 id = fileFirst();
        // An outsider appends the province's address to its own call, as the forwarder would: it stays the outsider.
        vm.prank(stranger);
        (bool ok, bytes memory reason) =
            address(licensing).call(abi.encodePacked(abi.encodeCall(licensing.accept, (id)), zhejiang));
        vm.assertFalse(ok, "refused");
        vm.assertEq(bytes4(reason), Unauthorized.selector, "as the stranger, who has no role");
        assertStage(id, Stage.FILED, "nothing happened");
    }

    function test_fourEyesHoldBySignatureToo() public {
        bytes32 id = issueGradeB("B-REV-1");
        bytes32 evidence = keccak256("evidence");
        bytes32 propose = keccak256(
            abi.encode(
                keccak256("ProposeRevocation(bytes32 certificate,uint16 reason,bytes32 evidenceHash,uint256 nonce,uint256 deadline)"),
                id, uint16(2), evidence, acts.nonces(zhejiang), deadline
            )
        );
        bytes32 proposal = acts.proposeRevocationBySignature(id, 2, evidence, _sign(ZHEJIANG_KEY, propose));
        bytes32 confirm = keccak256(
            abi.encode(
                keccak256("ConfirmRevocation(bytes32 proposal,uint256 nonce,uint256 deadline)"), proposal,
                acts.nonces(zhejiang), deadline
            )
        );
        Delegation memory d = _sign(ZHEJIANG_KEY, confirm);
        vm.expectRevert(abi.encodeWithSelector(SameRegulator.selector, zhejiang));
        acts.confirmRevocationBySignature(proposal, d);
    }

    function test_aContractWalletCanApplyBySignature() public {
        ContractWallet wallet = new ContractWallet(applicant);
        ILicensingRegistry.ApplicationRequest memory r = firstApplication();
        Delegation memory d = ActSigner.signLicensing(
            APPLICANT_KEY, ActSigner.Domain(address(acts), block.chainid), _fileHash(r, 0), 0, deadline
        );
        d.signer = address(wallet);
        bytes32 id = acts.fileBySignature(r, d);
        vm.assertEq(licensing.application(id).applicant, address(wallet), "the wallet applied");
    }
}
