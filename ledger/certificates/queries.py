"""The questions the API asks the read model: a certificate now or at a past instant, a firm and its registered
planners, a planner and his employers, search with cursor pagination, and the small look-ups the answers need
(numbers and names by id, firms and planners by subject, the newest acts, the indexer's position).

EXPIRED and validity are derived here exactly as the contract's ``statusOf`` and ``isValid`` derive them, at the
instant asked about.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, TypedDict

from sqlalchemy import Connection, Dialect, Engine, Row, and_, bindparam, func, select, true
from sqlalchemy.orm import Session

from ledger.certificates.projection import Period, State, fold, row_of, state_of
from ledger.certificates.projection import Row as HistoryRow
from ledger.certificates.vocabulary import Kind, Status
from ledger.errors import BadCursor
from ledger.store.cursors import decode_cursor, encode_cursor
from ledger.store.engine import chunked
from ledger.store.models import (
    Application,
    AuditFinding,
    AuditState,
    Block,
    Certificate,
    CertificateEvent,
    Checkpoint,
    EmploymentPeriod,
    Firm,
    Planner,
)
from wallet.presentation import HolderLookup, HolderRecord

BINDING = (Status.ACTIVE, Status.SUSPENDED)  # a registration binds its planner in these stored states, unexpired


class Validity(TypedDict):
    """What a certificate's status and validity at an instant derive from (a ``State`` has these and more)."""

    status: int
    valid_from: int
    valid_until: int


def derived_status(state: Validity, at: int) -> Status:
    stored = Status(state["status"])
    return Status.EXPIRED if stored in BINDING and at >= state["valid_until"] else stored


def is_valid(state: Validity, at: int) -> bool:
    return standing(state, at)[1]


def standing(state: Validity, at: int) -> tuple[Status, bool]:
    """``derived_status`` and ``is_valid`` at once (a batch asks both of a thousand states)."""
    status = derived_status(state, at)
    return status, status == Status.ACTIVE and state["valid_from"] <= at


@dataclass(frozen=True)
class CertificateAnswer:
    """A certificate's state at an instant, with the history it came from (rows up to that instant), the numbers
    of the certificates it links to, its employer's public name and credit code (planners), and the application
    whose approval issued it (None for the imported register). ``basis`` says what the state rests on: the chain's
    own acts up to ``at`` (CHAIN), or, for an instant before a legacy certificate reached the chain, the imported
    register's record as the chain first recorded it (IMPORTED_REGISTER), at ``recorded_at``."""

    state: State
    status: Status
    valid: bool
    at: int
    history: list[HistoryRow]
    links: dict[str, str]
    employer: dict[str, Any] | None
    application: str | None
    basis: str = "chain"
    recorded_at: int | None = None
    checkpoint: Any = None  # the indexer's checkpoint read with the row (``index_status``'s shape)


CHAIN, IMPORTED_REGISTER = "chain", "imported-register"


def state_at(rows: Sequence[HistoryRow], at: int) -> State | None:
    """A certificate's state at ``at`` from its whole history: the fold of its rows up to then, or a legacy
    certificate's imported record before the import (``before_recording``); None if it did not exist then."""
    state = fold(row for row in rows if row["block_time"] <= at)
    return state if state is not None else before_recording(rows[0] if rows else None, at)


def before_recording(first: HistoryRow | None, at: int) -> State | None:
    """A legacy certificate's state at an instant before its first act on chain (the import), inside its validity
    window: the imported record as the chain first recorded it. None for any other certificate or instant: an
    application's certificate did not exist before it was issued, a legacy one not before its window began."""
    recorded = fold([first]) if first is not None else None
    if recorded is None or not recorded["imported"] or not recorded["valid_from"] <= at < first["block_time"]:  # type: ignore[index]
        return None
    return recorded


