"""Realistic sample certificates (a Zhejiang grade B institute, its registered planner) for demos, tests and
benchmarks. Public payloads in Chinese, full validity windows, valid identifiers (docs/domain.md#identifiers).

``publicData`` holds only the document's public fields that are not on chain otherwise: the number, grade,
province, validity and issuer are typed fields of the act already, and personal fields are only committed to
in the document hash. Every byte of it costs 24 gas (16 in calldata, 8 in the event)."""

from __future__ import annotations

import json
import time
from typing import Any

from eth_utils import keccak, to_checksum_address

from ledger.certificates.documents import firm_subject
from ledger.certificates.vocabulary import Grade, Kind

FIVE_YEARS = 5 * 365 * 24 * 3600
THREE_YEARS = 3 * 365 * 24 * 3600
SAMPLE_CREDIT_CODE = "91330000755918469E"


def firm_request(
    number: str,
    grade: Grade = Grade.B,
    province: int = 33,
    now: int | None = None,
    credit_code: str = SAMPLE_CREDIT_CODE,
) -> dict[str, Any]:
    """An IssueRequest for a firm qualification certificate, as the contract's struct."""
    now = int(time.time()) if now is None else now
    public = {
        "name": "浙江省城乡规划设计研究院有限公司",
        "creditCode": credit_code,
        "address": "浙江省杭州市西湖区保俶北路66号",
        "scope": "城乡规划编制（国土空间规划编制）",
    }
    return _request(
        number,
        Kind.FIRM,
        grade,
        province,
        firm_subject(credit_code),
        b"\0" * 32,
        now,
        FIVE_YEARS,
        public,
    )


def planner_request(number: str, planner_subject: bytes, employer: bytes, now: int | None = None) -> dict[str, Any]:
    """An IssueRequest for a registered-planner certificate; the planner appears only as a salted hash."""
    now = int(time.time()) if now is None else now
    public = {"specialty": "城乡规划", "employerCreditCode": SAMPLE_CREDIT_CODE}
    return _request(number, Kind.PLANNER, Grade.NONE, 33, planner_subject, employer, now, THREE_YEARS, public)


def successor_request(number: str, grade: Grade, now: int | None = None) -> dict[str, Any]:
    """A SuccessorRequest (renewal or upgrade) with a fresh five-year window."""
    request = firm_request(number, grade, now=now)
    return {k: request[k] for k in ("number", "holder", "validFrom", "validUntil", "documentHash", "publicData")}


def _request(
    number: str,
    kind: Kind,
    grade: Grade,
    province: int,
    subject: bytes,
    employer: bytes,
    now: int,
    validity: int,
    public: dict[str, Any],
) -> dict[str, Any]:
    public_data = json.dumps(public, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return {
        "number": number,
        "kind": int(kind),
        "grade": int(grade),
        "province": province,
        "subject": subject,
        "holder": to_checksum_address(keccak(text=f"holder:{number}")[:20]),
        "employer": employer,
        "validFrom": now,
        "validUntil": now + validity,
        "documentHash": keccak(public_data),
        "publicData": public_data,
    }
