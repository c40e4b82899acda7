// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice What a certificate certifies: a planning firm's qualification or a planner's registration.
enum Kind {
    NONE,
    FIRM, // 城乡规划编制单位资质证书
    PLANNER // 注册城乡规划师注册证书
}

/// @notice Qualification grade of a firm certificate; planners carry NONE.
enum Grade {
    NONE,
    A, // 甲级: approved by the Ministry of Natural Resources
    B // 乙级: approved by the province where the firm is registered
}

/// @notice Certificate status. EXPIRED is never stored: it is derived from `validUntil` and the block time.
enum Status {
    NONE,
    ACTIVE,
    SUSPENDED,
    REVOKED, // terminal
    SUPERSEDED, // terminal; `successor` names the certificate that replaced it
    EXPIRED // derived only
}

/// @notice Which act created a certificate.
enum IssueAct {
    ISSUE,
    RENEW,
    UPGRADE
}

/// @notice Authorises a relayed act (the `…BySignature` twin of an act): the signer's EIP-712 signature over the
/// act, its nonce and its deadline. Shared by the certificate and credit registries.
struct Delegation {
    address signer; // the regulator who signed; checked exactly as msg.sender would be for the direct act
    uint256 nonce; // the signer's next nonce (OpenZeppelin Nonces), one sequence per registry
    uint256 deadline; // the last block timestamp at which the act may be relayed
    bytes signature; // a 65-byte ECDSA signature, or whatever the signer's EIP-1271 wallet accepts
}

// ---- Refusals, one per reason (decoded by name on the Python side) ----

/// @dev The account holds no role that may perform this act on this kind or grade of certificate; also the one
/// refusal for "not the ministry" (upgrades, appointing and removing provincial regulators).
error Unauthorized(address account);
/// @dev The account is a provincial regulator, but of another province than the certificate's.
error WrongJurisdiction(address account, uint8 province);
/// @dev No certificate has this id.
error UnknownCertificate(bytes32 id);
/// @dev A certificate with this number (hence this id) was issued before; numbers are never reused.
error AlreadyIssued(bytes32 id);
/// @dev The certificate's current status does not allow this act.
error WrongStatus(bytes32 id, Status status);
/// @dev A signed act was submitted after its deadline.
error SignatureExpired(uint256 deadline);
/// @dev The signature does not come from the named signer over this act, chain and contract.
error InvalidSignature(address signer);
/// @dev validFrom must be before validUntil, and validUntil in the future.
error InvalidWindow(uint40 validFrom, uint40 validUntil);
/// @dev The planner is bound to another live registration; a planner belongs to one firm at a time.
error PlannerAlreadyRegistered(bytes32 subject, bytes32 registration);
/// @dev Not a GB/T 2260 province code (11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81, 82).
error InvalidProvince(uint8 province);
/// @dev Kind and grade do not fit together (a firm needs grade A or B, a planner none), or the act needs another grade.
error InvalidGrade(Kind kind, Grade grade);
/// @dev A required field (number, subject, document hash, a planner's employer) is empty, or a firm names an employer.
error InvalidField(string field);
/// @dev The act does not apply to this kind of certificate (upgrade needs a firm, transfer a planner).
error WrongKind(bytes32 id, Kind kind);
/// @dev Grade B must be held for two years before an upgrade to grade A (unless imported as a legacy record).
error GradeHeldTooShort(bytes32 id, uint40 eligibleAt);
/// @dev Suspension and revocation need a non-zero reason code.
error MissingReason();
/// @dev A planner transfer must name a different employer.
error SameEmployer(bytes32 employer);
/// @dev Provincial regulators are appointed with appointProvincialRegulator, which binds their province.
error UseAppointProvincialRegulator();

/// @dev The firm subject is bound to `province` (by its first certificate, or by the ministry's
/// changeFirmProvince): a certificate for it must name that province.
error SubjectInOtherProvince(bytes32 subject, uint8 province);
/// @dev No firm certificate was ever issued for this subject.
error UnknownFirm(bytes32 subject);
/// @dev A planner's employer must be a firm subject holding a live qualification (ACTIVE or SUSPENDED).
error EmployerNotQualified(bytes32 employer);
/// @dev A certificate number must be 1 to 64 bytes of upper-case ASCII letters, digits, hyphens and CJK unified
/// ideographs (U+4E00 to U+9FFF): what NFKC normalisation leaves of a printed number, so look-alikes (full-width
/// digits, zero-width spaces, lower-case letters) cannot become a second certificate.
error InvalidNumber(string number);
/// @dev A revocation for any other reason than cancellation (注销) is proposed and confirmed by two regulators of
/// the same authority, through the licensing registry: one regulator alone may not record it.
error FourEyesRequired(uint16 reason);
/// @dev A signed act's deadline lies further ahead than MAX_SIGNATURE_LIFETIME from the block that relays it.
error DeadlineTooFar(uint256 deadline, uint256 latest);

/// @dev Longest certificate number, in UTF-8 bytes.
uint256 constant MAX_NUMBER_BYTES = 64;

/// @dev Bit c is set for the ASCII bytes a number may hold: '-', '0'-'9', 'A'-'Z'.
uint256 constant NUMBER_ASCII = (1 << 0x2d) | (0x3ff << 0x30) | (0x3ffffff << 0x41);

/// @notice Whether `text` has the documented certificate-number format (see InvalidNumber).
/// @dev One pass over the bytes, reading each character's bytes straight from memory (the checked indexing of
/// `bytes(number)[i]` cost about ten times as much gas per byte).
function isCertificateNumber(string memory text) pure returns (bool) {
    uint256 n = bytes(text).length;
    if (n == 0 || n > MAX_NUMBER_BYTES) return false;
    uint256 start;
    assembly ("memory-safe") {
        start := add(text, 32)
    }
    unchecked {
        uint256 i;
        while (i < n) {
            uint256 word;
            assembly ("memory-safe") {
                word := mload(add(start, i))
            }
            uint256 c = word >> 248;
            if (c < 0x80) {
                if ((NUMBER_ASCII >> c) & 1 == 0) return false;
                ++i;
                continue;
            }
            // A three-byte sequence 1110xxxx 10xxxxxx 10xxxxxx whose code point lies in U+4E00..U+9FFF.
            if (i + 3 > n) return false;
            uint256 seq = word >> 232;
            if (seq & 0xf0c0c0 != 0xe08080) return false;
            uint256 codePoint = ((seq >> 4) & 0xf000) | ((seq >> 2) & 0xfc0) | (seq & 0x3f);
            if (codePoint < 0x4e00 || codePoint > 0x9fff) return false;
            i += 3;
        }
    }
    return true;
}

/// @dev Bit p is set when p is a GB/T 2260 province-level code.
uint256 constant PROVINCE_CODES = (0x1f << 11) | (0x7 << 21) | (0x7f << 31) | (0x3f << 41) | (0x1f << 50)
    | (0x1f << 61) | (1 << 71) | (1 << 81) | (1 << 82);

/// @notice Whether `code` is a GB/T 2260 province-level code.
function isProvinceCode(uint8 code) pure returns (bool) {
    return (PROVINCE_CODES >> code) & 1 == 1;
}
