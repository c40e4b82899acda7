// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {ActSigner} from "./utils/ActSigner.sol";
import {ContractWallet} from "./utils/ContractWallet.sol";
import {CertificateRegistry} from "../../contracts/CertificateRegistry.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {Grade, Status, Delegation, Unauthorized, SignatureExpired, InvalidSignature} from "../../contracts/Common.sol";

/// @dev Acts relayed with a regulator's EIP-712 signature: accepted exactly when the signer could act directly,
/// and never replayed, late, moved to another chain or contract, or altered.
contract SignaturesTest is RegistryFixture {
    address internal constant RELAYER = address(0x2E1A);

    function _domain() internal view returns (ActSigner.Domain memory) {
        return ActSigner.Domain(address(registry), block.chainid);
    }

    function _deadline() internal view returns (uint256) {
        return block.timestamp + 1 hours;
    }

    function test_aRelayedIssueRecordsTheSignerAsIssuer() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        Delegation memory d =
            ActSigner.sign(MINISTRY_KEY, _domain(), ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        vm.prank(RELAYER);
        bytes32 id = registry.issueBySignature(r, d);
        vm.assertEq(registry.certificate(id).issuer, ministry, "the signer, not the relayer, is the issuer");
        vm.assertEq(registry.nonces(ministry), 1, "nonce used");
    }

    function test_aReplayIsRefused() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        Delegation memory d =
            ActSigner.sign(MINISTRY_KEY, _domain(), ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        registry.issueBySignature(r, d);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, ministry, 1));
        registry.issueBySignature(r, d);
    }

    function test_aSuspendReplayedAfterReinstateIsRefused() public {
        bytes32 id = issueGradeB("B-1");
        Delegation memory d = ActSigner.sign(
            ZHEJIANG_KEY, _domain(), ActSigner.statusAct("Suspend", id, 5, 0, _deadline()), 0, _deadline()
        );
        registry.suspendBySignature(id, 5, d);
        vm.prank(zhejiang);
        registry.reinstate(id, 0);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, zhejiang, 1));
        registry.suspendBySignature(id, 5, d);
        assertStatus(id, Status.ACTIVE, "the replay changed nothing");
    }

    function test_anExpiredSignatureIsRefused() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        uint256 deadline = block.timestamp + 10 minutes;
        Delegation memory d =
            ActSigner.sign(MINISTRY_KEY, _domain(), ActSigner.issue(r, 0, deadline), 0, deadline);
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(SignatureExpired.selector, deadline));
        registry.issueBySignature(r, d);
    }

    function test_aSignatureForAnotherChainIsRefused() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        ActSigner.Domain memory mainnet = ActSigner.Domain(address(registry), 1);
        Delegation memory d =
            ActSigner.sign(MINISTRY_KEY, mainnet, ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, ministry));
        registry.issueBySignature(r, d);
    }

    function test_aSignatureForAnotherContractIsRefused() public {
        CertificateRegistry other = new CertificateRegistry(address(this));
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        ActSigner.Domain memory elsewhere = ActSigner.Domain(address(other), block.chainid);
        Delegation memory d =
            ActSigner.sign(MINISTRY_KEY, elsewhere, ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, ministry));
        registry.issueBySignature(r, d);
    }

    function test_aSignatureByAKeyWithoutTheRoleIsRefused() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        Delegation memory d =
            ActSigner.sign(STRANGER_KEY, _domain(), ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, stranger));
        registry.issueBySignature(r, d);

        d = ActSigner.sign(ZHEJIANG_KEY, _domain(), ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.issueBySignature(r, d);
    }

    function test_aSignatureClaimingAnotherSignerIsRefused() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        Delegation memory d =
            ActSigner.sign(STRANGER_KEY, _domain(), ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        d.signer = ministry;
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, ministry));
        registry.issueBySignature(r, d);
    }

    function test_anAlteredActIsRefused() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        Delegation memory d =
            ActSigner.sign(MINISTRY_KEY, _domain(), ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        r.validUntil += 1;
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, ministry));
        registry.issueBySignature(r, d);

        r = firmRequest("A-1", Grade.A, 33);
        d.deadline += 1;
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, ministry));
        registry.issueBySignature(r, d);

        bytes32 id = issueGradeB("B-1");
        d = ActSigner.sign(ZHEJIANG_KEY, _domain(), ActSigner.statusAct("Suspend", id, 5, 0, _deadline()), 0, _deadline());
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, zhejiang));
        registry.revokeBySignature(id, 5, d); // a suspension signature does not revoke
    }

    function test_aMalformedSignatureIsRefused() public {
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        Delegation memory d =
            ActSigner.sign(MINISTRY_KEY, _domain(), ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        d.signature = hex"1234";
        vm.expectRevert(abi.encodeWithSelector(InvalidSignature.selector, ministry));
        registry.issueBySignature(r, d);
    }

    function test_aContractWalletCanSign() public {
        ContractWallet wallet = new ContractWallet(vm.addr(MINISTRY_KEY));
        registry.grantRole(registry.MINISTRY_ROLE(), address(wallet));
        grantImporter(address(wallet));
        ICertificateRegistry.IssueRequest memory r = firmRequest("A-1", Grade.A, 33);
        Delegation memory d =
            ActSigner.sign(MINISTRY_KEY, _domain(), ActSigner.issue(r, 0, _deadline()), 0, _deadline());
        d.signer = address(wallet);
        bytes32 id = registry.issueBySignature(r, d);
        vm.assertEq(registry.certificate(id).issuer, address(wallet), "the wallet is the issuer");
    }

    uint256 internal constant DEADLINE = START + 1 hours;

    function _sign(uint256 key, bytes32 structHash, uint256 nonce)
        internal
        view
        returns (Delegation memory)
    {
        return ActSigner.sign(key, _domain(), structHash, nonce, DEADLINE);
    }

    function test_issueBatchBySignature() public {
        ICertificateRegistry.IssueRequest[] memory batch = new ICertificateRegistry.IssueRequest[](2);
        batch[0] = firmRequest("B-1", Grade.B, 33);
        batch[1] = firmRequest("B-2", Grade.B, 33);
        bytes32[] memory ids =
            registry.issueBatchBySignature(batch, _sign(ZHEJIANG_KEY, ActSigner.issueBatch(batch, 0, DEADLINE), 0));
        vm.assertEq(registry.certificate(ids[1]).issuer, zhejiang, "batch issued by signature");
    }

    function test_statusActsBySignature() public {
        bytes32 id = issueGradeB("B-1");
        registry.suspendBySignature(id, 9, _sign(ZHEJIANG_KEY, ActSigner.statusAct("Suspend", id, 9, 0, DEADLINE), 0));
        assertStatus(id, Status.SUSPENDED, "suspended by signature");
        registry.reinstateBySignature(
            id, 0, _sign(ZHEJIANG_KEY, ActSigner.statusAct("Reinstate", id, 0, 1, DEADLINE), 1)
        );
        assertStatus(id, Status.ACTIVE, "reinstated by signature");
        registry.revokeBySignature(id, 3, _sign(ZHEJIANG_KEY, ActSigner.statusAct("Revoke", id, 3, 2, DEADLINE), 2));
        assertStatus(id, Status.REVOKED, "revoked by signature");
    }

    function test_amendBySignature() public {
        bytes32 id = issueGradeB("B-1");
        bytes32 doc = keccak256("amended");
        registry.amendBySignature(
            id, address(7), doc, "{}", _sign(ZHEJIANG_KEY, ActSigner.amend(id, address(7), doc, "{}", 0, DEADLINE), 0)
        );
        vm.assertEq(registry.certificate(id).documentHash, doc, "amended by signature");
    }

    function test_renewAndUpgradeBySignature() public {
        bytes32 id = issueGradeB("B-1");
        ICertificateRegistry.SuccessorRequest memory s = successorRequest("B-1R");
        bytes32 renewed = registry.renewBySignature(id, s, _sign(ZHEJIANG_KEY, ActSigner.renew(id, s, 0, DEADLINE), 0));
        assertStatus(id, Status.SUPERSEDED, "renewed by signature");

        s = successorRequest("A-1");
        bytes32 upgraded = registry.upgradeBySignature(
            renewed, s, true, _sign(MINISTRY_KEY, ActSigner.upgrade(renewed, s, true, 0, DEADLINE), 0)
        );
        vm.assertEq(registry.certificate(upgraded).issuer, ministry, "upgraded by signature");
    }

    function test_anUpgradeSignedByAProvinceIsRefusedAsNotTheMinistry() public {
        bytes32 id = issueGradeB("B-1");
        ICertificateRegistry.SuccessorRequest memory s = successorRequest("A-1");
        Delegation memory d = _sign(ZHEJIANG_KEY, ActSigner.upgrade(id, s, true, 0, DEADLINE), 0);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        registry.upgradeBySignature(id, s, true, d);
    }

    function test_transferBySignature() public {
        bytes32 id = issuePlanner("P-1", PLANNER, EMPLOYER);
        bytes32 doc = keccak256("moved");
        registry.transferBySignature(
            id, OTHER_EMPLOYER, doc, "", _sign(REGISTRAR_KEY, ActSigner.transfer(id, OTHER_EMPLOYER, doc, "", 0, DEADLINE), 0)
        );
        vm.assertEq(registry.certificate(id).employer, OTHER_EMPLOYER, "transferred by signature");
    }

    function test_theContractsTypeHashesMatchTheWrittenTypes() public view {
        vm.assertEq(
            registry.ISSUE_TYPEHASH(),
            keccak256(abi.encodePacked("Issue(IssueRequest request,uint256 nonce,uint256 deadline)", ActSigner.ISSUE_REQUEST)),
            "Issue"
        );
        vm.assertEq(
            registry.SUSPEND_TYPEHASH(), keccak256("Suspend(bytes32 id,uint16 reason,uint256 nonce,uint256 deadline)"), "Suspend"
        );
    }
}
