"""The API's request and response shapes (pydantic): what the OpenAPI document publishes and what is validated.

Field names are the wire names (camelCase, as the contract's and the certificate documents' own fields are).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

Hex32 = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-f]{64}$")]
Address = Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{40}$")]
# No number holds a control character; PostgreSQL's text cannot hold NUL at all, so a lookup of one was a 500 there.
CertificateNumber = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]


_DATE_TIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]")


def _text_only(value: Any) -> Any:
    """The schema says an RFC 3339 date-time: a number, in JSON or as query text ("0.35"), which pydantic would read
    as unix seconds, is refused."""
    if isinstance(value, dt.datetime) or value is None:
        return value
    if not isinstance(value, str) or not _DATE_TIME_TEXT.match(value):
        raise ValueError("must be an ISO 8601 date-time string with a zone, e.g. 2026-06-30T17:00:00+08:00")
    return value


def _representable(value: dt.datetime) -> dt.datetime:
    """An instant whose UTC form exists (9999-12-31T23:59:59-12:00 is year 10000 in UTC): else refused, not a 500."""
    try:
        value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("must lie within the years 1 to 9999 in UTC") from None
    return value


Instant = Annotated[AwareDatetime, BeforeValidator(_text_only), AfterValidator(_representable)]
StatusName = Literal["ACTIVE", "SUSPENDED", "REVOKED", "SUPERSEDED", "EXPIRED"]
KindName = Literal["FIRM", "PLANNER"]
GradeName = Literal["A", "B"]
MAX_BATCH = 1_000


class Strict(BaseModel):
    """Request bodies: unknown fields are a mistake the caller should hear about."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- certificates


VALID_UNTIL = Field(
    description="the exclusive end of the validity window: the first instant the certificate no longer holds "
    "(a certificate dated to 2030-12-31 ends at 2031-01-01T00:00:00+08:00, sent as 2030-12-31T16:00:00Z)"
)
VALID_UNTIL_DATE = Field(
    description="the last day the window includes, as a Beijing date (Asia/Shanghai, YYYY-MM-DD): the "
    "certificate's printed 有效期止, the day before `validUntil`'s Beijing date when that is Beijing midnight"
)


class Validity(BaseModel):
    validFrom: dt.datetime = Field(description="the first instant of the validity window (inclusive)")
    validUntil: dt.datetime = VALID_UNTIL
    validUntilDate: dt.date = VALID_UNTIL_DATE
    heldSince: dt.datetime = Field(description="since when the holder has held this grade without interruption")


class Holder(BaseModel):
    name: str
    creditCode: str | None = Field(description="the firm's own, or a planner's employer's, as published")
    address: Address = Field(description="the holder's Ethereum address (proves control by signing)")
    publicFields: dict[str, Any] | None = Field(description="the certificate document's public fields, as on chain")


class Link(BaseModel):
    """Another certificate this one points to (the renewed or upgraded one, or its replacement)."""

    id: Hex32
    number: str | None = Field(description="null when the read model does not know the certificate")


class Employer(BaseModel):
    subject: Hex32
    creditCode: str | None
    name: str | None


class Act(BaseModel):
    act: Literal[
        "ISSUE", "RENEW", "UPGRADE", "SUPERSEDED", "AMEND", "BIND", "TRANSFER", "MOVE", "SUSPEND", "REINSTATE",
        "REVOKE",
    ]  # fmt: skip
    label: str = Field(description="the act in Chinese")
    at: dt.datetime = Field(description="block time")
    actor: Address | None
    reason: int | None = Field(
        description="reason code of a suspension, reinstatement or revocation (each act's codes: `reasons` in "
        "`GET /api/v1/act-types`); null for other acts"
    )
    reasonLabel: str | None = Field(
        description="the reason code's Chinese label (a code outside the vocabulary: 其他原因（代码 N）); null without "
        "a reason code"
    )
    blockNumber: int
    txHash: Hex32


