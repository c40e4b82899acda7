"""Response models of credit supervision: grades with their explanation, list entries, inspection rounds."""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

ListName = Literal["honesty", "yellow", "black"]


class RuleCitation(BaseModel):
    version: str
    sha256: str


class Rules(BaseModel):
    grading: RuleCitation
    staffing: RuleCitation


class CreditRecordOut(BaseModel):
    id: str
    kind: Literal["HONOUR", "DISHONESTY"]
    severity: str | None = Field(description="dishonesty tier: MINOR, GENERAL or SERIOUS")
    category: int
    categoryLabel: str
    points: int
    decisionNumber: str
    evidenceHash: str
    issuer: str
    publishedFrom: dt.datetime
    publishedUntil: dt.datetime = Field(description="the end of publication the decision set")
    restorableFrom: dt.datetime
    restored: dt.datetime | None = Field(description="when a restoration (信用修复) ended it early")
    restorationDecision: str | None
    published: bool
    txHash: str


class ListEntryOut(BaseModel):
    list: ListName
    reason: str = Field(description="why it is on the list: a stable identifier (docs/credit.md#the-lists)")
    reasonLabel: str = Field(description="the reason in Chinese")
    subjectKind: Literal["FIRM", "PLANNER"]
    name: str | None
    creditCode: str | None = Field(description="the firm's, or a planner's employer's")
    since: dt.datetime
    until: dt.datetime | None
    detail: dict[str, Any] = Field(
        description="what the reason rests on: the certificate's `number`, and by reason `validUntil` (an instant, "
        "the exclusive end) with `validUntilDate` (its last day, Beijing), `barredUntil` (an instant), the counts "
        "against the staffing rule, the credit record"
    )


class FactorOut(BaseModel):
    indicator: str = Field(description="the factor's stable identifier (the rule set's indicator)")
    label: str = Field(description="the factor in Chinese")
    value: float
    normalised: float
    weight: float | None
    interval: dict[str, float]
    significant: Literal["high", "low"] | None


class CreditOut(BaseModel):
    creditCode: str
    name: str
    at: dt.datetime
    qualified: bool = Field(description="whether the firm holds a valid qualification (only those are graded)")
    qualificationGrade: Literal["A", "B"] | None
    creditGrade: Literal["A", "B", "C", "D"] | None
    composite: float | None = Field(description="composite credit index, 0-100")
    indices: dict[str, float] | None
    factors: list[FactorOut]
    significantFactors: list[str] = Field(description="the indicators of the factors outside the population interval")
    significantFactorLabels: list[str] = Field(description="the same factors in Chinese, in the same order")
    veto: str | None
    population: int = Field(description="firms graded together (min-max normalisation is over them)")
    records: list[CreditRecordOut]
    lists: list[ListEntryOut]
    rules: Rules


class ListOut(BaseModel):
    list: ListName
    at: dt.datetime
    count: int
    entries: builtins.list[ListEntryOut]  # the field ``list`` shadows the builtin in this class
    rules: Rules


class ListQuery(BaseModel):
    limit: int = Field(200, ge=1, le=5000)
    province: int | None = Field(None, ge=11, le=82, description="only firms registered in this province")


class RoundSummary(BaseModel):
    id: str
    title: str
    province: int
    grade: Literal["A", "B"] | None
    sampleSize: int
    inspectorsPerFirm: int
    drawBlock: int
    seedCommitment: str = Field(description="keccak256(abi.encode(secret)), committed at the announcement")
    populationSize: int = Field(description="as committed at the announcement")
    populationRoot: str = Field(description="Merkle root of the population, as committed at the announcement")
    announcer: str
    announcedAt: dt.datetime
    announcementTx: str
    drawn: bool = Field(description="the round's secret is revealed on chain, so its seed and sample are fixed")


class PopulationMember(BaseModel):
    certificateId: str
    number: str


class SelectionOut(BaseModel):
    certificateId: str
    number: str
    name: str | None
    position: int = Field(description="in the population sorted by certificate id, from 0")
    proof: list[str] = Field(description="Merkle proof of the leaf (position, certificateId) under populationRoot")
    inspectors: list[str]
    result: dict[str, Any] | None


class RoundOut(RoundSummary):
    procedure: str
    procedureText: str
    roster: list[str]
    populationBlock: int = Field(description="the population is the state at the end of this block")
    population: list[PopulationMember]
    recomputedPopulationRoot: str = Field(description="the root of `population`, recomputed by this API")
    populationCommitted: bool = Field(description="the round committed to exactly `population`")
    secret: str | None = Field(description="revealed after the draw block")
    drawBlockHash: str | None
    seed: str | None = Field(description="keccak256(abi.encode(roundId, secret, drawBlockHash))")
    selection: list[SelectionOut] | None
    results: list[dict[str, Any]]


class RoundList(BaseModel):
    rounds: list[RoundSummary]