def _certificate_statement() -> Any:
    """One query for what a verification shows besides the history: the certificate, the numbers of its
    predecessor and successor, its employer, the application that issued it, and the indexer's checkpoint (built
    once: the hot path of the API). One statement is one snapshot: the row is exactly as of the checkpoint's block,
    which is where the registry is asked to confirm it."""
    current = Certificate.__table__
    previous, following, firm_ = Certificate.__table__.alias(), Certificate.__table__.alias(), Firm.__table__
    application, checkpoint = Application.__table__, Checkpoint.__table__
    return (
        select(
            current,
            previous.c.number.label("predecessor_number"),
            following.c.number.label("successor_number"),
            firm_.c.name.label("employer_name"),
            firm_.c.credit_code.label("employer_credit_code"),
            application.c.id.label("application_id"),
            *(column.label(f"checkpoint_{column.name}") for column in checkpoint.c),
        )
        .join_from(current, checkpoint, true())
        .outerjoin(previous, previous.c.id == current.c.predecessor)
        .outerjoin(following, following.c.id == current.c.successor)
        .outerjoin(firm_, firm_.c.subject == current.c.employer)
        .outerjoin(application, application.c.issued_certificate == current.c.id)
        .where(current.c.number == bindparam("number"))
    )


_EVENTS = CertificateEvent.__table__
_CERTIFICATE = _certificate_statement()
_HISTORY = (
    select(_EVENTS)
    .where(_EVENTS.c.certificate_id == bindparam("id"), _EVENTS.c.block_time <= bindparam("at"))
    .order_by(_EVENTS.c.block_number, _EVENTS.c.log_index)
)
_EMPLOYER = select(Firm.__table__.c.name, Firm.__table__.c.credit_code).where(
    Firm.__table__.c.subject == bindparam("subject")
)
END_OF_TIME = 2**63 - 1


def certificate(session: Session | Connection, number: str, at: int | None = None) -> CertificateAnswer | None:
    """A certificate by number, now or at ``at`` (unix seconds; block time of the acts). None if unknown then.
    Core statements only, so a plain connection will do (the API's hot path takes one: no ORM session)."""
    row = certificate_row(session, number)
    return None if row is None else answer_from_row(session, row, at)


def certificate_row(session: Session | Connection, number: str) -> Mapping[str, Any] | None:
    """The one row a lookup starts from: the certificate with its links' numbers, employer, application and the
    indexer's checkpoint, in one statement (one snapshot). Run on the driver's own cursor, with the statement
    SQLAlchemy compiled once for the dialect: every column is a plain integer, text or flag, so no result processing
    is lost, and the busiest request of the API skips Core's per-execution work (measured in process: a kept lookup
    took 230 µs of CPU with Core's execution, 180 µs without; SQLite's own part is some 10 µs)."""
    connection = session.connection() if isinstance(session, Session) else session
    sql, positions = _compiled_for(connection.dialect)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, (number,) if positions else {"number": number})
        found = cursor.fetchone()
    finally:
        cursor.close()
    return None if found is None else dict(zip(_CERTIFICATE_KEYS, found, strict=True))


_CERTIFICATE_KEYS = tuple(column.key for column in _CERTIFICATE.selected_columns)


@lru_cache(maxsize=4)
def _compiled_for(dialect: Dialect) -> tuple[str, bool]:
    """``_CERTIFICATE`` as the dialect's SQL, and whether its one parameter is positional (qmark, format)."""
    compiled = _CERTIFICATE.compile(dialect=dialect)
    return str(compiled), compiled.positiontup is not None


_CHECKPOINT_COLUMNS = tuple((c.name, f"checkpoint_{c.name}") for c in Checkpoint.__table__.c)


def row_checkpoint(row: Mapping[str, Any]) -> Any:
    """The indexer's checkpoint as read with a certificate's row (``index_status``'s shape)."""
    return SimpleNamespace(**{name: row[label] for name, label in _CHECKPOINT_COLUMNS})