class IndexerLag(BaseModel):
    """The read model's view of the chain: how far it has read, and when it last reached the node."""

    indexedBlock: int
    headSeen: int = Field(description="the chain head the indexer saw when it last reached the node")
    lagBlocks: int
    updatedAt: dt.datetime = Field(description="when the indexer last wrote (old on an idle chain: nothing to write)")
    seenAt: dt.datetime = Field(description="when the indexer last had an answer from the chain node")
    chainReachable: bool = Field(
        description="whether the indexer reached the node within the server's bound (a few seconds); false: the "
        "answer is a record from `lagSeconds` ago, the chain could not be asked since"
    )
    lagSeconds: float = Field(description="seconds since `seenAt`: how old the index's view of the chain is")


class DisputedField(BaseModel):
    field: Literal[
        "record",
        "number",
        "status",
        "validFrom",
        "validUntil",
        "holder",
        "documentHash",
        "grade",
        "employer",
        "history",
    ] = Field(
        description="the verdict field; `record`: the certificate itself, present on one side only; `number`: a "
        "row that carries another certificate's number; `history` (an answer at an instant): the history rows the "
        "verdict is folded from are not the registry's logs (each side: how many rows, and the first that differs)"
    )
    index: Any = Field(description="what the ledger's database holds")
    chain: Any = Field(description="what the registry contract holds (the value the answer gives)")


class Dispute(BaseModel):
    """The ledger's database and the registry contract disagree on a field a verdict rests on. The verdict given is
    the contract's; the disagreement is logged, counted and reported by /readyz."""

    detail: str
    fields: list[DisputedField]


DISPUTED = Field(
    None,
    description="null when the ledger's database and the registry contract agree on every verdict field; "
    "otherwise the fields in dispute, with both values (the verdict given is the contract's)",
)


Basis = Literal["chain", "imported-register"]
BASIS_MEANING = (
    "`chain`: the chain's own acts up to the instant; `imported-register`: the instant is before this "
    "legacy certificate reached the chain (`recordedAt`), so the answer is the imported register's record, which "
    "the ledger holds as it was imported and cannot vouch for before then"
)


class Proof(BaseModel):
    """Where to check the answer on chain yourself, and how fresh it is."""

    source: Literal["index", "chain"]
    chainId: int
    contract: Address
    blockNumber: int = Field(description="block of the certificate's last act (index) or the block read (chain)")
    txHash: Hex32 | None = Field(description="transaction of the certificate's last act (null when read from chain)")
    confirmedBlock: int | None = Field(
        None,
        description="the block at which the registry contract confirmed the verdict fields (status, validity, "
        "holder, document hash, grade, employer); null for an answer at a past instant, folded from the history",
    )
    indexer: IndexerLag | None = Field(description="the read model's position (null when read from chain)")
    storage: dict[str, Any] | None = Field(
        None,
        description="with `proof=storage`: an EIP-1186 account and storage proof of the certificate's verdict slots "
        "at `confirmedBlock`, with that block's header, so that a verifier who trusts only a block hash from its own "
        "node checks the verdict without trusting this API (docs/proofs.md; `wallet verify-proof`)",
    )


class CertificateOut(BaseModel):
    number: str
    id: Hex32
    kind: KindName
    kindLabel: str
    grade: GradeName | None
    gradeLabel: str | None
    province: int = Field(description="GB/T 2260 province code; 0 for planner registrations (nationwide)")
    status: StatusName
    statusLabel: str
    valid: bool = Field(description="ACTIVE and inside its validity window at the instant asked about")
    at: dt.datetime = Field(description="the instant the answer is for")
    holder: Holder
    employer: Employer | None = Field(description="a planner's firm; null for firm certificates")
    issuer: Address
    validity: Validity
    version: int
    documentHash: Hex32
    predecessor: Link | None
    successor: Link | None
    history: list[Act] | None = Field(description="every act up to the instant (null when read from chain)")
    application: Hex32 | None = Field(
        description="the application whose approval issued it (GET /api/v1/applications/{id}); null for a "
        "certificate of the imported register, and when read from chain"
    )
    imported: bool | None = Field(
        description="made by the legacy import (存量导入: granted before this ledger, its procedure on paper), not by "
        "an application's approval; null when read from chain"
    )
    basis: Basis = Field("chain", description=BASIS_MEANING)
    recordedAt: dt.datetime | None = Field(
        None, description="when the chain first recorded the certificate (null when read from chain)"
    )
    disputed: Dispute | None = DISPUTED
    proof: Proof


