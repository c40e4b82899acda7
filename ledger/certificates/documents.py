"""Certificate documents: their schemas, canonical form (RFC 8785), the keccak256 hash that goes on chain, and
selective disclosure of personal fields.

A document has public fields (in clear, everywhere) and personal fields. Each personal field is committed as
``keccak256(JCS({"field", "salt", "value"}))`` with a random 32-byte salt, and the document hash covers the
commitments, not the values (as OpenAttestation does). So a document can be shown with a personal field hidden
(only its commitment) or revealed (value and salt) and hash the same either way. Clear values and salts live in
the vault (``ledger.certificates.vault``), never on chain.

The on-chain ``publicData`` is the public fields the contract does not already hold as typed fields (number,
grade, validity), so an indexer can rebuild every public field from the chain alone.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import rfc8785
from eth_utils import keccak

from ledger.certificates.identifiers import (
    validate_credit_code,
    validate_ecertificate_id,
    validate_id_number,
    validate_number,
)
from ledger.certificates.vocabulary import Grade, Kind
from ledger.errors import DocumentError

BEIJING = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
FIRM_SCHEMA = "pql/firm-qualification/1"
PLANNER_SCHEMA = "pql/registered-planner/1"
ON_CHAIN_FIELDS = frozenset({"number", "grade", "validFrom", "validUntil"})


@dataclass(frozen=True)
class Schema:
    name: str
    public: tuple[str, ...]
    personal: tuple[str, ...]
    optional: frozenset[str] = frozenset()


SCHEMAS = {
    FIRM_SCHEMA: Schema(
        FIRM_SCHEMA,
        public=(
            "number", "name", "creditCode", "address", "grade", "scope",
            "issuingAuthority", "decisionNumber", "validFrom", "validUntil", "eCertificateId",
        ),
        personal=("legalRepresentative", "technicalLead"),
        optional=frozenset({"eCertificateId", "decisionNumber"}),
    ),
    PLANNER_SCHEMA: Schema(
        PLANNER_SCHEMA,
        public=("number", "name", "employerCreditCode", "specialty", "validFrom", "validUntil"),
        personal=("identityNumber",),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Revealed:
    value: str
    salt: str  # 0x-prefixed hex of 32 random bytes


@dataclass(frozen=True)
class Hidden:
    commitment: str  # 0x-prefixed keccak256


Disclosure = Revealed | Hidden


def new_salt() -> str:
    return "0x" + secrets.token_bytes(32).hex()


def commitment(name: str, value: str, salt: str) -> str:
    """The salted commitment of one personal field."""
    return "0x" + keccak(rfc8785.dumps({"field": name, "salt": salt, "value": value})).hex()


@dataclass(frozen=True)
class Document:
    """A certificate document; ``personal`` maps each personal field to its revealed value or its commitment."""

    schema: str
    public: Mapping[str, Any]
    personal: Mapping[str, Disclosure] = field(default_factory=dict)

    def commitments(self) -> dict[str, str]:
        return {
            name: d.commitment if isinstance(d, Hidden) else commitment(name, d.value, d.salt)
            for name, d in self.personal.items()
        }

    def canonical(self) -> bytes:
        """RFC 8785 bytes of what the hash covers: the schema, the public fields and the personal commitments."""
        return rfc8785.dumps({"schema": self.schema, "public": dict(self.public), "commitments": self.commitments()})

    def hash(self) -> bytes:
        return keccak(self.canonical())

    def public_data(self) -> bytes:
        """The on-chain ``publicData``: canonical JSON of the public fields not typed on chain."""
        return rfc8785.dumps({k: v for k, v in self.public.items() if k not in ON_CHAIN_FIELDS})

    def hiding(self, *names: str) -> Document:
        """The same document with the named personal fields (all if none named) shown as commitments only."""
        hide = set(names or self.personal)
        personal = {n: Hidden(c) if n in hide else self.personal[n] for n, c in self.commitments().items()}
        return Document(self.schema, self.public, personal)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "public": dict(self.public),
            "personal": {
                n: {"commitment": d.commitment} if isinstance(d, Hidden) else {"value": d.value, "salt": d.salt}
                for n, d in self.personal.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Document:
        """Parse and validate a document as shown to a verifier (personal fields revealed or hidden)."""
        if not isinstance(data, Mapping):
            raise DocumentError("document", "must be a JSON object")
        schema = SCHEMAS.get(data.get("schema", ""))  # no schema is named "": an absent one is unknown
        if schema is None:
            raise DocumentError("schema", f"unknown schema {data.get('schema')!r}; known: {', '.join(SCHEMAS)}")
        public = data.get("public")
        personal = data.get("personal", {})
        if not isinstance(public, Mapping) or not isinstance(personal, Mapping):
            raise DocumentError("document", "'public' and 'personal' must be objects")
        # A legacy credit code was accepted at issue under review; what the chain holds is the authority here.
        return cls(schema.name, _checked_public(schema, public, allow_legacy=True), _checked_personal(schema, personal))


# ---- building documents ----


def firm_document(
    fields: Mapping[str, Any], salts: Mapping[str, str] | None = None, *, allow_legacy: bool = False
) -> Document:
    """A firm qualification certificate from its fields (validated); personal fields get fresh salts unless the
    vault already holds theirs (so a resubmission hashes the same). ``allow_legacy`` admits a legacy credit code
    whose check character fails (flagged for review by the caller)."""
    return _build(SCHEMAS[FIRM_SCHEMA], fields, salts or {}, allow_legacy)


def planner_document(fields: Mapping[str, Any], identity_salt: str) -> Document:
    """A registered-planner certificate. The identity number's salt belongs to the person, not the document:
    its commitment is the planner's subject on chain, the same on every certificate the person ever holds."""
    return _build(SCHEMAS[PLANNER_SCHEMA], fields, {"identityNumber": identity_salt}, allow_legacy=False)


