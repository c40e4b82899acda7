"""Request and response models of the licensing procedure: the queue of applications, one application with its
timeline, objections and due date, and the public notices running."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from ledger.licensing.vocabulary import KIND_LABELS, KindName, StageName

from .schemas import Address, CertificateOut, Hex32, Strict


class ApplicationQuery(Strict):
    province: int | None = Field(None, ge=11, le=82, description="the firm's province (GB/T 2260)")
    kind: KindName | None = None
    stage: StageName | None = None
    overdue: bool | None = Field(None, description="only those whose current time limit has passed (true)")
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=1000)


class ApplicationPath(BaseModel):
    application_id: Annotated[str, StringConstraints(pattern=r"^0x[0-9a-fA-F]{64}$")] = Field(
        description="the application's id (0x and 64 hex digits), as ApplicationFiled names it"
    )


class DueOut(BaseModel):
    step: Literal["acceptance", "province-review", "ministry-review", "decision"] = Field(
        description="the time limit running now: acceptance (5 working days), a grade A application's province "
        "and ministry reviews, the decision (20 working days, once extended by 10)"
    )
    workingDays: int = Field(description="the limit, an extension included")
    dueDate: dt.date = Field(description="the last day (Beijing) on which acting is in time")
    remainingWorkingDays: int
    overdue: bool
    extended: bool
    provisional: bool = Field(description="counted on weekdays through a year the holiday calendar does not know yet")


class CertificateLink(BaseModel):
    id: Hex32
    number: str | None = Field(description="null when the read model does not know the certificate")


class Consents(BaseModel):
    oldEmployer: dt.datetime | None = Field(description="the firm the planner leaves, by its qualification's key")
    newEmployer: dt.datetime | None = Field(description="the firm the planner joins")


class ApplicationSummary(BaseModel):
    id: Hex32
    kind: KindName
    kindLabel: str = Field(description=f"in Chinese: {', '.join(KIND_LABELS.values())}")
    stage: StageName
    stageLabel: str
    grade: Literal["A", "B"] | None = Field(description="the grade decided about; null for a planner's application")
    province: int
    subject: Hex32 = Field(description="the firm: keccak256 of its unified social credit code")
    firmName: str | None = Field(
        description="as the firm's certificates publish it; for a firm not yet qualified, as its filing names it"
    )
    creditCode: str | None
    certificate: CertificateLink | None = Field(description="the certificate the application is about (every kind "
                                               "but a first application and a planner's registration)")  # fmt: skip
    applicant: Address
    paper: bool = Field(description="filed on paper and recorded by the authority")
    filedAt: dt.datetime
    noticeEndsAt: dt.datetime | None
    openObjections: int
    due: DueOut | None = Field(description="the statutory limit running now; null while the applicant completes the "
                               "dossier and once decided")  # fmt: skip
    issuedCertificate: CertificateLink | None = Field(description="the certificate the approval issued (a change or "
                                                     "a cancellation changes `certificate` instead)")  # fmt: skip
    employer: Hex32 | None = Field(description="a planner's registration or change of employer: the firm it names")
    consents: Consents | None = Field(description="a planner's change of employer: when each employer consented")


class ApplicationPage(BaseModel):
    items: list[ApplicationSummary]
    next: str | None = Field(description="cursor of the next page; null on the last page")


class StepOut(BaseModel):
    act: str = Field(description="the contract's event, e.g. ApplicationAccepted")
    label: str
    at: dt.datetime = Field(description="block time")
    by: Address | None
    blockNumber: int
    txHash: Hex32
    data: dict[str, Any] = Field(
        description="the event's arguments as the chain logged them (hashes of lists, reasons, opinions, checks), "
        "but for instants: a notice's `endsAt` is an ISO 8601 instant in UTC, as every instant of the API"
    )


class ObjectionOut(BaseModel):
    id: Hex32
    objector: Address
    evidenceHash: Hex32
    textHash: Hex32
    raisedAt: dt.datetime
    answeredAt: dt.datetime | None
    answeredBy: Address | None
    answerHash: Hex32 | None


class ReviewOut(BaseModel):
    at: dt.datetime = Field(description="block time of the review")
    by: Address | None
    stage: Literal["PROVINCE_REVIEWED", "REVIEWED"] = Field(description="a grade A province's first review, or "
                                                            "the deciding review")  # fmt: skip
    checksHash: Hex32 = Field(description="the checks' keccak256, as the review recorded it on chain")
    checksAvailable: bool = Field(description="the dossier store held the checks when the review was indexed")
    checksMatch: bool | None = Field(description="the checks shown hash to checksHash; null when not available")
    checks: Any = Field(description="the checks as stored (JSON); the ledger's own have the format "
                        "planning-ledger/review-checks/v1 (docs/dossiers.md); null when not available")  # fmt: skip


class RuleCitation(BaseModel):
    version: str
    sha256: str


class ApplicationOut(ApplicationSummary):
    dossier: Hex32 = Field(description="hash of the dossier's manifest, as filed (or last supplemented)")
    checksHash: Hex32 | None = Field(description="hash of the automatic checks recorded with the last review")
    reviews: list[ReviewOut] = Field(description="every review with the checks recorded with it, in chain order")
    timeline: list[StepOut]
    objections: list[ObjectionOut]
    rules: RuleCitation


class NoticeList(BaseModel):
    at: dt.datetime
    notices: list[ApplicationSummary]


class ActStatus(BaseModel):
    """A relayed act (of any registry) as the chain and the read model know it: here beside the applications,
    because a licensing step's status carries the applications it touched."""

    txHash: Hex32
    state: Literal["pending", "mined", "failed"]
    blockNumber: int | None = None
    error: str | None = Field(None, description="the contract's named error of a failed act")
    errorFields: dict[str, str] | None = None
    indexed: bool | None = Field(None, description="whether the read model has read the act's block")
    certificates: list[CertificateOut] | None = Field(None, description="state after a mined act, once indexed")
    applications: list[ApplicationOut] | None = Field(
        None,
        description="the applications a licensing step touched, as `GET /applications/{id}` answers them, once indexed",
    )