PROOF_MEANING = (
    "`storage`: add `proof.storage`, an EIP-1186 storage proof of the verdict at the indexed block (for now only: "
    "not with `at` or `source=chain`)"
)
MAX_AGE = Field(
    None,
    ge=0,
    le=31_536_000,
    description="seconds: if the index's view of the chain is older than this (`proof.indexer.lagSeconds`), the "
    "answer is 503 `cannot-verify` instead of a verdict",
)


class CertificateQuery(Strict):
    at: Instant | None = Field(None, description="ISO 8601 instant with zone, e.g. a bid deadline")
    source: Literal["index", "chain"] = "index"
    maxAge: int | None = MAX_AGE
    proof: Literal["storage"] | None = Field(None, description=PROOF_MEANING)


class Summary(BaseModel):
    """A certificate in a list: enough to tell which it is and whether it holds."""

    number: str
    kind: KindName
    grade: GradeName | None
    province: int
    name: str
    creditCode: str | None
    status: StatusName
    statusLabel: str
    valid: bool
    validUntil: dt.datetime = VALID_UNTIL
    validUntilDate: dt.date = VALID_UNTIL_DATE
    disputed: Dispute | None = DISPUTED


class SearchQuery(Strict):
    kind: KindName | None = None
    grade: GradeName | None = None
    province: int | None = Field(None, ge=0, le=99)
    status: StatusName | None = None
    name: str | None = Field(None, min_length=1, max_length=100, description="name prefix")
    expiringBefore: Instant | None = None
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=1000)


class Page(BaseModel):
    items: list[Summary]
    next: str | None = Field(description="cursor of the next page; null on the last page")


# ---------------------------------------------------------------- batch and document verification


class VerifyRequest(Strict):
    numbers: list[CertificateNumber] | None = Field(None, description="certificate numbers")
    documentHashes: list[Hex32] | None = Field(None, description="certificate document hashes")
    at: Instant | None = None
    maxAge: int | None = MAX_AGE
    proof: Literal["storage"] | None = Field(None, description=PROOF_MEANING)


class VerifyResult(BaseModel):
    query: str = Field(description="the item as given")
    found: bool
    number: str | None = None
    status: StatusName | None = None
    statusLabel: str | None = None
    valid: bool | None = None
    kind: KindName | None = None
    grade: GradeName | None = None
    name: str | None = None
    validUntil: dt.datetime | None = Field(None, description=VALID_UNTIL.description)
    validUntilDate: dt.date | None = Field(None, description=VALID_UNTIL_DATE.description)
    errorType: Literal["/problems/certificate-not-found", "/problems/not-yet-issued"] | None = Field(
        None,
        description="why an item has no verdict, as the problem type a lookup of that item answers with (the `type` "
        "of every error of this API; `GET /problems/…` explains it): `/problems/certificate-not-found` (a number the "
        "ledger has never seen, `found: false`) or `/problems/not-yet-issued` (known, but issued after the instant "
        "asked about, `found: true`); null when the item has a verdict",
    )
    error: Literal["certificate-not-found", "not-yet-issued"] | None = Field(
        None,
        description="`errorType`'s last segment, the bare code, kept for clients written before `errorType`: read "
        "`errorType`",
    )
    basis: Basis | None = Field(None, description=BASIS_MEANING)
    recordedAt: dt.datetime | None = Field(None, description="when the chain first recorded the certificate")
    disputed: Dispute | None = DISPUTED


class VerifyResponse(BaseModel):
    at: dt.datetime
    results: list[VerifyResult]
    proof: Proof


class Disclosure(Strict):
    """A personal field: revealed with its salt, or hidden behind its commitment."""

    value: str | None = None
    salt: Hex32 | None = None
    commitment: Hex32 | None = None