def planner_subject(identity_number: str, identity_salt: str) -> bytes:
    """The on-chain subject of a planner: the commitment of the identity number."""
    return bytes.fromhex(commitment("identityNumber", validate_id_number(identity_number), identity_salt)[2:])


def firm_subject(credit_code: str) -> bytes:
    """The on-chain subject of a firm: keccak256 of its (public) credit code."""
    return keccak(text=credit_code)


def _build(schema: Schema, fields: Mapping[str, Any], salts: Mapping[str, str], allow_legacy: bool) -> Document:
    given = {k: fields[k] for k in schema.public if fields.get(k) not in (None, "")}
    public = _checked_public(schema, given, allow_legacy=allow_legacy)
    personal: dict[str, Disclosure] = {}
    for name in schema.personal:
        value = fields.get(name)
        if not isinstance(value, str) or not value.strip():
            raise DocumentError(name, "is required")
        if name == "identityNumber":
            value = validate_id_number(value)
        personal[name] = Revealed(value.strip(), salts.get(name) or new_salt())
    return Document(schema.name, public, personal)


# ---- validation ----


def _checked_public(schema: Schema, public: Mapping[str, Any], *, allow_legacy: bool) -> dict[str, Any]:
    unknown = set(public) - set(schema.public)
    if unknown:
        raise DocumentError(min(unknown), f"is not a field of {schema.name}")
    checked: dict[str, Any] = {}
    for name in schema.public:
        value = public.get(name)
        if value is None:
            if name not in schema.optional:
                raise DocumentError(name, "is required")
            continue
        if not isinstance(value, str) or not value.strip():
            raise DocumentError(name, "must be a non-empty string")
        try:
            if name in ("creditCode", "employerCreditCode"):
                checked[name] = validate_credit_code(value, allow_legacy=allow_legacy).value
            else:
                checked[name] = _FIELD_CHECKS.get(name, str.strip)(value)
        except ValueError as exc:
            raise DocumentError(name, str(exc)) from exc
    if checked["validUntil"] <= checked["validFrom"]:
        raise DocumentError("validUntil", "must be after validFrom")
    return checked


