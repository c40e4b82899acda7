"""The read model: SQLAlchemy 2.x typed tables.

The *projection* (certificates, their history, firms, planners, employment periods, blocks, the indexer
checkpoint) is derived from the chain's events alone and is rebuilt by ``ledger reindex``; beside it only what
can be loaded or issued again (firm profiles, single-use nonces). Personal values and salts are not here: they are
the vault's, in a database of its own (``ledger.vault``). Hashes and addresses are stored as 0x-prefixed
lower-case hex.
"""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy import BigInteger, Float, Index, Integer, SmallInteger, String, Table, Text, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

HASH = String(66)
ADDRESS = String(42)


class Base(DeclarativeBase):
    # Every model here maps a plain Table; SQLAlchemy types ``__table__`` as any FromClause (a model may map a
    # join or a subquery), which has no ``insert()`` nor a typed ``c``. Narrowed as SQLAlchemy's maintainers advise.
    __table__: ClassVar[Table]


class Block(Base):
    """A block the indexer has read events from, kept to detect reorgs by comparing hashes."""

    __tablename__ = "blocks"
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(HASH)
    timestamp: Mapped[int] = mapped_column(BigInteger)


class Checkpoint(Base):
    """How far the indexer has read one registry: every row it writes is committed with this in one transaction."""

    __tablename__ = "indexer_checkpoints"
    contract: Mapped[str] = mapped_column(ADDRESS, primary_key=True)
    chain_id: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger)
    block_hash: Mapped[str] = mapped_column(HASH)
    head_seen: Mapped[int] = mapped_column(BigInteger)  # the chain head when it last read: the lag is visible
    updated_at: Mapped[int] = mapped_column(BigInteger)  # unix seconds of the last write
    # unix seconds of the last answer from the node, written on every poll: an idle chain is not a lost one
    seen_at: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class CertificateEvent(Base):
    """One act on one certificate (a renewal or upgrade writes two: the new certificate and the superseded one)."""

    __tablename__ = "certificate_events"
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    certificate_id: Mapped[str] = mapped_column(HASH, primary_key=True)
    block_hash: Mapped[str] = mapped_column(HASH)
    block_time: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(HASH)
    act: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(ADDRESS)
    data: Mapped[str] = mapped_column(Text)  # canonical JSON of the act's fields: what replaying it needs

    __table_args__ = (Index("ix_certificate_events_certificate", "certificate_id", "block_number", "log_index"),)


class Certificate(Base):
    """A certificate's current state, the fold of its history (status as stored: EXPIRED is derived on read)."""

    __tablename__ = "certificates"
    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    number: Mapped[str] = mapped_column(Text, unique=True)  # opaque: any length the contract accepted
    kind: Mapped[int] = mapped_column(SmallInteger)
    grade: Mapped[int] = mapped_column(SmallInteger)
    province: Mapped[int] = mapped_column(SmallInteger)
    subject: Mapped[str] = mapped_column(HASH, index=True)
    holder: Mapped[str] = mapped_column(ADDRESS)
    employer: Mapped[str | None] = mapped_column(HASH, index=True)
    status: Mapped[int] = mapped_column(SmallInteger)
    valid_from: Mapped[int] = mapped_column(BigInteger)
    valid_until: Mapped[int] = mapped_column(BigInteger, index=True)
    held_since: Mapped[int] = mapped_column(BigInteger)
    issuer: Mapped[str] = mapped_column(ADDRESS)
    version: Mapped[int] = mapped_column(Integer)
    document_hash: Mapped[str] = mapped_column(HASH, index=True)
    predecessor: Mapped[str | None] = mapped_column(HASH)
    successor: Mapped[str | None] = mapped_column(HASH)
    name: Mapped[str] = mapped_column(Text, index=True)
    credit_code: Mapped[str | None] = mapped_column(Text, index=True)  # firm's own, or a planner's employer's
    public_data: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[int] = mapped_column(BigInteger)
    imported: Mapped[bool] = mapped_column(default=False, server_default=false())  # CertificateImported: no application
    last_block: Mapped[int] = mapped_column(BigInteger)
    last_log_index: Mapped[int] = mapped_column(Integer)
    last_tx: Mapped[str] = mapped_column(HASH)
    updated_at: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_certificates_search", "kind", "grade", "province", "status", "number"),)


class Firm(Base):
    """A planning firm as its latest certificate act describes it."""

    __tablename__ = "firms"
    subject: Mapped[str] = mapped_column(HASH, primary_key=True)
    credit_code: Mapped[str | None] = mapped_column(Text, index=True)  # as published; the chain does not check it
    name: Mapped[str] = mapped_column(Text, index=True)
    province: Mapped[int] = mapped_column(SmallInteger)