class CertificateDocument(Strict):
    """A certificate document as issued (`ledger` writes it), personal fields revealed or hidden."""

    schema_: str = Field(alias="schema", max_length=100)
    public: dict[str, Any]
    personal: dict[str, Disclosure] = {}

    def document(self) -> dict[str, Any]:
        personal = {n: d.model_dump(exclude_none=True) for n, d in self.personal.items()}
        return {"schema": self.schema_, "public": self.public, "personal": personal}


class DocumentCheck(BaseModel):
    number: str
    documentHash: Hex32 = Field(description="the hash of the document sent")
    onChainHash: Hex32 = Field(description="the certificate's current document hash on chain")
    matches: bool
    status: StatusName
    statusLabel: str
    valid: bool
    hiddenFields: list[str] = Field(description="personal fields sent as commitments only")
    disputed: Dispute | None = DISPUTED
    proof: Proof


# ---------------------------------------------------------------- firms and planners


class PlannerBinding(BaseModel):
    registrationNumber: str
    validUntil: dt.datetime = VALID_UNTIL
    validUntilDate: dt.date = VALID_UNTIL_DATE


class FirmOut(BaseModel):
    creditCode: str | None
    name: str
    province: int
    currentGrade: GradeName | None = Field(description="grade of the firm's valid qualification, if any")
    certificates: list[Summary]
    plannerCount: int
    planners: list[PlannerBinding]


class EmploymentOut(BaseModel):
    registrationNumber: str
    creditCode: str | None
    firmName: str | None
    since: dt.datetime
    until: dt.datetime | None
    endedBy: str | None


class PlannerOut(BaseModel):
    name: str
    status: StatusName
    statusLabel: str
    valid: bool
    registration: Summary | None = Field(description="the current registration, if one binds the planner")
    employer: Employer | None
    registrations: list[Summary]
    employment: list[EmploymentOut]


# ---------------------------------------------------------------- identity


class NonceOut(BaseModel):
    """What goes into the sign-in message: each field is a line of it (EIP-4361)."""

    nonce: str = Field(description="the message's `Nonce:`; single use")
    domain: str = Field(
        description="the message's first line: `{domain} wants you to sign in with your Ethereum account:`"
    )
    uri: str = Field(description="the message's `URI:`")
    chainId: int = Field(description="the message's `Chain ID:`")
    expiresIn: int = Field(description="seconds within which the signed message must reach `/auth/login`")


class LoginRequest(Strict):
    message: str = Field(
        min_length=1, max_length=4000,
        description="the EIP-4361 message text: the domain line, the signer's checksummed address, an optional "
        "statement, then `URI:`, `Version: 1`, `Chain ID:`, `Nonce:` as `POST /auth/nonce` gave them and `Issued "
        "At:` (an ISO 8601 instant, not in the future); `Expiration Time:` and `Not Before:` are optional",
    )  # fmt: skip
    signature: str = Field(
        min_length=1, max_length=1000,
        description="the message's EIP-191 signature (`personal_sign` of its UTF-8 text) by the address it names: "
        "0x and 130 hex digits (r, s, v); for a contract wallet, what its EIP-1271 `isValidSignature` accepts",
    )  # fmt: skip


class Roles(BaseModel):
    ministry: bool
    provincialRegulator: int | None = Field(description="the province a provincial regulator acts in")
    plannerRegistrar: bool
    admin: bool


class LoginOut(BaseModel):
    token: str
    tokenType: Literal["Bearer"]
    expiresIn: int
    address: Address
    roles: Roles


class Me(BaseModel):
    address: Address
    roles: Roles


class TypedData(BaseModel):
    """An `eth_signTypedData_v4` document; its fields are checked against the registry's act types."""

    types: dict[str, Any]
    primaryType: str
    domain: dict[str, Any]
    message: dict[str, Any]


class SignedActIn(Strict):
    """A signed act as `wallet sign-act` writes it."""

    format: Literal["planning-ledger/signed-act/v1"]
    typedData: TypedData
    signer: str = Field(max_length=100)
    signature: str = Field(max_length=1000)