VOLATILE = frozenset({"checkpoint_head_seen", "checkpoint_seen_at", "checkpoint_updated_at"})  # polls, not acts
_FINGERPRINTED = operator.itemgetter(*(key for key in _CERTIFICATE_KEYS if key not in VOLATILE))


def row_fingerprint(row: Mapping[str, Any]) -> tuple[Any, ...]:
    """What a lookup's answer is built from, in a row: every column but the checkpoint's poll times (the indexer
    writes those every second without anything having happened)."""
    return _FINGERPRINTED(row)


def answer_from_row(
    session: Session | Connection,
    row: Mapping[str, Any],
    at: int | None = None,
    whole: Sequence[HistoryRow] | None = None,
) -> CertificateAnswer | None:
    """The answer ``certificate`` gives, from its row (``certificate_row``) and its ``whole`` history (read here
    if not given: an instant's answer is folded from the rows the caller confirmed, or from the registry's)."""
    whole = history(session, row["id"]) if whole is None else list(whole)
    rows = whole if at is None else [r for r in whole if r["block_time"] <= at]
    state: State | None
    asked = at
    if at is None:
        state = state_of(row)
        at = int(time.time())
    else:
        state = state_at(whole, at)
    if state is None:
        return None
    links = {row[key]: row[f"{key}_number"] for key in ("predecessor", "successor") if row[key] is not None}
    employer = None
    if state["employer"] is not None:
        if state["employer"] == row["employer"]:
            employer = {"name": row["employer_name"], "credit_code": row["employer_credit_code"]}
        else:  # the employer at a past instant, before a transfer
            found = session.execute(_EMPLOYER, {"subject": state["employer"]}).first()
            employer = {"name": found.name, "credit_code": found.credit_code} if found else None
    status, valid = derived_status(state, at), is_valid(state, at)
    checkpoint = row_checkpoint(row)
    return CertificateAnswer(
        state, status, valid, at, rows, links, employer, row["application_id"], basis_of(state, asked),
        row["issued_at"], checkpoint,
    )  # fmt: skip


def reanswer(session: Session | Connection, answer: CertificateAnswer, state: State) -> CertificateAnswer:
    """``answer`` on another state of the same certificate (the chain's verdict fields over a disputed row): its
    status, validity and employer follow the new state."""
    employer = answer.employer
    if state["employer"] != answer.state["employer"]:
        found = session.execute(_EMPLOYER, {"subject": state["employer"]}).first() if state["employer"] else None
        employer = {"name": found.name, "credit_code": found.credit_code} if found else None
    at = answer.at
    return replace(answer, state=state, status=derived_status(state, at), valid=is_valid(state, at), employer=employer)


def batch(session: Session, column: Any, keys: Sequence[str]) -> dict[str, Row[Any]]:
    """The rows of the certificates whose ``column`` (``Certificate.number`` or ``Certificate.document_hash``) is
    one of ``keys``, keyed by that value (``state_of`` makes each a state). One query per 500 keys, whatever the
    batch size: a tender's thousand certificates cost a few round trips. Read through the session's connection:
    rows of a table need none of the ORM's result machinery, which took as long as the query."""
    table = Certificate.__table__
    position = list(table.c.keys()).index(column.key)
    found: dict[str, Row[Any]] = {}
    connection = session.connection()
    for chunk in chunked(list(dict.fromkeys(keys)), 500):
        for row in connection.execute(select(table).where(column.in_(chunk))):
            found[row[position]] = row
    return found


ID = list(Certificate.__table__.c.keys()).index("id")  # the id's place in a row of ``batch``


def basis_of(state: State, at: int | None) -> str:
    """What an answer for ``at`` rests on: a state issued after that instant can only be the imported register's
    record (``before_recording``); any other is the fold of the chain's acts."""
    return IMPORTED_REGISTER if at is not None and state["issued_at"] > at else CHAIN


