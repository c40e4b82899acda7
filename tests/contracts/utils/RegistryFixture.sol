// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "./Vm.sol";
import {CertificateRegistry} from "../../../contracts/CertificateRegistry.sol";
import {ICertificateRegistry} from "../../../contracts/ICertificateRegistry.sol";
import {Kind, Grade, Status} from "../../../contracts/Common.sol";

/// @dev A deployed registry with a ministry, two provinces (Zhejiang 33, Beijing 11) and the planner registrar,
/// and helpers that build realistic requests.
abstract contract RegistryFixture {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    uint256 internal constant MINISTRY_KEY = 0xA11CE;
    uint256 internal constant ZHEJIANG_KEY = 0x33;
    uint256 internal constant BEIJING_KEY = 0x11;
    uint256 internal constant REGISTRAR_KEY = 0xCAC9;
    uint256 internal constant STRANGER_KEY = 0xBAD;
    uint40 internal constant START = 1_700_000_000; // 2023-11-14
    uint40 internal constant FIVE_YEARS = 5 * 365 days;
    uint40 internal constant THREE_YEARS = 3 * 365 days;

    CertificateRegistry internal registry;
    address internal ministry;
    address internal zhejiang;
    address internal beijing;
    address internal registrar;
    address internal stranger;

    bytes32 internal constant FIRM = keccak256("91330000755918469E");
    bytes32 internal constant OTHER_FIRM = keccak256("11100000000013338W");
    bytes32 internal constant PLANNER = keccak256("salt|34052419800101001X");
    /// @dev Two firms with a live qualification from setUp on, so that planners have employers to belong to.
    bytes32 internal constant EMPLOYER = keccak256("91330106MA2B0XXXX1");
    bytes32 internal constant OTHER_EMPLOYER = keccak256("91110108MA0XXXXX2Q");

    function setUp() public virtual {
        vm.warp(START);
        registry = new CertificateRegistry(address(this));
        ministry = vm.addr(MINISTRY_KEY);
        zhejiang = vm.addr(ZHEJIANG_KEY);
        beijing = vm.addr(BEIJING_KEY);
        registrar = vm.addr(REGISTRAR_KEY);
        stranger = vm.addr(STRANGER_KEY);
        registry.grantRole(registry.MINISTRY_ROLE(), ministry);
        registry.grantRole(registry.PLANNER_REGISTRAR_ROLE(), registrar);
        vm.startPrank(ministry);
        registry.appointProvincialRegulator(zhejiang, 33);
        registry.appointProvincialRegulator(beijing, 11);
        vm.stopPrank();
        // The fixture's certificates come from the legacy import unless a test takes an application through the
        // licensing registry: every regulator of the fixture may import (the stranger may not).
        grantImporter(ministry);
        grantImporter(zhejiang);
        grantImporter(beijing);
        grantImporter(registrar);
        issueFirm("E-1", EMPLOYER, zhejiang, 33);
        issueFirm("E-2", OTHER_EMPLOYER, beijing, 11);
    }

    function grantImporter(address account) internal {
        registry.grantRole(registry.IMPORTER_ROLE(), account);
    }

    /// @dev A grade B certificate for `subject`, issued by `province`'s regulator.
    function issueFirm(string memory number, bytes32 subject, address regulator, uint8 province)
        internal
        returns (bytes32)
    {
        ICertificateRegistry.IssueRequest memory r = firmRequest(number, Grade.B, province);
        r.subject = subject;
        vm.prank(regulator);
        return registry.issue(r);
    }

    function firmRequest(string memory number, Grade grade, uint8 province)
        internal
        view
        returns (ICertificateRegistry.IssueRequest memory)
    {
        return ICertificateRegistry.IssueRequest({
            number: number,
            kind: Kind.FIRM,
            grade: grade,
            province: province,
            subject: FIRM,
            holder: address(0xF1),
            employer: bytes32(0),
            validFrom: uint40(block.timestamp),
            validUntil: uint40(block.timestamp) + FIVE_YEARS,
            documentHash: keccak256(bytes(number)),
            publicData: bytes(unicode'{"name":"浙江省城乡规划设计研究院","grade":"乙级"}')
        });
    }

    function plannerRequest(string memory number, bytes32 planner, bytes32 employer)
        internal
        view
        returns (ICertificateRegistry.IssueRequest memory)
    {
        return ICertificateRegistry.IssueRequest({
            number: number,
            kind: Kind.PLANNER,
            grade: Grade.NONE,
            province: 33,
            subject: planner,
            holder: address(0),
            employer: employer,
            validFrom: uint40(block.timestamp),
            validUntil: uint40(block.timestamp) + THREE_YEARS,
            documentHash: keccak256(bytes(number)),
            publicData: bytes(unicode'{"specialty":"城乡规划"}')
        });
    }

    function successorRequest(string memory number) internal view returns (ICertificateRegistry.SuccessorRequest memory) {
        return ICertificateRegistry.SuccessorRequest({
            number: number,
            holder: address(0xF2),
            validFrom: uint40(block.timestamp),
            validUntil: uint40(block.timestamp) + FIVE_YEARS,
            documentHash: keccak256(abi.encode(number, "successor")),
            publicData: bytes(unicode'{"grade":"甲级"}')
        });
    }

    function issueGradeB(string memory number) internal returns (bytes32) {
        vm.prank(zhejiang);
        return registry.issue(firmRequest(number, Grade.B, 33));
    }

    function issueGradeA(string memory number) internal returns (bytes32) {
        vm.prank(ministry);
        return registry.issue(firmRequest(number, Grade.A, 33));
    }

    function issuePlanner(string memory number, bytes32 planner, bytes32 employer) internal returns (bytes32) {
        vm.prank(registrar);
        return registry.issue(plannerRequest(number, planner, employer));
    }

    function assertStatus(bytes32 id, Status expected, string memory what) internal view {
        vm.assertEq(uint256(registry.statusOf(id)), uint256(expected), what);
    }
}