class PrepareIn(Strict):
    """What a signer asks to sign: the act (its EIP-712 primary type, see `GET /api/v1/act-types`) and its own
    fields; the server sets the domain, the signer's next nonce and the deadline."""

    act: str = Field(max_length=64, description="e.g. `Accept`, `Suspend`, `RecordCredit`")
    signer: Address = Field(description="the key or EIP-1271 wallet that will sign: its nonce is read from the chain")
    fields: dict[str, Any] = Field(
        description="the act's fields other than nonce and deadline, as in its type: integers as JSON numbers, "
        "bytes and bytes32 as 0x-hex, addresses as 0x-hex"
    )
    validFor: int = Field(3600, ge=60, le=30 * 86400, description="seconds from the chain's time to the deadline "
                          "(at most the contracts' 30-day MAX_SIGNATURE_LIFETIME)")  # fmt: skip


class PreparedAct(BaseModel):
    typedData: TypedData = Field(description="pass it as it is to `eth_signTypedData_v4` (it includes "
                                 "`EIP712Domain` in `types`); the signature is 65 bytes r‖s‖v")  # fmt: skip
    signedAct: dict[str, Any] = Field(description="the body to POST to `/api/v1/acts` once signed: fill in "
                                      "`signature` (0x-hex)")  # fmt: skip


class ReasonCode(BaseModel):
    """One code of a reason vocabulary (wallet/reasons.py). The chain takes any number; it judges
    only a lone `Revoke`, which must be 3 (注销)."""

    code: int
    label: str = Field(description="in Chinese, as the page and the console show it")
    labelEn: str
    legalGround: str | None = Field(description="the legal ground, where one applies; null where none is cited")


class ActType(BaseModel):
    act: str
    contract: Address = Field(description="the contract that takes it (the EIP-712 domain's verifyingContract)")
    function: str = Field(description="its `…BySignature` function, the act's fields in order, then a Delegation")
    domain: dict[str, Any]
    types: dict[str, Any] = Field(description="the `types` of its typed data, `EIP712Domain` included")
    reasons: list[ReasonCode] | None = Field(
        description="the codes its `reason` field takes; null for an act without a reason code (a `reasonHash` is "
        "keccak256 of the reason's text)"
    )


class ActTypes(BaseModel):
    acts: list[ActType]


class ActAccepted(BaseModel):
    txHash: Hex32
    act: str
    signer: Address
    statusUrl: str


class ChallengeRequest(Strict):
    number: CertificateNumber
    audience: str = Field(
        min_length=1, max_length=255, pattern=r"^[^\x00-\x1f\x7f]+$",
        description="the relying party that will check the answer (e.g. its host): signed into the challenge and "
        "kept with it, so an answer given to one relying party is worth nothing to another",
    )  # fmt: skip


class TypedDomain(BaseModel):
    name: str
    version: str
    chainId: int
    verifyingContract: Address


class ChallengeMessage(BaseModel):
    """The typed data's message, exactly as signed: its instants are `uint64` unix seconds, as EIP-712 types them."""

    certificateId: Hex32
    audience: str
    nonce: Hex32
    issuedAt: int = Field(description="unix seconds (`uint64`), as signed; the challenge's `issuedAt` in ISO 8601")
    expiresAt: int = Field(description="unix seconds (`uint64`), as signed; the challenge's `expiresAt` in ISO 8601")


class ChallengeOut(BaseModel):
    """EIP-712 `Presentation` in the registry's domain: sign `domain` and `message` as typed data, and post them
    back unchanged with `format` and `signature` (`issuedAt` and `expiresAt` here are not part of the answer)."""

    domain: TypedDomain
    message: ChallengeMessage
    issuedAt: dt.datetime = Field(description="when the challenge was issued: `message.issuedAt` as an instant")
    expiresAt: dt.datetime = Field(
        description="the instant the answer must reach `/presentations/verify` before: `message.expiresAt` as an "
        "instant"
    )


class PresentationIn(Strict):
    """The signed challenge as `wallet present` writes it."""

    format: Literal["planning-ledger/presentation/v1"]
    domain: dict[str, Any]
    message: dict[str, Any]
    signature: str = Field(max_length=1000)


class PresentationResult(BaseModel):
    verified: Literal[True]
    number: str
    audience: str
    holder: Address
    status: StatusName
    statusLabel: str