def states_by_id(session: Session | Connection, ids: Collection[str]) -> list[State]:
    """The stored states of the certificates with these ids that the read model holds."""
    table = Certificate.__table__
    found: list[State] = []
    for chunk in chunked(list(ids), 500):
        found += [state_of(row) for row in session.execute(select(table).where(table.c.id.in_(chunk))).mappings()]
    return found


def histories(session: Session | Connection, ids: Sequence[str]) -> dict[str, list[HistoryRow]]:
    """Each certificate's whole history, its rows in chain order (one query per 500 ids)."""
    events = CertificateEvent.__table__
    rows: dict[str, list[HistoryRow]] = {i: [] for i in ids}
    for chunk in chunked(list(rows), 500):
        query = (
            select(events).where(events.c.certificate_id.in_(chunk)).order_by(events.c.block_number, events.c.log_index)
        )
        for row in session.execute(query).mappings():
            rows[row["certificate_id"]].append(row_of(row))
    return rows


def history(session: Session | Connection, certificate_id: str, at: int | None = None) -> list[HistoryRow]:
    """A certificate's history rows in chain order, up to ``at`` if given."""
    parameters = {"id": certificate_id, "at": END_OF_TIME if at is None else at}
    return [row_of(r) for r in session.execute(_HISTORY, parameters).mappings()]


def firm(session: Session, credit_code: str, at: int | None = None) -> dict[str, Any] | None:
    """A firm, its certificates (newest first) and the planners registered with it now."""
    record = firm_by_credit_code(session, credit_code)
    if record is None:
        return None
    at = int(time.time()) if at is None else at
    certificates = session.scalars(
        select(Certificate).where(Certificate.subject == record.subject).order_by(Certificate.issued_at.desc())
    ).all()
    planners = session.scalars(
        select(Certificate)
        .where(
            Certificate.kind == Kind.PLANNER,
            Certificate.employer == record.subject,
            Certificate.status.in_(BINDING),
            Certificate.valid_until > at,
        )
        .order_by(Certificate.number)
    ).all()
    return {
        "firm": record,
        "certificates": [_as_state(c) for c in certificates],
        "planners": [_as_state(p) for p in planners],
    }


def firm_by_credit_code(session: Session, credit_code: str) -> Firm | None:
    """A firm by its unified social credit code, the number the public knows a firm by."""
    return session.scalars(select(Firm).where(Firm.credit_code == credit_code)).first()


def firm_by_subject(session: Session, subject: str) -> Firm | None:
    """A firm by its subject, the id the chain knows it by (a planner's employer, a list entry)."""
    return session.get(Firm, subject)


def registrants(session: Session, subjects: Collection[str]) -> tuple[dict[str, Firm], dict[str, Planner]]:
    """The firms and the planners among ``subjects``, each by subject: a list entry names either."""
    if not subjects:
        return {}, {}
    firms = {f.subject: f for f in session.scalars(select(Firm).where(Firm.subject.in_(subjects)))}
    planners = {p.subject: p for p in session.scalars(select(Planner).where(Planner.subject.in_(subjects)))}
    return firms, planners


def planner(session: Session, registration_number: str, at: int | None = None) -> dict[str, Any] | None:
    """A planner by (any of his) registration numbers: his current registration, employer, and every period."""
    registration = session.scalars(
        select(Certificate).where(Certificate.number == registration_number, Certificate.kind == Kind.PLANNER)
    ).one_or_none()
    if registration is None:
        return None
    at = int(time.time()) if at is None else at
    subject = registration.subject
    person = session.get(Planner, subject)
    registrations = session.scalars(
        select(Certificate).where(Certificate.subject == subject).order_by(Certificate.issued_at.desc())
    ).all()
    states = [_as_state(c) for c in registrations]
    current = next((state for state in states if derived_status(state, at) in BINDING), None)
    periods = session.execute(
        select(EmploymentPeriod, Firm.credit_code, Firm.name)
        .outerjoin(Firm, Firm.subject == EmploymentPeriod.employer)
        .where(EmploymentPeriod.planner == subject)
        .order_by(EmploymentPeriod.started_block, EmploymentPeriod.started_log_index)
    ).all()
    employer = None
    if current is not None and current["employer"] is not None:
        employer = firm_by_subject(session, current["employer"])
    return {
        "planner": person,
        "current": current,
        "employer": employer,
        "registrations": states,
        "periods": [{**_as_period(p), "credit_code": code, "firm_name": name} for p, code, name in periods],
    }


