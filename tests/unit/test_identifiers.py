"""Identifier validators against real examples (docs/domain.md#identifiers), and properties: any corrupted
character is caught."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.certificates.identifiers import (
    CREDIT_CODE_ALPHABET,
    ChecksumMismatch,
    InvalidBirthDate,
    InvalidCharacter,
    MalformedECertificateId,
    UnknownProvince,
    WrongLength,
    credit_code_check_character,
    id_number_check_character,
    make_ecertificate_id,
    normalise_number,
    province_name,
    validate_credit_code,
    validate_ecertificate_id,
    validate_id_number,
    validate_number,
)

REAL_CREDIT_CODES = ["91330000755918469E", "11100000000013338W"]
LEGACY_CREDIT_CODE = "91350100M0001TGQXM"
REAL_ID_NUMBER = "34052419800101001X"


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes_pass(code: str) -> None:
    assert validate_credit_code(code).value == code


def test_credit_code_province_comes_from_the_division_code() -> None:
    assert validate_credit_code("91330000755918469E").province == 33
    assert validate_credit_code("11100000000013338W").province is None  # 100000: a national registration


def test_full_width_and_lower_case_input_is_normalised() -> None:
    assert validate_credit_code(" ９１３３００００７５５９１８４６９ｅ ").value == "91330000755918469E"


def test_legacy_code_is_refused_unless_flagged_for_review() -> None:
    with pytest.raises(ChecksumMismatch) as refused:
        validate_credit_code(LEGACY_CREDIT_CODE)
    assert refused.value.position == 18
    assert refused.value.expected == "1" and refused.value.found == "M"
    accepted = validate_credit_code(LEGACY_CREDIT_CODE, allow_legacy=True)
    assert accepted.needs_review and accepted.province == 35


def test_each_credit_code_fault_has_its_own_error() -> None:
    with pytest.raises(WrongLength, match="18"):
        validate_credit_code("9133000075591846")
    with pytest.raises(InvalidCharacter) as bad_letter:
        validate_credit_code("9133000075591846OE")
    assert bad_letter.value.position == 17 and "I、O、S、V、Z" in str(bad_letter.value)
    with pytest.raises(UnknownProvince) as bad_province:
        validate_credit_code("91990000755918469E")
    assert bad_province.value.position == 3


def test_real_id_number_passes_and_errors_never_echo_it() -> None:
    assert validate_id_number(REAL_ID_NUMBER) == REAL_ID_NUMBER
    with pytest.raises(ChecksumMismatch) as refused:
        validate_id_number(REAL_ID_NUMBER[:17] + "1")
    assert REAL_ID_NUMBER[:17] not in str(refused.value)


def test_id_number_faults() -> None:
    with pytest.raises(InvalidBirthDate):
        validate_id_number("340524198002300011")  # 30 February
    with pytest.raises(InvalidBirthDate):
        validate_id_number("34052420990101001X", today=dt.date(2026, 11, 21))  # born in the future
    with pytest.raises(UnknownProvince):
        validate_id_number("990524198001010014")
    with pytest.raises(InvalidCharacter) as letter:
        validate_id_number("3405241980010100XX")
    assert letter.value.position == 17


def test_provinces() -> None:
    assert province_name(33) == "浙江省" and province_name(82) == "澳门特别行政区"
    with pytest.raises(UnknownProvince):
        province_name(16)


def test_ecertificate_id_round_trip_and_faults() -> None:
    ident = make_ecertificate_id("DEMO001", "11100000000013338W", "2024000123", version=1)
    assert ident.startswith("1.2.156.3005.2.DEMO001.11100000000013338W.2024000123.001.")
    assert validate_ecertificate_id(ident, type_code="DEMO001") == ident
    with pytest.raises(MalformedECertificateId, match="type code"):
        validate_ecertificate_id(ident, type_code="OTHER01")
    with pytest.raises(MalformedECertificateId, match="5"):
        validate_ecertificate_id(ident.rsplit(".", 1)[0])
    wrong_check = ident[:-1] + ("0" if ident[-1] != "0" else "1")
    with pytest.raises(ChecksumMismatch):
        validate_ecertificate_id(wrong_check)


credit_bodies = st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=15, max_size=15).map(lambda body: "9133" + body[2:])


@given(credit_bodies.map(lambda first: first + credit_code_check_character(first)), st.data())
def test_any_single_corrupted_credit_code_character_is_caught(code: str, data: st.DataObject) -> None:
    assert validate_credit_code(code).value == code
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from(CREDIT_CODE_ALPHABET).filter(lambda c: c != code[position]))
    corrupted = code[:position] + replacement + code[position + 1 :]
    with pytest.raises((ChecksumMismatch, UnknownProvince)):
        validate_credit_code(corrupted)


birth_dates = st.dates(dt.date(1940, 1, 1), dt.date(2005, 12, 31))


@given(birth_dates, st.integers(0, 999), st.data())
def test_any_single_corrupted_id_digit_is_caught(born: dt.date, sequence: int, data: st.DataObject) -> None:
    first = f"330106{born:%Y%m%d}{sequence:03d}"
    number = first + id_number_check_character(first)
    assert validate_id_number(number) == number
    position = data.draw(st.integers(0, 17))
    alphabet = "0123456789X" if position == 17 else "0123456789"
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != number[position]))
    corrupted = number[:position] + replacement + number[position + 1 :]
    with pytest.raises((ChecksumMismatch, UnknownProvince, InvalidBirthDate)):
        validate_id_number(corrupted)


@given(st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12), st.data())
def test_any_single_corrupted_ecertificate_serial_character_is_caught(serial: str, data: st.DataObject) -> None:
    ident = make_ecertificate_id("DEMO001", REAL_CREDIT_CODES[0], serial)
    start = ident.index(serial, len("1.2.156.3005.2.DEMO001.") + 19)
    position = start + data.draw(st.integers(0, len(serial) - 1))
    replacement = data.draw(
        st.sampled_from("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ").filter(lambda c: c != ident[position])
    )
    with pytest.raises(ChecksumMismatch):
        validate_ecertificate_id(ident[:position] + replacement + ident[position + 1 :])


def test_a_number_is_folded_as_printed_and_checked_against_the_contracts_format() -> None:
    assert validate_number("浙规乙字３３０００１") == "浙规乙字330001"
    assert validate_number(" 浙规乙字330001\u200b ") == "浙规乙字330001"
    assert validate_number("b-1") == "B-1"
    assert normalise_number("浙规乙字 330 001") == "浙规乙字330001"
    for bad, fault in (
        ("", WrongLength),
        ("规" * 22, WrongLength),
        ("B_1", InvalidCharacter),
        ("\u0412-1", InvalidCharacter),
    ):
        with pytest.raises(fault):
            validate_number(bad)
    with pytest.raises(InvalidCharacter) as caught:
        validate_number("浙规乙字〔2026〕1")
    assert caught.value.position == 5