class Planner(Base):
    """A registered planner, known by subject (the commitment of the identity number) and public name only."""

    __tablename__ = "planners"
    subject: Mapped[str] = mapped_column(HASH, primary_key=True)
    name: Mapped[str] = mapped_column(Text, index=True)


class EmploymentPeriod(Base):
    """A planner registered with one firm under one certificate, from one act to the act that ended it."""

    __tablename__ = "employment_periods"
    certificate_id: Mapped[str] = mapped_column(HASH, primary_key=True)
    started_block: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    started_log_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    planner: Mapped[str] = mapped_column(HASH, index=True)
    employer: Mapped[str] = mapped_column(HASH, index=True)
    started_at: Mapped[int] = mapped_column(BigInteger)
    ended_at: Mapped[int | None] = mapped_column(BigInteger)
    end_reason: Mapped[str | None] = mapped_column(String(16))


class CreditRecord(Base):
    """A credit record (honour or dishonesty) as recorded on chain; a restoration fills the ``restored_*`` columns
    (on chain it is a record of its own: the row is the projection of both)."""

    __tablename__ = "credit_records"
    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    subject: Mapped[str] = mapped_column(HASH, index=True)
    certificate_id: Mapped[str] = mapped_column(HASH)
    subject_kind: Mapped[int] = mapped_column(SmallInteger)  # Kind of the named certificate: firm or planner
    kind: Mapped[int] = mapped_column(SmallInteger)  # CreditKind
    severity: Mapped[int] = mapped_column(SmallInteger)
    category: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    published_from: Mapped[int] = mapped_column(BigInteger)
    published_until: Mapped[int] = mapped_column(BigInteger)  # the maximum end the decision set
    minimum_end: Mapped[int] = mapped_column(BigInteger)
    evidence_hash: Mapped[str] = mapped_column(HASH)
    decision_number: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(ADDRESS)
    recorded_at: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    log_index: Mapped[int] = mapped_column(Integer)
    tx_hash: Mapped[str] = mapped_column(HASH)
    restoration_id: Mapped[str | None] = mapped_column(HASH)
    restored_at: Mapped[int | None] = mapped_column(BigInteger)
    restored_block: Mapped[int | None] = mapped_column(BigInteger, index=True)
    restoration_decision: Mapped[str | None] = mapped_column(Text)
    restoration_issuer: Mapped[str | None] = mapped_column(ADDRESS)
    restoration_tx: Mapped[str | None] = mapped_column(HASH)


class InspectionRound(Base):
    """A random-inspection round as announced on chain (the filter, the sample size, the roster, the draw block, the
    commitments to the population and to the secret) and, once revealed, its seed."""

    __tablename__ = "inspection_rounds"
    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    province: Mapped[int] = mapped_column(SmallInteger)  # 0: nationwide
    grade: Mapped[int] = mapped_column(SmallInteger)  # 0: both grades
    sample_size: Mapped[int] = mapped_column(Integer)
    inspectors_per_firm: Mapped[int] = mapped_column(Integer)
    draw_block: Mapped[int] = mapped_column(BigInteger)
    seed_commitment: Mapped[str] = mapped_column(HASH)  # keccak256(abi.encode(secret))
    population_size: Mapped[int] = mapped_column(Integer)  # as committed by the announcer
    population_root: Mapped[str] = mapped_column(HASH)  # as committed: recompute it from the population
    roster: Mapped[str] = mapped_column(Text)  # as announced: a JSON array of inspector ids
    announcer: Mapped[str] = mapped_column(ADDRESS)
    announced_at: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    log_index: Mapped[int] = mapped_column(Integer)
    tx_hash: Mapped[str] = mapped_column(HASH)
    # Set by InspectionDrawn, the reveal of the secret: the round is drawn from then on.
    secret: Mapped[str | None] = mapped_column(HASH, default=None)
    draw_block_hash: Mapped[str | None] = mapped_column(HASH, default=None)
    seed: Mapped[str | None] = mapped_column(HASH, default=None)
    drawn_block: Mapped[int | None] = mapped_column(BigInteger, default=None)


