"""Validation of the identifiers a certificate carries, at the boundary, with errors a clerk can act on.

The algorithms are described in docs/domain.md#identifiers: GB 32100 (unified social credit code), GB 11643
(citizen identity number), GB/T 2260 (province codes) and GB/T 36904 (e-certificate identifier, ISO 7064
MOD 37,36).
Input is normalised first (NFKC folds full-width characters, surrounding blanks are dropped, letters upper-cased),
so a code pasted from a Word document validates as typed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ledger.errors import LedgerError

PROVINCES: dict[int, str] = {
    11: "北京市", 12: "天津市", 13: "河北省", 14: "山西省", 15: "内蒙古自治区",
    21: "辽宁省", 22: "吉林省", 23: "黑龙江省",
    31: "上海市", 32: "江苏省", 33: "浙江省", 34: "安徽省", 35: "福建省", 36: "江西省", 37: "山东省",
    41: "河南省", 42: "湖北省", 43: "湖南省", 44: "广东省", 45: "广西壮族自治区", 46: "海南省",
    50: "重庆市", 51: "四川省", 52: "贵州省", 53: "云南省", 54: "西藏自治区",
    61: "陕西省", 62: "甘肃省", 63: "青海省", 64: "宁夏回族自治区", 65: "新疆维吾尔自治区",
    71: "台湾省", 81: "香港特别行政区", 82: "澳门特别行政区",
}  # fmt: skip
NATIONAL_DIVISION = "100000"  # GB/T 2260 code of the nation: central authorities register under it

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, S, V, Z
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECKS = "10X98765432"
MOD_37_36_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ECERT_PREFIX = "1.2.156.3005.2"


class IdentifierError(LedgerError, ValueError):
    """An identifier failed validation: ``field`` names the identifier, ``position`` (1-based) the faulty character."""

    def __init__(self, field: str, message: str, *, position: int | None = None) -> None:
        self.field = field
        self.position = position
        super().__init__(f"{field}: {message}")


class WrongLength(IdentifierError):
    """The identifier has the wrong number of characters."""


class InvalidCharacter(IdentifierError):
    """A character is not allowed at its position."""


class ChecksumMismatch(IdentifierError):
    """The check character does not match the others: usually a typing error in one of them."""

    def __init__(self, field: str, *, position: int, expected: str, found: str) -> None:
        self.expected = expected
        self.found = found
        super().__init__(
            field,
            f"第{position}位校验码应为 {expected}，实为 {found}，请核对各位字符 "
            f"(check character at position {position} should be {expected!r}, found {found!r})",
            position=position,
        )


class UnknownProvince(IdentifierError):
    """The division code does not start with a GB/T 2260 province code."""


class InvalidBirthDate(IdentifierError):
    """Positions 7-14 of an identity number are not a real date of birth."""


class MalformedECertificateId(IdentifierError):
    """The e-certificate identifier does not have the GB/T 36904 shape."""


def normalise(text: str) -> str:
    """Full-width to half-width, blanks removed, upper case: how a clerk meant to type it."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


# ---- certificate numbers (the contract's isCertificateNumber) ----

CERTIFICATE_NUMBER = "证书编号"
MAX_NUMBER_BYTES = 64  # the contract's MAX_NUMBER_BYTES
_NUMBER_CHARACTER = re.compile(r"[0-9A-Z\-\u4e00-\u9fff]")


