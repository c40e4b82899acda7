// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Vm} from "./Vm.sol";
import {CertificateRegistry} from "../../../contracts/CertificateRegistry.sol";
import {ICertificateRegistry} from "../../../contracts/ICertificateRegistry.sol";
import {Kind, Grade, Status} from "../../../contracts/Common.sol";

/// @dev Drives the registry with random acts by the right regulators (and lets the registry refuse what it must),
/// recording what the invariants check: certificates seen terminal, any number that got issued twice, and any act
/// by a provincial regulator that changed a firm bound to another province. Firms 0 and 1 are registered in
/// Zhejiang (33), firm 2 in Beijing (11).
contract RegistryHandler {
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    CertificateRegistry internal immutable registry;
    address internal immutable ministry;
    address internal immutable province;
    address internal immutable otherProvince;
    address internal immutable registrar;

    bytes32[] public ids;
    bytes32[] public terminal;
    mapping(bytes32 id => Status) public terminalStatus;
    mapping(bytes32 id => bool) internal issued;
    uint256 public duplicateIssues;
    uint256 public acts;
    uint256 public foreignActs; // acts tried by a provincial regulator on a firm bound to another province
    uint256 public foreignChanges; // how many of them changed something (must stay 0)
    uint256 internal serial;

    uint256 public constant PLANNERS = 4;
    uint256 internal constant FIRMS = 3;

    constructor(
        CertificateRegistry registry_,
        address ministry_,
        address province_,
        address otherProvince_,
        address registrar_
    ) {
        registry = registry_;
        ministry = ministry_;
        province = province_;
        otherProvince = otherProvince_;
        registrar = registrar_;
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function terminalCount() external view returns (uint256) {
        return terminal.length;
    }

    function plannerSubject(uint256 i) public pure returns (bytes32) {
        return keccak256(abi.encode("planner", i % PLANNERS));
    }

    function firmSubject(uint256 i) public pure returns (bytes32) {
        return keccak256(abi.encode("firm", i % FIRMS));
    }

    function firmProvince(uint256 i) public pure returns (uint8) {
        return i % FIRMS == 2 ? 11 : 33;
    }

    /// @dev Numbers come from a small pool so that re-issuing an existing number is tried often.
    function issueFirm(uint8 numberSeed, bool gradeA) external {
        string memory number = string(abi.encodePacked("F-", vm.toString(uint256(numberSeed % 64))));
        ICertificateRegistry.IssueRequest memory r = _request(number, Kind.FIRM, gradeA ? Grade.A : Grade.B);
        r.subject = firmSubject(numberSeed);
        r.province = firmProvince(numberSeed);
        vm.prank(gradeA ? ministry : _regulatorOf(r.province));
        try registry.issue(r) returns (bytes32 id) {
            _recordIssued(id);
        } catch {}
    }

    function issuePlanner(uint8 numberSeed, uint8 planner, uint8 firm) external {
        string memory number = string(abi.encodePacked("P-", vm.toString(uint256(numberSeed % 64))));
        ICertificateRegistry.IssueRequest memory r = _request(number, Kind.PLANNER, Grade.NONE);
        r.subject = plannerSubject(planner);
        r.employer = firmSubject(firm);
        vm.prank(registrar);
        try registry.issue(r) returns (bytes32 id) {
            _recordIssued(id);
        } catch {}
    }

    function suspend(uint256 pick, uint16 reason) external {
        if (ids.length == 0) return;
        bytes32 id = ids[pick % ids.length];
        vm.prank(_actorFor(id));
        try registry.suspend(id, reason) {
            acts++;
        } catch {}
    }

    function reinstate(uint256 pick) external {
        if (ids.length == 0) return;
        bytes32 id = ids[pick % ids.length];
        vm.prank(_actorFor(id));
        try registry.reinstate(id, 0) {
            acts++;
        } catch {}
    }

    function revoke(uint256 pick, uint16 reason) external {
        if (ids.length == 0) return;
        bytes32 id = ids[pick % ids.length];
        vm.prank(_actorFor(id));
        try registry.revoke(id, reason % 2 == 0 ? 3 : reason) {
            _recordTerminal(id, Status.REVOKED);
        } catch {}
    }

    function renew(uint256 pick) external {
        if (ids.length == 0) return;
        bytes32 id = ids[pick % ids.length];
        ICertificateRegistry.SuccessorRequest memory s = _successor();
        vm.prank(_actorFor(id));
        try registry.renew(id, s) returns (bytes32 next) {
            _recordIssued(next);
            _recordTerminal(id, Status.SUPERSEDED);
        } catch {}
    }

    function upgrade(uint256 pick, bool legacy) external {
        if (ids.length == 0) return;
        bytes32 id = ids[pick % ids.length];
        ICertificateRegistry.SuccessorRequest memory s = _successor();
        vm.prank(ministry);
        try registry.upgrade(id, s, legacy) returns (bytes32 next) {
            _recordIssued(next);
            _recordTerminal(id, Status.SUPERSEDED);
        } catch {}
    }

    function transfer(uint256 pick, uint8 firm) external {
        if (ids.length == 0) return;
        bytes32 id = ids[pick % ids.length];
        vm.prank(registrar);
        try registry.transfer(id, firmSubject(firm), keccak256(abi.encode(id, firm)), "") {
            acts++;
        } catch {}
    }

    /// @dev A provincial regulator acts on a firm bound to the other province: whatever the act, the firm's
    /// certificates, binding and qualification must come out as they went in.
    function foreignAct(uint256 pick, uint8 act, uint16 reason) external {
        if (ids.length == 0) return;
        bytes32 id = ids[pick % ids.length];
        ICertificateRegistry.Certificate memory c = registry.certificate(id);
        if (c.kind != Kind.FIRM) return;
        address attacker = c.province == 33 ? otherProvince : province;
        bytes32 before = _firmState(c.subject, id);
        vm.startPrank(attacker);
        act = act % 6;
        if (act == 0) {
            try registry.suspend(id, reason | 1) {} catch {}
        } else if (act == 1) {
            try registry.reinstate(id, reason) {} catch {}
        } else if (act == 2) {
            try registry.revoke(id, reason | 1) {} catch {}
        } else if (act == 3) {
            try registry.amend(id, attacker, keccak256(abi.encode(id, reason)), "") {} catch {}
        } else if (act == 4) {
            try registry.renew(id, _successor()) {} catch {}
        } else {
            ICertificateRegistry.IssueRequest memory r = _request(
                string(abi.encodePacked("X-", vm.toString(++serial))), Kind.FIRM, Grade.B
            );
            r.subject = c.subject;
            r.province = attacker == province ? 33 : 11;
            try registry.issue(r) {} catch {}
        }
        vm.stopPrank();
        foreignActs++;
        if (_firmState(c.subject, id) != before) foreignChanges++;
    }

    function passTime(uint32 secondsForward) external {
        vm.warp(block.timestamp + (secondsForward % 400 days));
    }

    function _request(string memory number, Kind kind, Grade grade)
        internal
        view
        returns (ICertificateRegistry.IssueRequest memory)
    {
        return ICertificateRegistry.IssueRequest({
            number: number,
            kind: kind,
            grade: grade,
            province: 33,
            subject: bytes32(0),
            holder: address(0),
            employer: bytes32(0),
            validFrom: uint40(block.timestamp),
            validUntil: uint40(block.timestamp + 3 * 365 days),
            documentHash: keccak256(bytes(number)),
            publicData: ""
        });
    }

    function _successor() internal returns (ICertificateRegistry.SuccessorRequest memory) {
        string memory number = string(abi.encodePacked("S-", vm.toString(++serial)));
        return ICertificateRegistry.SuccessorRequest({
            number: number,
            holder: address(0),
            validFrom: uint40(block.timestamp),
            validUntil: uint40(block.timestamp + 3 * 365 days),
            documentHash: keccak256(bytes(number)),
            publicData: ""
        });
    }

    function _actorFor(bytes32 id) internal view returns (address) {
        ICertificateRegistry.Certificate memory c = registry.certificate(id);
        if (c.kind == Kind.PLANNER) return registrar;
        return c.grade == Grade.A ? ministry : _regulatorOf(c.province);
    }

    function _regulatorOf(uint8 code) internal view returns (address) {
        return code == 33 ? province : otherProvince;
    }

    /// @dev Everything an act could change about a firm: the certificate acted on, the firm's binding and its
    /// live qualification (which a new or renewed certificate would replace).
    function _firmState(bytes32 subject, bytes32 id) internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                registry.certificate(id),
                registry.statusOf(id),
                registry.firmProvinceOf(subject),
                registry.qualificationOf(subject)
            )
        );
    }

    function _recordIssued(bytes32 id) internal {
        if (issued[id]) duplicateIssues++;
        issued[id] = true;
        ids.push(id);
        acts++;
    }

    function _recordTerminal(bytes32 id, Status status) internal {
        terminal.push(id);
        terminalStatus[id] = status;
        acts++;
    }
}