class InspectionResult(Base):
    """One inspected firm's outcome in one round."""

    __tablename__ = "inspection_results"
    round_id: Mapped[str] = mapped_column(HASH, primary_key=True)
    certificate_id: Mapped[str] = mapped_column(HASH, primary_key=True)
    outcome: Mapped[int] = mapped_column(SmallInteger)
    evidence_hash: Mapped[str] = mapped_column(HASH)
    inspector: Mapped[str] = mapped_column(ADDRESS)
    recorded_at: Mapped[int] = mapped_column(BigInteger)
    block_number: Mapped[int] = mapped_column(BigInteger, index=True)
    tx_hash: Mapped[str] = mapped_column(HASH)


class FirmProfile(Base):
    """What a firm declares in its annual report (企业年报): staff, titles, projects. Not on chain and not derived
    from it; the strength dimension of the credit grade reads it. Loaded with ``ledger profiles``."""

    __tablename__ = "firm_profiles"
    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    report_year: Mapped[int] = mapped_column(Integer)
    technical_staff: Mapped[int] = mapped_column(Integer)
    senior_titles: Mapped[int] = mapped_column(Integer)
    projects: Mapped[int] = mapped_column(Integer)  # planning projects completed in the last three years


# ---- the licensing procedure: its events, and the applications, objections and proposals folded from them ----


class LicensingEvent(Base):
    """One event of the licensing registry, as it came. Applications (with their objections) and revocation
    proposals are folds of these, rebuilt for every id a batch or a reorg touched: rebuilding equals indexing."""

    __tablename__ = "licensing_events"
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    block_hash: Mapped[str] = mapped_column(HASH)
    block_time: Mapped[int] = mapped_column(BigInteger)
    tx_hash: Mapped[str] = mapped_column(HASH)
    about: Mapped[str] = mapped_column(HASH)  # the application's id, or the revocation proposal's
    name: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(ADDRESS)
    data: Mapped[str] = mapped_column(Text)  # canonical JSON of the event's arguments

    __table_args__ = (Index("ix_licensing_events_about", "about", "block_number", "log_index"),)


class Application(Base):
    """An application's current state (stage names as in contracts/ILicensingRegistry.sol) and the instants of its
    steps (block times), from which the statutory due dates are computed on read."""

    __tablename__ = "applications"
    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    subject: Mapped[str] = mapped_column(HASH, index=True)
    certificate_id: Mapped[str | None] = mapped_column(HASH)  # the certificate applied about (all but first ones)
    kind: Mapped[str] = mapped_column(String(24))
    grade: Mapped[int] = mapped_column(SmallInteger)
    province: Mapped[int] = mapped_column(SmallInteger, index=True)
    employer: Mapped[str | None] = mapped_column(HASH)  # a planner's application: the firm it names
    applicant: Mapped[str] = mapped_column(ADDRESS)
    paper: Mapped[bool]
    dossier: Mapped[str] = mapped_column(HASH)
    name: Mapped[str | None] = mapped_column(Text)  # as filed (the filing's public data): unchecked
    credit_code: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(24), index=True)
    filed_at: Mapped[int] = mapped_column(BigInteger)
    completion_requested_at: Mapped[int | None] = mapped_column(BigInteger)
    supplemented_at: Mapped[int | None] = mapped_column(BigInteger)
    accepted_at: Mapped[int | None] = mapped_column(BigInteger)
    province_reviewed_at: Mapped[int | None] = mapped_column(BigInteger)
    reviewed_at: Mapped[int | None] = mapped_column(BigInteger)
    checks_hash: Mapped[str | None] = mapped_column(HASH)
    expert_review_began_at: Mapped[int | None] = mapped_column(BigInteger)
    expert_review_ended_at: Mapped[int | None] = mapped_column(BigInteger)
    extended_at: Mapped[int | None] = mapped_column(BigInteger)
    notice_at: Mapped[int | None] = mapped_column(BigInteger)
    notice_ends_at: Mapped[int | None] = mapped_column(BigInteger, index=True)
    open_objections: Mapped[int] = mapped_column(Integer)
    objections: Mapped[int] = mapped_column(Integer)
    decided_at: Mapped[int | None] = mapped_column(BigInteger)
    decided_by: Mapped[str | None] = mapped_column(ADDRESS)
    issued_certificate: Mapped[str | None] = mapped_column(HASH, index=True)
    old_employer_consented_at: Mapped[int | None] = mapped_column(BigInteger)  # a change of employer's consents
    new_employer_consented_at: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class ReviewChecks(Base):
    """The reviewer's checks recorded with one review (an ApplicationReviewed event): its ``checksHash`` and the
    JSON the dossier store held under that hash when the review was indexed (None: the store did not have it)."""

    __tablename__ = "review_checks"
    block_number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    log_index: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    application_id: Mapped[str] = mapped_column(HASH, index=True)
    checks_hash: Mapped[str] = mapped_column(HASH)
    body: Mapped[str | None] = mapped_column(Text)  # the stored bytes as UTF-8 text, unchanged


