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
/// that decides whether it is the ministry (refusing with Unauthorized in both cases).
abstract contract RegulatorRoles is AccessControl {
    /// @notice 自然资源部: grade A firm certificates nationwide, any act in any province, appoints provinces.
    bytes32 public constant MINISTRY_ROLE = keccak256("MINISTRY_ROLE");
    /// @notice 省级自然资源主管部门: grade B firm certificates of firms registered in its own province.
    bytes32 public constant PROVINCIAL_REGULATOR_ROLE = keccak256("PROVINCIAL_REGULATOR_ROLE");
    /// @notice 中国城市规划协会: registered-planner certificates nationwide.
    bytes32 public constant PLANNER_REGISTRAR_ROLE = keccak256("PLANNER_REGISTRAR_ROLE");

    /// @notice The licensing registry: makes the certificates of the applications it decides (issueFor, …).
    bytes32 public constant LICENSING_ROLE = keccak256("LICENSING_ROLE");
    /// @notice 存量导入: a regulator importing the legacy register (certificates granted before this ledger, by the
    /// procedure on paper, and the changes recorded on them) with issue, issueBatch, upgrade, renew, amend and
    /// transfer, outside any application. Granted through governance for the migration and revoked after it; every
    /// certificate made so is marked CertificateImported. Otherwise a certificate is made, changed or moved only by
    /// an approved application in the licensing registry (and a holder key bound with bindHolder).
    bytes32 public constant IMPORTER_ROLE = keccak256("IMPORTER_ROLE");

    mapping(address account => uint8 province) private _provinceOf;

    /// @notice `account` became (or moved to become) the regulator of `province`, appointed by the ministry `by`.
    event ProvincialRegulatorAppointed(address indexed account, uint8 indexed province, address indexed by);
    /// @notice `account` stopped being the regulator of `province`, removed by the ministry `by`. Emitted only
    /// when the account held the provincial role; renouncing the role emits only AccessControl's RoleRevoked.
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
    /// @dev Emits ProvincialRegulatorAppointed (and RoleGranted on a first appointment). Reverts with Unauthorized
    /// unless the caller is the ministry, InvalidProvince for a code that is not a GB/T 2260 province.
    /// @param account The regulator to appoint.
    /// @param province The GB/T 2260 code of the province it regulates.
    function appointProvincialRegulator(address account, uint8 province) external onlyMinistry {
        if (!isProvinceCode(province)) revert InvalidProvince(province);
        _provinceOf[account] = province;
        _grantRole(PROVINCIAL_REGULATOR_ROLE, account);
        emit ProvincialRegulatorAppointed(account, province, msg.sender);
    }

    /// @notice Remove a provincial regulator (ministry only); its province binding goes with the role.
    /// @dev Emits ProvincialRegulatorRemoved (and RoleRevoked) only if `account` held the role; removing an
    /// account without it changes nothing and emits nothing. Reverts with Unauthorized unless the caller is the
    /// ministry.
    /// @param account The regulator to remove.
    function removeProvincialRegulator(address account) external onlyMinistry {
        uint8 province = _provinceOf[account];
        if (_revokeRole(PROVINCIAL_REGULATOR_ROLE, account)) {
            emit ProvincialRegulatorRemoved(account, province, msg.sender);
        }
    }

    /// @notice The province `account` regulates, or 0.
    /// @param account Any account.
    /// @return The GB/T 2260 code of its province; non-zero exactly when it is a sitting provincial regulator.
    function provinceOf(address account) external view returns (uint8) {
        return _provinceOf[account];
    }

    /// @notice Grants `role` to `account` (the caller must hold `role`'s admin role), except the provincial role.
    /// @dev A provincial role without a province would be meaningless: it is granted only by
    /// appointProvincialRegulator, and asking for it here reverts with UseAppointProvincialRegulator.
    /// @param role The role to grant.
    /// @param account The account to grant it to.
    function grantRole(bytes32 role, address account) public virtual override {
        if (role == PROVINCIAL_REGULATOR_ROLE) revert UseAppointProvincialRegulator();
        super.grantRole(role, account);
    }

    /// @notice Revokes `role` from `account` (the caller must hold `role`'s admin role), except the provincial role.
    /// @dev Revoking through the generic path would leave the province binding behind: the provincial role is
    /// revoked only by removeProvincialRegulator, and asking for it here reverts with UseAppointProvincialRegulator.
    /// @param role The role to revoke.
    /// @param account The account to revoke it from.
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

    /// @dev Reverts with Unauthorized unless `account` is the ministry: the one refusal for "not the ministry",
    /// whether the act is an upgrade or the appointment or removal of a provincial regulator.
    function _checkMinistry(address account) internal view {
        if (!hasRole(MINISTRY_ROLE, account)) revert Unauthorized(account);
    }
}