def _checked_personal(schema: Schema, personal: Mapping[str, Any]) -> dict[str, Disclosure]:
    result: dict[str, Disclosure] = {}
    for name in schema.personal:
        shown = personal.get(name)
        if isinstance(shown, Mapping) and set(shown) == {"commitment"} and _is_hash(shown["commitment"]):
            result[name] = Hidden(shown["commitment"].lower())
        elif isinstance(shown, Mapping) and set(shown) == {"value", "salt"} and _is_hash(shown["salt"]):
            if not isinstance(shown["value"], str):
                raise DocumentError(name, "value must be a string")
            result[name] = Revealed(shown["value"], shown["salt"].lower())
        else:
            raise DocumentError(name, "must be {value, salt} or {commitment} (0x + 64 hex digits)")
    unknown = set(personal) - set(schema.personal)
    if unknown:
        raise DocumentError(min(unknown), f"is not a personal field of {schema.name}")
    return result


def _is_hash(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 66 and value[:2] == "0x" and _is_hex(value[2:])


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


def _date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _grade(value: str) -> str:
    grade = {"甲级": "A", "乙级": "B"}.get(value.strip(), value.strip().upper())
    if grade not in ("A", "B"):
        raise ValueError(f"{value!r} is not a grade (A/甲级 or B/乙级)")
    return grade


_FIELD_CHECKS: dict[str, Callable[[str], str]] = {
    "number": validate_number,
    "eCertificateId": validate_ecertificate_id,
    "grade": _grade,
    "validFrom": _date,
    "validUntil": _date,
}


# ---- the chain's view of a document ----


def chain_time(day: str, *, exclusive_end: bool = False) -> int:
    """Unix seconds of a certificate date at 00:00 Beijing time; an end date counts to the end of that day."""
    start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), BEIJING)
    return int((start + dt.timedelta(days=1 if exclusive_end else 0)).timestamp())


def last_day(valid_until: int) -> dt.date:
    """The last day a window ending (exclusively) at ``valid_until`` includes, as a Beijing date: the inverse of
    ``chain_time(day, exclusive_end=True)``, so the printed 有效期止 comes back, never the day after it."""
    return dt.datetime.fromtimestamp(valid_until - 1, BEIJING).date()


def chain_grade(document: Document) -> Grade:
    return Grade[document.public["grade"]] if "grade" in document.public else Grade.NONE


def validity(document: Document) -> tuple[int, int]:
    """The on-chain validity window [validFrom, validUntil) of a document's dates."""
    return chain_time(document.public["validFrom"]), chain_time(document.public["validUntil"], exclusive_end=True)


ZERO_ADDRESS = "0x" + "00" * 20
NO_EMPLOYER = b"\0" * 32


def issue_request(
    document: Document,
    *,
    subject: bytes,
    province: int,
    holder: str = ZERO_ADDRESS,
    employer: bytes = NO_EMPLOYER,
) -> dict[str, Any]:
    """The contract's IssueRequest for a document."""
    valid_from, valid_until = validity(document)
    return {
        "number": document.public["number"],
        "kind": int(Kind.FIRM if document.schema == FIRM_SCHEMA else Kind.PLANNER),
        "grade": int(chain_grade(document)),
        "province": province,
        "subject": subject,
        "holder": holder,
        "employer": employer,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "documentHash": document.hash(),
        "publicData": document.public_data(),
    }


def successor_request(document: Document, *, holder: str = ZERO_ADDRESS) -> dict[str, Any]:
    """The contract's SuccessorRequest (renewal or upgrade) for the new certificate's document."""
    request = issue_request(document, subject=b"", province=0, holder=holder)
    return {k: request[k] for k in ("number", "holder", "validFrom", "validUntil", "documentHash", "publicData")}