class Objection(Base):
    """An objection raised during an application's notice, and its answer once given."""

    __tablename__ = "objections"
    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    application_id: Mapped[str] = mapped_column(HASH, index=True)
    objector: Mapped[str] = mapped_column(ADDRESS)
    evidence_hash: Mapped[str] = mapped_column(HASH)
    text_hash: Mapped[str] = mapped_column(HASH)
    raised_at: Mapped[int] = mapped_column(BigInteger)
    answered_at: Mapped[int | None] = mapped_column(BigInteger)
    answered_by: Mapped[str | None] = mapped_column(ADDRESS)
    answer_hash: Mapped[str | None] = mapped_column(HASH)


class RevocationProposal(Base):
    """A four-eyes revocation: proposed by one regulator, then confirmed by a second (or withdrawn)."""

    __tablename__ = "revocation_proposals"
    id: Mapped[str] = mapped_column(HASH, primary_key=True)
    certificate_id: Mapped[str] = mapped_column(HASH, index=True)
    proposer: Mapped[str] = mapped_column(ADDRESS)
    reason: Mapped[int] = mapped_column(Integer)
    evidence_hash: Mapped[str] = mapped_column(HASH)
    proposed_at: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), index=True)  # OPEN, CONFIRMED, WITHDRAWN
    closed_at: Mapped[int | None] = mapped_column(BigInteger)
    closed_by: Mapped[str | None] = mapped_column(ADDRESS)


# ---- the continuous audit: the read model re-checked against the registry, certificate by certificate ----


class AuditState(Base):
    """Where the audit's current pass is (``cursor``: the last certificate id checked) and how the last full pass
    ended: when, at which block, over how many certificates, with how many mismatches."""

    __tablename__ = "audit_state"
    contract: Mapped[str] = mapped_column(ADDRESS, primary_key=True)
    cursor: Mapped[str] = mapped_column(HASH, default="")
    pass_started_at: Mapped[int] = mapped_column(BigInteger, default=0)
    pass_checked: Mapped[int] = mapped_column(Integer, default=0)
    last_pass_ended_at: Mapped[int | None] = mapped_column(BigInteger)
    last_pass_seconds: Mapped[float | None] = mapped_column(Float)
    last_pass_block: Mapped[int | None] = mapped_column(BigInteger)
    last_pass_certificates: Mapped[int | None] = mapped_column(Integer)
    last_pass_mismatches: Mapped[int | None] = mapped_column(Integer)


class AuditFinding(Base):
    """A verdict field on which a certificate's row disagreed with the registry when the audit last checked it
    (``field`` as the API names it; ``record``: on one side only; ``number``: a row under another number)."""

    __tablename__ = "audit_findings"
    certificate_id: Mapped[str] = mapped_column(HASH, primary_key=True)
    field: Mapped[str] = mapped_column(String(16), primary_key=True)
    number: Mapped[str] = mapped_column(Text)
    index_value: Mapped[str | None] = mapped_column(Text)
    chain_value: Mapped[str | None] = mapped_column(Text)
    block: Mapped[int] = mapped_column(BigInteger)
    found_at: Mapped[int] = mapped_column(BigInteger)


# Every table derived from the chain alone: what `ledger reindex` drops and rebuilds.
PROJECTION = (
    CertificateEvent,
    Certificate,
    Firm,
    Planner,
    EmploymentPeriod,
    CreditRecord,
    InspectionRound,
    InspectionResult,
    LicensingEvent,
    Application,
    Objection,
    ReviewChecks,
    RevocationProposal,
    Block,
    Checkpoint,
    AuditFinding,
    AuditState,
)


# ---- single-use nonces of sign-ins and presentations: shared by every API worker, never derived from the chain ----


class IssuedNonce(Base):
    """A nonce a verifier issued (``purpose``: siwe or presentation); ``used_at`` is set once, by the first use.
    A presentation challenge's nonce keeps what it was issued for (certificate, audience, issued-at; the expiry is
    ``expires_at``), compared with the answer when it is spent."""

    __tablename__ = "issued_nonces"
    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)
    used_at: Mapped[int | None] = mapped_column(BigInteger)
    certificate_id: Mapped[str | None] = mapped_column(String(66))
    audience: Mapped[str | None] = mapped_column(String(255))
    issued_at: Mapped[int | None] = mapped_column(BigInteger)
