"""Certificate documents: canonical hashing, selective disclosure, validation of what a verifier is shown."""

from __future__ import annotations

import pytest

from ledger.certificates.documents import Document, firm_document, new_salt, planner_document, planner_subject, validity
from ledger.certificates.identifiers import ChecksumMismatch
from ledger.errors import DocumentError

FIRM = {
    "number": "自然资规甲字22330001",
    "name": "浙江省城乡规划设计研究院",
    "creditCode": "91330000755918469E",
    "address": "浙江省杭州市西湖区保俶北路66号",
    "grade": "甲级",
    "scope": "城乡规划编制（国土空间规划编制）",
    "issuingAuthority": "自然资源部",
    "decisionNumber": "自然资规〔2024〕12号",
    "validFrom": "2024-01-24",
    "validUntil": "2029-01-23",
    "legalRepresentative": "王建国",
    "technicalLead": "李规划",
}


def test_hiding_personal_fields_keeps_the_hash() -> None:
    document = firm_document(FIRM)
    shown = Document.from_json(document.hiding("legalRepresentative").to_json())
    assert "王建国" not in str(shown.to_json()) and "李规划" in str(shown.to_json())
    assert shown.hash() == document.hash()
    assert Document.from_json(document.hiding().to_json()).hash() == document.hash()


def test_one_changed_field_changes_the_hash() -> None:
    document = firm_document(FIRM)
    salts = {n: d.salt for n, d in document.personal.items()}
    assert firm_document(FIRM, salts).hash() == document.hash()  # same salts: a resubmission hashes the same
    assert firm_document({**FIRM, "address": "浙江省杭州市"}, salts).hash() != document.hash()
    assert firm_document({**FIRM, "technicalLead": "李规画"}, salts).hash() != document.hash()
    assert firm_document(FIRM).hash() != document.hash()  # fresh salts: a guessed name cannot be confirmed


def test_a_revealed_value_that_was_altered_does_not_verify() -> None:
    shown = firm_document(FIRM).to_json()
    shown["personal"]["legalRepresentative"]["value"] = "赵六"
    assert Document.from_json(shown).hash() != firm_document(FIRM).hash()


def test_public_data_carries_public_fields_not_on_chain_and_no_personal_data() -> None:
    public = firm_document(FIRM).public_data().decode()
    assert "91330000755918469E" in public and "自然资源部" in public
    assert "王建国" not in public and "2029" not in public and "甲字" not in public


def test_dates_become_a_beijing_validity_window() -> None:
    start, end = validity(firm_document(FIRM))
    assert start == 1706025600  # 2024-01-24 00:00 +08:00
    assert end == 1863878400  # 2029-01-24 00:00 +08:00: the last day counts in full


def test_planner_subject_is_the_identity_commitment_of_the_document() -> None:
    salt = new_salt()
    fields = {
        "number": "注册城乡规划师0001",
        "name": "陈晓",
        "employerCreditCode": "91330000755918469E",
        "specialty": "城乡规划",
        "validFrom": "2025-01-01",
        "validUntil": "2027-12-31",
        "identityNumber": "34052419800101001X",
    }
    document = planner_document(fields, salt)
    assert "0x" + planner_subject("34052419800101001X", salt).hex() == document.commitments()["identityNumber"]
    with pytest.raises(ChecksumMismatch):
        planner_document({**fields, "identityNumber": "340524198001010011"}, salt)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"creditCode": "91330000755918469F"}, "creditCode"),
        ({"grade": "丙级"}, "grade"),
        ({"validUntil": "2023-01-01"}, "validUntil"),
        ({"validFrom": "24/01/2024"}, "validFrom"),
        ({"name": ""}, "name"),
        ({"legalRepresentative": None}, "legalRepresentative"),
    ],
)
def test_bad_fields_are_named(change: dict, field: str) -> None:
    with pytest.raises(DocumentError) as refused:
        firm_document({**FIRM, **change})
    assert refused.value.field == field


@pytest.mark.parametrize(
    "shown",
    [
        {"schema": "other/1", "public": {}},
        {"schema": "pql/firm-qualification/1", "public": "x"},
        {"schema": "pql/firm-qualification/1", "public": {**FIRM, "extra": "x"}},
        [],
    ],
)
def test_malformed_shown_documents_are_refused(shown: object) -> None:
    with pytest.raises(DocumentError):
        Document.from_json(shown)  # type: ignore[arg-type]


def test_malformed_disclosure_is_refused() -> None:
    shown = firm_document(FIRM).to_json()
    shown["personal"]["technicalLead"] = {"commitment": "0x1234"}
    with pytest.raises(DocumentError, match="technicalLead"):
        Document.from_json(shown)