def search(
    session: Session,
    *,
    kind: Kind | None = None,
    grade: int | None = None,
    province: int | None = None,
    status: Status | None = None,
    name_prefix: str | None = None,
    expiring_before: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
    at: int | None = None,
) -> tuple[list[State], str | None]:
    """Certificates matching every given filter, ordered by number; ``cursor`` continues after the last page."""
    at = int(time.time()) if at is None else at
    query = select(Certificate)
    if kind is not None:
        query = query.where(Certificate.kind == kind)
    if grade is not None:
        query = query.where(Certificate.grade == grade)
    if province is not None:
        query = query.where(Certificate.province == province)
    if status is not None:
        query = query.where(_status_filter(status, at))
    if name_prefix:
        escaped = name_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Certificate.name.like(escaped + "%", escape="\\"))
    if expiring_before is not None:
        query = query.where(Certificate.valid_until < expiring_before, Certificate.valid_until > at)
    if cursor:
        query = query.where(Certificate.number > _decode_cursor(cursor))
    rows = session.scalars(query.order_by(Certificate.number).limit(limit + 1)).all()
    page = [_as_state(r) for r in rows[:limit]]
    return page, (encode_cursor(page[-1]["number"]) if len(rows) > limit else None)


def numbers_of(session: Session | Connection, ids: Iterable[str]) -> dict[str, str]:
    """Certificate numbers by id, for the ids the read model knows: ids are what the chain links by."""
    return _by_id(session, Certificate.number, ids)


def names_of(session: Session | Connection, ids: Iterable[str]) -> dict[str, str]:
    """Holders' public names by certificate id, for the ids the read model knows."""
    return _by_id(session, Certificate.name, ids)


def _by_id(session: Session | Connection, column: Any, ids: Iterable[str]) -> dict[str, Any]:
    ids = list(ids)
    if not ids:
        return {}
    return dict(session.execute(select(Certificate.id, column).where(Certificate.id.in_(ids))).all())


def all_ids(session: Session | Connection) -> list[str]:
    """Every indexed certificate's id (what a worker preloads its verdict readings for)."""
    return list(session.scalars(select(Certificate.id)))


def is_known(session: Session | Connection, number: str) -> bool:
    """Whether a certificate with this number was ever indexed (in any status)."""
    return session.scalar(select(Certificate.id).where(Certificate.number == number)) is not None


def planner_count(session: Session | Connection, at: int) -> int:
    """Planners registered at ``at``, with or without an employer: registrations in a binding state, unexpired."""
    query = select(func.count()).where(
        Certificate.kind == Kind.PLANNER, Certificate.status.in_(BINDING), Certificate.valid_until > at
    )
    return session.scalar(query) or 0


def recent_events(session: Session | Connection, limit: int) -> Sequence[Row[int, int, int, str, str, str]]:
    """The newest ``limit`` certificate acts, newest first, each with its certificate's number and holder's name."""
    e, c = CertificateEvent, Certificate
    query = (
        select(e.block_number, e.log_index, e.block_time, e.act, c.number, c.name)
        .join(Certificate, c.id == e.certificate_id)
        .order_by(e.block_number.desc(), e.log_index.desc())
        .limit(limit)
    )
    return session.execute(query).all()


_CHECKPOINT = select(Checkpoint.__table__).limit(1)


