// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {
    Kind, Grade, Unauthorized, WrongJurisdiction, InvalidProvince, UseAppointProvincialRegulator, isProvinceCode
} from "./Common.sol";

/// @title Who may act, and where
/// @notice The governance admin grants the ministry and registrar roles; the ministry appoints provincial
/// regulators, each bound to one province. `_checkAuthority` is the single place that decides whether an
/// account may act on a certificate of a given kind, grade and province, and `_checkMinistry` the single place
/// that decides whether it is the ministry; both refuse with Unauthorized.
abstract contract RegulatorRoles is AccessControl {
    /// @notice 自然资源部: grade A firm certificates nationwide, any act in any province, appoints provinces.
    bytes32 public constant MINISTRY_ROLE = keccak256("MINISTRY_ROLE");
    /// @notice 省级自然资源主管部门: grade B firm certificates of firms registered in its own province.
    bytes32 public constant PROVINCIAL_REGULATOR_ROLE = keccak256("PROVINCIAL_REGULATOR_ROLE");
    /// @notice 中国城市规划协会: registered-planner certificates nationwide.
    bytes32 public constant PLANNER_REGISTRAR_ROLE = keccak256("PLANNER_REGISTRAR_ROLE");

    mapping(address account => uint8 province) private _provinceOf;

    event ProvincialRegulatorAppointed(address indexed account, uint8 indexed province, address indexed by);
    event ProvincialRegulatorRemoved(address indexed account, uint8 indexed province, address indexed by);

    /// @dev Reverts with Unauthorized unless the caller is the ministry.
    modifier onlyMinistry() {
        _checkMinistry(msg.sender);
        _;
    }

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setRoleAdmin(PROVINCIAL_REGULATOR_ROLE, MINISTRY_ROLE);
    }

    /// @notice Appoint `account` as the regulator of `province` (ministry only). Re-appointing moves it.
    function appointProvincialRegulator(address account, uint8 province) external onlyMinistry {
        if (!isProvinceCode(province)) revert InvalidProvince(province);
        _provinceOf[account] = province;
        _grantRole(PROVINCIAL_REGULATOR_ROLE, account);
        emit ProvincialRegulatorAppointed(account, province, msg.sender);
    }

    /// @notice Remove a provincial regulator (ministry only). Removing an account that holds no provincial role
    /// changes nothing and emits nothing.
    function removeProvincialRegulator(address account) external onlyMinistry {
        uint8 province = _provinceOf[account];
        if (_revokeRole(PROVINCIAL_REGULATOR_ROLE, account)) {
            emit ProvincialRegulatorRemoved(account, province, msg.sender);
        }
    }

    /// @notice The province `account` regulates, or 0.
    function provinceOf(address account) external view returns (uint8) {
        return _provinceOf[account];
    }

    /// @dev A provincial role without a province would be meaningless: grant it only through appointment.
    function grantRole(bytes32 role, address account) public virtual override {
        if (role == PROVINCIAL_REGULATOR_ROLE) revert UseAppointProvincialRegulator();
        super.grantRole(role, account);
    }

    /// @dev Revoking through the generic path would leave the province binding behind.
    function revokeRole(bytes32 role, address account) public virtual override {
        if (role == PROVINCIAL_REGULATOR_ROLE) revert UseAppointProvincialRegulator();
        super.revokeRole(role, account);
    }

    /// @dev Every way out of the provincial role (removal, renouncing) also drops the province binding,
    /// so a non-zero `_provinceOf` always means a sitting provincial regulator.
    function _revokeRole(bytes32 role, address account) internal virtual override returns (bool) {
        if (role == PROVINCIAL_REGULATOR_ROLE) delete _provinceOf[account];
        return super._revokeRole(role, account);
    }

    /// @dev Reverts unless `account` may act on a certificate of this kind, grade and province.
    /// Planners: the registrar. Firms: the ministry for any grade and province; a provincial regulator
    /// for grade B in its own province.
    function _checkAuthority(address account, Kind kind, Grade grade, uint8 province) internal view {
        if (kind == Kind.PLANNER) {
            if (!hasRole(PLANNER_REGISTRAR_ROLE, account)) revert Unauthorized(account);
            return;
        }
        if (hasRole(MINISTRY_ROLE, account)) return;
        uint8 own = _provinceOf[account];
        if (own == 0 || grade != Grade.B) revert Unauthorized(account);
        if (own != province) revert WrongJurisdiction(account, province);
    }

    /// @dev Reverts with Unauthorized unless `account` is the ministry: the one refusal for "not the ministry", be the
    /// act an upgrade or the appointment or removal of a provincial regulator.
    function _checkMinistry(address account) internal view {
        if (!hasRole(MINISTRY_ROLE, account)) revert Unauthorized(account);
    }
}