@lru_cache(maxsize=65_536)
def normalise_number(text: str) -> str:
    """The number a printed certificate shows: NFKC (full-width digits and letters to half-width), blanks and
    invisible format characters (zero-width spaces, joiners) dropped, upper case. Lookups fold what people paste
    from a PDF or a spreadsheet this way; no two numbers the contract accepts fold to the same one. Remembered, as
    ``verdicts.id_of`` is: clients ask for the same numbers again and again, and a batch folds a thousand."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if not c.isspace() and unicodedata.category(c) != "Cf").upper()


def validate_number(text: str) -> str:
    """The normalised number, once it has the documented format the contract enforces (docs/domain.md#identifiers):
    1 to 64 UTF-8 bytes of upper-case ASCII letters, digits, hyphens and CJK unified ideographs (U+4E00-U+9FFF)."""
    number = normalise_number(text)
    if not number or len(number.encode()) > MAX_NUMBER_BYTES:
        raise WrongLength(
            CERTIFICATE_NUMBER, f"应为 1 至 {MAX_NUMBER_BYTES} 字节 (must be 1 to {MAX_NUMBER_BYTES} UTF-8 bytes)"
        )
    for position, char in enumerate(number, 1):
        if not _NUMBER_CHARACTER.fullmatch(char):
            raise InvalidCharacter(
                CERTIFICATE_NUMBER,
                f"第{position}位字符 {char!r} 不允许，仅限数字、大写字母、连字符和汉字 (character {char!r} at "
                f"position {position} is not a digit, an upper-case letter, a hyphen or a CJK ideograph)",
                position=position,
            )
    return number


def province_name(code: int) -> str:
    if code not in PROVINCES:
        raise UnknownProvince("省级行政区划代码", f"{code!r} 不是 GB/T 2260 省级代码 (not a GB/T 2260 province code)")
    return PROVINCES[code]


# ---- unified social credit code (GB 32100) ----

CREDIT_CODE = "统一社会信用代码"


@dataclass(frozen=True)
class CreditCode:
    """A validated credit code. ``province`` is None for national registrations; ``needs_review`` marks a legacy
    code whose check character fails, accepted only because the caller asked for it."""

    value: str
    province: int | None
    needs_review: bool = False


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(text: str, *, allow_legacy: bool = False) -> CreditCode:
    """The credit code, normalised and checked. With ``allow_legacy`` a wrong check character (early pilot codes)
    is accepted and flagged for review; every other fault is refused."""
    code = normalise(text)
    _require_length(CREDIT_CODE, code, 18)
    for position, char in enumerate(code, 1):
        if char not in CREDIT_CODE_ALPHABET:
            hint = "（字母 I、O、S、V、Z 不用于信用代码）" if char.isalpha() else ""
            raise InvalidCharacter(
                CREDIT_CODE,
                f"第{position}位字符 {char!r} 不允许{hint} (character {char!r} at position {position} is not one of "
                f"{CREDIT_CODE_ALPHABET})",
                position=position,
            )
    division = code[2:8]
    province = None if division == NATIONAL_DIVISION else _division_province(CREDIT_CODE, division, position=3)
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        if not allow_legacy:
            raise ChecksumMismatch(CREDIT_CODE, position=18, expected=expected, found=code[17])
        return CreditCode(code, province, needs_review=True)
    return CreditCode(code, province)


# ---- citizen identity number (GB 11643) ----

ID_NUMBER = "公民身份号码"


def id_number_check_character(first17: str) -> str:
    return ID_NUMBER_CHECKS[sum(int(c) * w for c, w in zip(first17, ID_NUMBER_WEIGHTS, strict=True)) % 11]


def validate_id_number(text: str, *, today: dt.date | None = None) -> str:
    """The identity number, normalised and checked (province, date of birth, check character).

    Errors never repeat the number itself: it is personal data and messages end up in logs."""
    number = normalise(text)
    _require_length(ID_NUMBER, number, 18)
    for position, char in enumerate(number, 1):
        if not (char.isdigit() or (position == 18 and char == "X")):
            allowed = "数字或 X" if position == 18 else "数字"
            raise InvalidCharacter(
                ID_NUMBER,
                f"第{position}位应为{allowed} (position {position} must be a digit{' or X' if position == 18 else ''})",
                position=position,
            )
    _division_province(ID_NUMBER, number[:6], position=1)
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        born = None
    if born is None or born > (today or dt.date.today()) or born.year < 1900:
        raise InvalidBirthDate(
            ID_NUMBER, "第7-14位不是有效的出生日期 (positions 7-14 are not a valid date of birth)", position=7
        )
    expected = id_number_check_character(number[:17])
    if number[17] != expected:
        # The found character is one digit of personal data at most; it tells the clerk what to compare.
        raise ChecksumMismatch(ID_NUMBER, position=18, expected=expected, found=number[17])
    return number


# ---- GB/T 36904 e-certificate identifier ----

ECERT_ID = "电子证照标识"


def mod37_36_check_character(payload: str) -> str:
    """ISO 7064 MOD 37,36 (hybrid system) check character over 0-9 and A-Z."""
    modulus = 36
    product = modulus
    for char in payload:
        total = (product + MOD_37_36_ALPHABET.index(char)) % modulus or modulus
        product = (total * 2) % (modulus + 1)
    return MOD_37_36_ALPHABET[(modulus + 1 - product) % modulus]


def make_ecertificate_id(type_code: str, issuer_credit_code: str, serial: str, version: int = 1) -> str:
    """A GB/T 36904 identifier; the issuer's credit code is validated, the check character computed."""
    issuer = validate_credit_code(issuer_credit_code).value
    parts = [normalise(type_code), issuer, normalise(serial), f"{version:03d}"]
    _require_alphanumeric("证照类型代码", parts[0])
    _require_alphanumeric("证照编号", parts[2])
    if not 1 <= version <= 999:
        raise MalformedECertificateId(ECERT_ID, f"版本号 {version} 应为 001-999 (version must be 1-999)")
    return ".".join([ECERT_PREFIX, *parts, mod37_36_check_character("".join(parts))])


def validate_ecertificate_id(text: str, *, type_code: str | None = None) -> str:
    """The identifier, normalised and checked: shape, issuer credit code, version, check character, and the
    certificate type code when the caller knows which one to expect."""
    value = normalise(text)
    if not value.startswith(ECERT_PREFIX + "."):
        raise MalformedECertificateId(ECERT_ID, f"应以 {ECERT_PREFIX}. 开头 (must start with {ECERT_PREFIX}.)")
    parts = value[len(ECERT_PREFIX) + 1 :].split(".")
    if len(parts) != 5:
        raise MalformedECertificateId(
            ECERT_ID,
            f"{ECERT_PREFIX} 之后应有 5 段（类型.签发机构.编号.版本.校验位），实有 {len(parts)} 段 "
            f"(expected type.issuer.serial.version.check after the prefix, found {len(parts)} parts)",
        )
    kind, issuer, serial, version, check = parts
    if type_code is not None and kind != normalise(type_code):
        raise MalformedECertificateId(
            ECERT_ID, f"证照类型代码应为 {normalise(type_code)}，实为 {kind} (type code should be {type_code!r})"
        )
    validate_credit_code(issuer)
    if len(version) != 3 or not version.isdigit():
        raise MalformedECertificateId(ECERT_ID, f"版本号 {version!r} 应为 3 位数字 (version must be 3 digits)")
    _require_alphanumeric("证照类型代码", kind)
    _require_alphanumeric("证照编号", serial)
    expected = mod37_36_check_character(kind + issuer + serial + version)
    if check != expected:
        raise ChecksumMismatch(ECERT_ID, position=len(value), expected=expected, found=check)
    return value


# ---- shared ----


def _require_length(field: str, value: str, length: int) -> None:
    if len(value) != length:
        raise WrongLength(
            field, f"应为 {length} 位，实为 {len(value)} 位 (must be {length} characters, got {len(value)})"
        )


def _require_alphanumeric(name: str, part: str) -> None:
    if not part or any(c not in MOD_37_36_ALPHABET for c in part):
        raise MalformedECertificateId(ECERT_ID, f"{name} {part!r} 只能由数字和大写字母组成 (digits and A-Z only)")


def _division_province(field: str, division: str, *, position: int) -> int:
    code = int(division[:2]) if division[:2].isdigit() else -1
    if code not in PROVINCES:
        raise UnknownProvince(
            field,
            f"第{position}-{position + 1}位 {division[:2]!r} 不是省级行政区划代码 "
            f"(positions {position}-{position + 1} are not a GB/T 2260 province code)",
            position=position,
        )
    return code