def index_status(session: Session | Connection) -> Any:
    """The indexer's checkpoint row (block_number, head_seen, chain_id, contract, updated_at), or None."""
    return session.execute(_CHECKPOINT).first()


def audit_summary(session: Session | Connection, limit: int = 50) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The continuous audit's last full pass (None before the first ends) and up to ``limit`` of its findings."""
    state = session.execute(select(AuditState.__table__)).mappings().first()
    summary = None
    if state is not None and state["last_pass_ended_at"] is not None:
        summary = {
            "lastPassEndedAt": state["last_pass_ended_at"],
            "lastPassSeconds": state["last_pass_seconds"],
            "block": state["last_pass_block"],
            "certificates": state["last_pass_certificates"],
            "mismatches": state["last_pass_mismatches"],
        }
    rows = session.execute(
        select(AuditFinding.__table__).order_by(AuditFinding.found_at, AuditFinding.certificate_id).limit(limit)
    ).mappings()
    findings = [
        {"id": r["certificate_id"], "number": r["number"], "field": r["field"], "index": r["index_value"],
         "chain": r["chain_value"], "block": r["block"]}
        for r in rows
    ]  # fmt: skip
    return summary, findings


def block_time(session: Session | Connection, number: int) -> int | None:
    """The time of an indexed block, None if the index has not read it: the ledger's clock is the chain's."""
    return session.scalar(select(Block.timestamp).where(Block.number == number))


def _status_filter(status: Status, at: int) -> Any:
    if status == Status.EXPIRED:
        return and_(Certificate.status.in_(BINDING), Certificate.valid_until <= at)
    if status in BINDING:
        return and_(Certificate.status == status, Certificate.valid_until > at)
    return Certificate.status == status


def _decode_cursor(cursor: str) -> str:
    after = decode_cursor(cursor)
    if not isinstance(after, str):
        raise BadCursor("the cursor is not one this server handed out")
    return after


_HOLDER_COLUMNS = (Certificate.holder, Certificate.status, Certificate.valid_from, Certificate.valid_until)


def holder_lookup(engine: Engine) -> HolderLookup:
    """A presentation verifier's question, answered from the read model: who holds certificate ``id`` on chain,
    and is it valid at the verifier's instant. One primary-key read, no chain round trip."""

    statement = select(*_HOLDER_COLUMNS).where(Certificate.id == bindparam("id"))  # built once, compiled once

    def lookup(certificate_id: bytes, at: int) -> HolderRecord | None:
        with engine.connect() as connection:
            row = connection.execute(statement, {"id": "0x" + certificate_id.hex()}).one_or_none()
        if row is None:
            return None
        state: Validity = {"status": row.status, "valid_from": row.valid_from, "valid_until": row.valid_until}
        return HolderRecord(row.holder, derived_status(state, at).name, is_valid(state, at))

    return lookup


def _as_state(row: Certificate) -> State:
    """A mapped certificate as a plain dict of its columns: its state."""
    return state_of({c.key: getattr(row, c.key) for c in Certificate.__table__.columns})


def _as_period(row: EmploymentPeriod) -> Period:
    """A mapped employment period as a plain dict of its columns."""
    return {
        "certificate_id": row.certificate_id,
        "started_block": row.started_block,
        "started_log_index": row.started_log_index,
        "planner": row.planner,
        "employer": row.employer,
        "started_at": row.started_at,
        "ended_at": row.ended_at,
        "end_reason": row.end_reason,
    }


def counts(session: Session) -> dict[str, int]:
    """How much the read model holds: for status pages and the CLI."""
    return {
        "certificates": session.scalar(select(func.count()).select_from(Certificate)) or 0,
        "events": session.scalar(select(func.count()).select_from(CertificateEvent)) or 0,
        "firms": session.scalar(select(func.count()).select_from(Firm)) or 0,
        "planners": session.scalar(select(func.count()).select_from(Planner)) or 0,
    }
