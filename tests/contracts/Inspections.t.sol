// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {RegistryFixture} from "./utils/RegistryFixture.sol";
import {Population} from "./utils/Population.sol";
import {CreditDigests} from "./utils/CreditDigests.sol";
import {CreditRegistry} from "../../contracts/CreditRegistry.sol";
import {ICertificateRegistry} from "../../contracts/ICertificateRegistry.sol";
import {
    ICreditRegistry, InspectionOutcome, InvalidInspection, AlreadyAnnounced, DrawBlockNotInFuture, NotDrawnYet,
    OutsideRound, ResultAlreadyRecorded, DrawNotRevealable, WrongSeedSecret, AlreadyDrawn, NotInPopulation, NotDrawn,
    UnknownInspection
} from "../../contracts/ICreditRegistry.sol";
import {Grade, Unauthorized, WrongJurisdiction} from "../../contracts/Common.sol";

/// @dev Random inspections (双随机、一公开), issue 14 finding 5: results only for the firms the draw selected and
/// only by the round's authority; a seed that neither the announcer (it commits before the draw block) nor the
/// draw block's producer (it does not know the secret) chooses alone.
contract InspectionsTest is RegistryFixture {
    CreditRegistry internal credit;
    bytes32[] internal zhejiangB; // the province's grade B firms, sorted by id: a round's population
    bytes32 internal gradeA;

    bytes32 internal constant SECRET = keccak256("the announcer's secret");

    function setUp() public override {
        super.setUp();
        credit = new CreditRegistry(registry);
        for (uint256 i; i < 5; i++) {
            ICertificateRegistry.IssueRequest memory r = firmRequest(string(abi.encodePacked("B-", bytes1(uint8(49 + i)))), Grade.B, 33);
            r.subject = keccak256(abi.encode("firm", i));
            vm.prank(zhejiang);
            zhejiangB.push(registry.issue(r));
        }
        zhejiangB = Population.sorted(zhejiangB);
        ICertificateRegistry.IssueRequest memory a = firmRequest("A-1", Grade.A, 33);
        a.subject = keccak256("grade A firm");
        vm.prank(ministry);
        gradeA = registry.issue(a);
    }

    function round(string memory title, uint8 province, Grade grade, uint16 sampleSize, bytes32[] memory population)
        internal
        view
        returns (ICreditRegistry.InspectionRequest memory)
    {
        return ICreditRegistry.InspectionRequest({
            title: title,
            province: province,
            grade: grade,
            sampleSize: sampleSize,
            inspectorsPerFirm: 1,
            drawBlock: uint64(block.number + 2),
            seedCommitment: keccak256(abi.encode(SECRET)),
            populationSize: uint32(population.length),
            populationRoot: Population.root(population),
            roster: bytes('["I-01","I-02"]')
        });
    }

    function announced(address by, uint16 sampleSize) internal returns (bytes32 id) {
        vm.prank(by);
        id = credit.announceInspection(round("R-1", 33, Grade.B, sampleSize, zhejiangB));
        vm.roll(block.number + 3);
        credit.revealDraw(id, SECRET);
    }

    function isDrawn(bytes32 id, uint256 position) internal view returns (bool) {
        uint256[] memory sample = credit.sampleOf(id);
        for (uint256 j; j < sample.length; j++) {
            if (sample[j] == position) return true;
        }
        return false;
    }

    function result(address by, bytes32 id, uint256 position) internal {
        vm.prank(by);
        credit.recordInspectionResult(
            id, zhejiangB[position], position, Population.proof(zhejiangB, position), InspectionOutcome.FAILED,
            keccak256("report")
        );
    }

    // ---- the attacks ----

    function test_attack_aFirmTheDrawDidNotSelectGetsNoResult() public {
        bytes32 id = announced(zhejiang, 2);
        vm.assertEq(credit.sampleOf(id).length, 2, "two drawn of five");
        for (uint256 p; p < zhejiangB.length; p++) {
            if (!isDrawn(id, p)) vm.expectRevert(abi.encodeWithSelector(NotDrawn.selector, id, zhejiangB[p]));
            result(zhejiang, id, p);
        }
    }

    function test_attack_onlyTheRoundsAuthorityRecordsItsResults() public {
        vm.prank(ministry);
        bytes32 nationwide = credit.announceInspection(round("R-N", 0, Grade.NONE, 5, zhejiangB));
        bytes32 provincial = announced(zhejiang, 5);
        credit.revealDraw(nationwide, SECRET);
        // Zhejiang regulates these firms, but the nationwide round is the ministry's.
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        result(zhejiang, nationwide, 0);
        result(ministry, nationwide, 0);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, beijing, uint8(33)));
        result(beijing, provincial, 0);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, stranger));
        result(stranger, provincial, 0);
        result(zhejiang, provincial, 0);
    }

    function test_attack_theDrawBlocksHashAloneDoesNotDecideTheSeed() public {
        bytes32 other = keccak256("another secret");
        vm.startPrank(zhejiang);
        bytes32 first = credit.announceInspection(round("R-1", 33, Grade.B, 2, zhejiangB));
        ICreditRegistry.InspectionRequest memory r = round("R-2", 33, Grade.B, 2, zhejiangB);
        r.seedCommitment = keccak256(abi.encode(other));
        bytes32 second = credit.announceInspection(r);
        vm.stopPrank();
        vm.roll(block.number + 3);
        // Mined, but the sample is unknown until the announcer's secret is revealed.
        vm.assertEq(credit.seedOf(first), bytes32(0), "no seed before the reveal");
        vm.assertEq(credit.sampleOf(first).length, 0, "no sample before the reveal");
        vm.expectRevert(abi.encodeWithSelector(NotDrawnYet.selector, first, r.drawBlock));
        result(zhejiang, first, 0);
        bytes32 seed = credit.revealDraw(first, SECRET);
        bytes32 hash = blockhash(r.drawBlock);
        vm.assertTrue(hash != bytes32(0), "the draw block's hash exists");
        vm.assertEq(seed, keccak256(abi.encode(first, SECRET, hash)), "seed = round, secret and block hash");
        vm.assertTrue(credit.revealDraw(second, other) != seed, "same block, other secret, other seed");
    }

    // ---- the reveal ----

    function test_theRevealChecksTheCommitmentAndItsWindow() public {
        vm.prank(zhejiang);
        bytes32 id = credit.announceInspection(round("R-1", 33, Grade.B, 2, zhejiangB));
        uint64 drawBlock = uint64(block.number + 2);
        vm.expectRevert(abi.encodeWithSelector(UnknownInspection.selector, bytes32(uint256(1))));
        credit.revealDraw(bytes32(uint256(1)), SECRET);
        vm.roll(drawBlock);
        vm.expectRevert(abi.encodeWithSelector(DrawNotRevealable.selector, id, drawBlock));
        credit.revealDraw(id, SECRET);
        vm.roll(drawBlock + 1);
        vm.expectRevert(abi.encodeWithSelector(WrongSeedSecret.selector, id));
        credit.revealDraw(id, keccak256("guess"));
        vm.prank(stranger); // whoever holds the secret may reveal it
        credit.revealDraw(id, SECRET);
        vm.expectRevert(abi.encodeWithSelector(AlreadyDrawn.selector, id));
        credit.revealDraw(id, SECRET);
    }

    function test_aRoundNotRevealedWithin256BlocksIsVoid() public {
        vm.prank(zhejiang);
        bytes32 id = credit.announceInspection(round("R-1", 33, Grade.B, 2, zhejiangB));
        uint64 drawBlock = uint64(block.number + 2);
        vm.roll(drawBlock + 257);
        vm.expectRevert(abi.encodeWithSelector(DrawNotRevealable.selector, id, drawBlock));
        credit.revealDraw(id, SECRET);
    }

    // ---- announcing ----

    function test_nationwideRoundsAreTheMinistrysAndProvincesDrawTheirGradeB() public {
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(WrongJurisdiction.selector, zhejiang, uint8(0)));
        credit.announceInspection(round("R-1", 0, Grade.B, 2, zhejiangB));
        vm.prank(zhejiang);
        vm.expectRevert(abi.encodeWithSelector(Unauthorized.selector, zhejiang));
        credit.announceInspection(round("R-1", 33, Grade.NONE, 2, zhejiangB));
        vm.prank(zhejiang);
        bytes32 id = credit.announceInspection(round("R-1", 33, Grade.B, 2, zhejiangB));
        vm.assertEq(credit.drawBlockOf(id), block.number + 2, "draw block stored");
        vm.prank(ministry);
        credit.announceInspection(round("R-2", 0, Grade.NONE, 2, zhejiangB));
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(AlreadyAnnounced.selector, id));
        credit.announceInspection(round("R-1", 0, Grade.NONE, 2, zhejiangB));
    }

    function test_aRoundNamesItsDrawBlockCommitmentAndPopulation() public {
        vm.startPrank(ministry);
        ICreditRegistry.InspectionRequest memory r = round("R-1", 0, Grade.NONE, 2, zhejiangB);
        r.drawBlock = uint64(block.number);
        vm.expectRevert(abi.encodeWithSelector(DrawBlockNotInFuture.selector, uint64(block.number)));
        credit.announceInspection(r);
        r = round("R-1", 0, Grade.NONE, 2, zhejiangB);
        r.seedCommitment = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(InvalidInspection.selector, "seedCommitment"));
        credit.announceInspection(r);
        r = round("R-1", 0, Grade.NONE, 2, zhejiangB);
        r.populationSize = 0;
        vm.expectRevert(abi.encodeWithSelector(InvalidInspection.selector, "populationSize"));
        credit.announceInspection(r);
        r = round("R-1", 0, Grade.NONE, 2, zhejiangB);
        r.populationRoot = bytes32(0);
        vm.expectRevert(abi.encodeWithSelector(InvalidInspection.selector, "populationRoot"));
        credit.announceInspection(r);
        vm.stopPrank();
    }

    // ---- results ----

    function test_resultsOnceForADrawnFirmOfThePopulation() public {
        bytes32 id = announced(zhejiang, 5);
        result(zhejiang, id, 1);
        vm.expectRevert(abi.encodeWithSelector(ResultAlreadyRecorded.selector, id, zhejiangB[1]));
        result(zhejiang, id, 1);
        bytes32[] memory proof = Population.proof(zhejiangB, 2);
        vm.startPrank(zhejiang);
        // Another position for the same certificate, or another certificate at its position: not the commitment.
        vm.expectRevert(abi.encodeWithSelector(NotInPopulation.selector, id, zhejiangB[2], 3));
        credit.recordInspectionResult(id, zhejiangB[2], 3, proof, InspectionOutcome.PASSED, keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(NotInPopulation.selector, id, zhejiangB[3], 2));
        credit.recordInspectionResult(id, zhejiangB[3], 2, proof, InspectionOutcome.PASSED, keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(InvalidInspection.selector, "outcome"));
        credit.recordInspectionResult(id, zhejiangB[2], 2, proof, InspectionOutcome.NONE, keccak256("r"));
        vm.expectRevert(abi.encodeWithSelector(InvalidInspection.selector, "evidenceHash"));
        credit.recordInspectionResult(id, zhejiangB[2], 2, proof, InspectionOutcome.PASSED, bytes32(0));
        vm.stopPrank();
        vm.prank(ministry);
        vm.expectRevert(abi.encodeWithSelector(OutsideRound.selector, id, gradeA));
        credit.recordInspectionResult(id, gradeA, 0, proof, InspectionOutcome.PASSED, keccak256("r"));
    }

    function testFuzz_theSampleIsDistinctPositionsOfThePopulation(bytes32 seed, uint16 n, uint16 k) public {
        CreditDigests harness = new CreditDigests();
        n = uint16(1 + n % 300);
        k = uint16(k % 80);
        uint256[] memory drawn = harness.sample(seed, n, k);
        vm.assertEq(drawn.length, k < n ? k : n, "min(sampleSize, populationSize) drawn");
        for (uint256 i; i < drawn.length; i++) {
            vm.assertTrue(drawn[i] < n, "within the population");
            for (uint256 j; j < i; j++) vm.assertTrue(drawn[i] != drawn[j], "distinct");
        }
    }
}
