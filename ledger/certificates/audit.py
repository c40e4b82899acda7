"""The continuous audit: every indexed certificate's verdict fields re-read from the registry at the indexed block
and compared with its row, so that a row changed behind the indexer's back is named within one cycle even if no
one asks for it.

``Auditor.step`` checks the next slice of certificates (by id) and is called by ``ledger index`` after each poll;
the slice is sized so that a pass takes about PASS_STEPS polls whatever the register's size (the national register,
17,217 certificates, in slices of 574: a pass every half minute), so it never holds the indexer up for long;
``Auditor.full_pass`` runs one whole pass at once (``ledger audit``). Each slice is one batched read of the contract
(``verdicts.read``); a pass also asks the chain's own issuance logs whether the read model lacks a certificate.
Findings are logged, kept in ``audit_findings`` (replaced for every certificate checked again) and the last full
pass is summarised in ``audit_state`` for /readyz.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.orm import Session
from web3 import Web3
from web3.contract import Contract

from ledger.certificates.projection import State, state_of
from ledger.certificates.verdicts import Disagreement, judged, read
from ledger.store.models import AuditFinding, AuditState, Certificate, Checkpoint

log = logging.getLogger(__name__)

PASS_STEPS = 30  # a pass spread over about 30 polls of `ledger index` (30 s at its default second)
MIN_SLICE, MAX_SLICE = 100, 2_000  # certificates per step: 2,000 is four batched reads, under half a second here


@dataclass(frozen=True)
class PassReport:
    """A full pass: when it ended, at which block, over how many certificates, with how many mismatches."""

    ended_at: int
    seconds: float
    block: int
    certificates: int
    mismatches: int


class Auditor:
    """Audits one deployment's read model against its certificate registry. ``issued_ids(start, end)`` gives the
    ids of the certificates the chain's logs say were issued in those blocks (``Indexer.logged_ids``): what a pass
    finds missing. They are gathered once and then only for the blocks since, so a pass end costs one log query."""

    def __init__(
        self,
        w3: Web3,
        registry: Contract,
        engine: Engine,
        issued_ids: Callable[[int | None, int], Collection[bytes]],
    ) -> None:
        self.w3 = w3
        self.registry = registry
        self.engine = engine
        self.issued_ids = issued_ids
        self.address = registry.address
        self._issued: set[str] = set()
        self._issued_through: int | None = None  # the last block whose issuance logs are in _issued

    def _issued_until(self, block: int) -> set[str]:
        """Every certificate id issued up to ``block``, by the chain's logs (only the new blocks are asked)."""
        if self._issued_through is None or block < self._issued_through:  # first pass, or a rebuilt chain
            self._issued = {"0x" + i.hex() for i in self.issued_ids(None, block)}
        elif block > self._issued_through:
            self._issued |= {"0x" + i.hex() for i in self.issued_ids(self._issued_through + 1, block)}
        self._issued_through = block
        return self._issued

    def step(self, limit: int | None = None) -> PassReport | None:
        """Check the next ``limit`` certificates (by default a slice paced to PASS_STEPS steps a pass); the report
        of the pass this step completed, if it did."""
        with Session(self.engine) as session:
            checkpoint = session.scalars(select(Checkpoint)).first()
            if checkpoint is None:
                return None
            if limit is None:
                total = session.scalar(select(func.count()).select_from(Certificate)) or 0
                limit = min(MAX_SLICE, max(MIN_SLICE, -(-total // PASS_STEPS)))
            state = session.get(AuditState, self.address) or AuditState(
                contract=self.address, cursor="", pass_started_at=int(time.time()), pass_checked=0
            )
            block = checkpoint.block_number
            table = Certificate.__table__
            rows = [
                state_of(row)
                for row in session.execute(
                    select(table).where(table.c.id > state.cursor).order_by(table.c.id).limit(limit)
                ).mappings()
            ]
        found = self._check(rows, block) if rows else {}
        with Session(self.engine) as session, session.begin():
            state = session.merge(state)
            if rows:
                self._replace_findings(session, [row["id"] for row in rows], found, block)
                state.cursor = rows[-1]["id"]
                state.pass_checked += len(rows)
            if len(rows) < limit:
                return self._end_pass(session, state, block)
        return None

    def full_pass(self) -> PassReport:
        """One whole pass from the first certificate (an interrupted pass is started again)."""
        with Session(self.engine) as session, session.begin():
            session.execute(delete(AuditState).where(AuditState.contract == self.address))
        while True:
            report = self.step(MAX_SLICE)
            if report is not None:
                return report

    def _check(self, rows: list[State], block: int) -> dict[str, tuple[str, list[Disagreement]]]:
        """Each row's disagreements with the registry at ``block`` (only rows with some), by id."""
        readings = read(self.w3, self.registry, [row["id"] for row in rows], block)
        found: dict[str, tuple[str, list[Disagreement]]] = {}
        for row in rows:
            if wrong := judged(row, readings[row["id"]]):
                found[row["id"]] = (row["number"], wrong)
        return found

    def _replace_findings(
        self, session: Session, ids: list[str], found: dict[str, tuple[str, list[Disagreement]]], block: int
    ) -> None:
        session.execute(delete(AuditFinding).where(AuditFinding.certificate_id.in_(ids)))
        now = int(time.time())
        rows = []
        for cid, (number, wrong) in found.items():
            for d in wrong:
                log.error("audit: certificate %s (%s) %s index=%r chain=%r", number, cid, d.field, d.index, d.chain)
                rows.append(_finding(cid, number, d, block, now))
        if rows:
            session.execute(insert(AuditFinding), rows)

    def _end_pass(self, session: Session, state: AuditState, block: int) -> PassReport:
        """Close the pass: certificates the chain issued that the read model lacks are findings too; the summary
        is kept and the next pass starts from the first id."""
        indexed = set(session.scalars(select(Certificate.id)))
        missing = self._issued_until(block) - indexed
        session.execute(delete(AuditFinding).where(AuditFinding.field == "record", AuditFinding.index_value.is_(None)))
        now = int(time.time())
        for cid in sorted(missing):
            log.error("audit: certificate %s is on chain but not in the read model", cid)
        if missing:
            gone = Disagreement("record", None, "present")
            session.execute(insert(AuditFinding), [_finding(cid, "", gone, block, now) for cid in sorted(missing)])
        mismatches = session.scalar(select(func.count(func.distinct(AuditFinding.certificate_id)))) or 0
        seconds = round(time.time() - state.pass_started_at, 3)
        report = PassReport(now, seconds, block, state.pass_checked, mismatches)
        state.last_pass_ended_at, state.last_pass_seconds, state.last_pass_block = now, seconds, block
        state.last_pass_certificates, state.last_pass_mismatches = state.pass_checked, mismatches
        state.cursor, state.pass_started_at, state.pass_checked = "", now, 0
        if mismatches:
            log.error(
                "audit: pass over %d certificates at block %d: %d mismatch(es)", report.certificates, block, mismatches
            )
        return report


def _finding(cid: str, number: str, d: Disagreement, block: int, now: int) -> dict[str, object]:
    return {
        "certificate_id": cid,
        "field": d.field,
        "number": number,
        "index_value": None if d.index is None else str(d.index),
        "chain_value": None if d.chain is None else str(d.chain),
        "block": block,
        "found_at": now,
    }
