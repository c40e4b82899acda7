"""Credit supervision demo acts on the local chain, so that `make up` shows every list and the dashboard filled.

Run after the demo register is imported. With the development keys (local chains only), it records honours and
dishonesty (one restored, one serious), sanctions a planner, moves planners out of the smallest grade A firm until
it falls below the staffing rule, revokes one grade B certificate for fraud, and announces a random-inspection
round whose draw block the later acts mine past, reveals its secret, then records results for the first firms
drawn. Every act is
idempotent: run again, the chain refuses what it has already (AlreadyRecorded, ...) and the rest is skipped.

    python -m scripts.demo_credit
"""

from __future__ import annotations

import time
from functools import partial

from eth_utils import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import errors
from ledger.certificates.client import RegistryClient
from ledger.certificates.documents import Document, firm_subject
from ledger.certificates.vault import documents, store
from ledger.certificates.vocabulary import Grade, Kind, Status
from ledger.chain.node import next_block
from ledger.chain.transactions import TransactionSender
from ledger.credit import inspections
from ledger.credit.acts import CreditClient, credit_request, inspection_request, record_id, round_id
from ledger.credit.register import QualifiedFirm, qualified_firms
from ledger.credit.vocabulary import Category, CreditKind, InspectionOutcome, Severity
from ledger.licensing.client import LicensingClient, proposal_id
from ledger.rules import staffing_rules
from ledger.store.models import Certificate, InspectionRound
from ledger.wiring import Ledger
from scripts.demo_support import attempt as attempt_act
from wallet.devkeys import dev_account
from wallet.reasons import RevocationReason

DAY = 86400
ROUND_TITLE = "自然资规抽查〔2026〕1号（演示）"
ROSTER = [f"督察员-{i:02d}" for i in range(1, 9)]
# Fixed so that the demo is idempotent; a real announcer draws its secret at random and keeps it until the reveal.
ROUND_SECRET = keccak(text="demo inspection secret " + ROUND_TITLE)
REFUSALS = (
    errors.AlreadyRecorded,
    errors.NotRestorable,
    errors.AlreadyAnnounced,
    errors.AlreadyDrawn,
    errors.ResultAlreadyRecorded,
    errors.WrongStatus,
    errors.SameEmployer,
    errors.AlreadyProposed,
    errors.UnknownProposal,
)


attempt = partial(attempt_act, refusals=REFUSALS)


def main() -> None:
    ledger = Ledger().check_live()
    chain_id = ledger.w3.eth.chain_id
    ministry_sender = ledger.sender(dev_account("ministry", chain_id))
    registrar_sender = ledger.sender(dev_account("registrar", chain_id))
    ministry = CreditClient(ledger.credit, ministry_sender)
    registrar = CreditClient(ledger.credit, registrar_sender)
    now = ledger.w3.eth.get_block("latest")["timestamp"]
    indexer = ledger.indexer()
    indexer.sync()
    with ledger.engine.connect() as connection:
        firms = sorted(qualified_firms(connection, now).values(), key=lambda f: f.number)
    grade_a = [f for f in firms if f.grade == Grade.A]
    grade_b = [f for f in firms if f.grade == Grade.B]
    if not grade_a or len(grade_b) < 6:
        raise SystemExit("the demo needs a grade A and 6 grade B firms: import the demo register first")
    print("credit records:")
    attempt("national award", lambda: ministry.record(_honour(cert(grade_a[0]), "自然资奖〔2026〕8号", 30, now)))
    attempt("provincial award", lambda: ministry.record(_honour(cert(grade_b[0]), "浙自然资奖〔2026〕3号", 10, now)))
    general = credit_request(
        cert(grade_b[1]), decision="自然资罚〔2026〕21号", now=now, published_from=now - 100 * DAY, days=300
    )
    attempt("general dishonesty", lambda: ministry.record(general))
    restored = credit_request(
        cert(grade_b[2]),
        decision="自然资罚〔2026〕17号",
        now=now,
        published_from=now - 120 * DAY,
        days=365,
        category=Category.FAILED_CHECK,
    )
    attempt("failed post-approval check", lambda: ministry.record(restored))
    restored_id = record_id(restored["decisionNumber"], bytes.fromhex(grade_b[2].subject[2:]))
    attempt("credit restoration", lambda: ministry.restore(restored_id, "自然资信修〔2026〕5号"))
    serious = credit_request(
        cert(grade_b[4]),
        decision="自然资罚〔2026〕33号",
        now=now,
        severity=Severity.SERIOUS,
        category=Category.FRAUD,
        points=40,
        published_from=now - 10 * DAY,
        days=730,
    )
    attempt("serious dishonesty", lambda: ministry.record(serious))
    planner = _planner_of(ledger, grade_b[3].subject)
    if planner is not None:
        sanction = credit_request(
            planner, decision="中规协罚〔2026〕2号", now=now, category=Category.RENTING_LENDING, points=20, days=200
        )
        attempt("planner sanction (挂证)", lambda: registrar.record(sanction))
    print("staffing and revocation:")
    _move_planners_out(ledger, registrar_sender, grade_a[0].subject, grade_b[0].credit_code or "", Grade.A)
    target = _last_grade_b_certificate(ledger)
    _revoke_for_fraud(ledger, ministry_sender, target)
    print("random inspection:")
    indexer.sync()
    head = ledger.w3.eth.get_block("latest")
    with ledger.engine.connect() as connection:  # what the announcement in the next block commits to
        population = inspections.members(connection, 0, 0, head["number"] + 1, head["timestamp"])
    draw_block = head["number"] + 3
    announce = inspection_request(
        ROUND_TITLE,
        draw_block=draw_block,
        roster=ROSTER,
        sample_size=5,
        secret=ROUND_SECRET,
        population=[bytes.fromhex(cid[2:]) for cid, _ in population],
    )
    attempt(f"round announced, drawn from block {draw_block}", lambda: ministry.announce(announce))
    while ledger.w3.eth.block_number <= _draw_block(ledger, ROUND_TITLE):
        next_block(ledger.w3)  # anvil mines one now; a network's sealers make one within a period
    attempt("draw revealed", lambda: ministry.reveal(round_id(ROUND_TITLE), ROUND_SECRET))
    indexer.sync()
    for selection in _selection(ledger)[:2]:
        outcome = InspectionOutcome.PASSED if selection.position % 2 == 0 else InspectionOutcome.RECTIFY
        report = keccak(text=f"inspection report {selection.certificate_id.hex()}")
        attempt(
            f"result {outcome.name}",
            lambda s=selection, o=outcome, r=report: ministry.record_result(round_id(ROUND_TITLE), s, o, r),
        )
    indexer.sync()


def cert(firm: QualifiedFirm) -> bytes:
    """The id of the certificate that qualifies ``firm``."""
    return bytes.fromhex(firm.certificate_id[2:])


def _honour(certificate: bytes, decision: str, points: int, now: int) -> dict[str, object]:
    category = Category.NATIONAL_AWARD if points >= 20 else Category.PROVINCIAL_AWARD
    return credit_request(
        certificate, decision=decision, now=now, kind=CreditKind.HONOUR, severity=Severity.NONE,
        category=category, points=points, days=3 * 365,
    )  # fmt: skip


def _revoke_for_fraud(ledger: Ledger, ministry: TransactionSender, number: str) -> None:
    """撤销 for fraud takes four eyes: one official of the ministry proposes (with the demo's own ministry sender:
    one sender per key keeps its nonces right), a second confirms."""
    chain_id = ledger.w3.eth.chain_id
    certificate, evidence = keccak(text=number), keccak(text=f"骗取资质的证据 {number}")
    proposer = LicensingClient(ledger.licensing, ministry)
    proposal = proposal_id(certificate, int(RevocationReason.FRAUD), evidence, proposer.sender.address)
    attempt(
        f"revocation for fraud of {number} proposed",
        lambda: proposer.propose_revocation(certificate, int(RevocationReason.FRAUD), evidence),
    )
    confirmer = ledger.licensing_client(dev_account("ministry-2", chain_id))
    attempt(f"revocation for fraud of {number} confirmed", lambda: confirmer.confirm_revocation(proposal))


def _last_grade_b_certificate(ledger: Ledger) -> str:
    """The grade B certificate with the highest number, revoked or not: the same one on every run."""
    with Session(ledger.engine) as session:
        return session.scalars(
            select(Certificate.number)
            .where(Certificate.kind == Kind.FIRM, Certificate.grade == Grade.B)
            .order_by(Certificate.number.desc())
        ).first()


def _planner_of(ledger: Ledger, employer: str) -> bytes | None:
    with Session(ledger.engine) as session:
        found = session.scalars(
            select(Certificate.id).where(
                Certificate.kind == Kind.PLANNER, Certificate.employer == employer, Certificate.status == Status.ACTIVE
            )
        ).first()
    return bytes.fromhex(found[2:]) if found else None


def _move_planners_out(ledger: Ledger, registrar: TransactionSender, firm: str, to_code: str, grade: Grade) -> None:
    """Transfer planners from ``firm`` to the firm ``to_code`` until it has one fewer than its grade's minimum."""
    minimum = staffing_rules().min_planners[int(grade)]
    with Session(ledger.engine) as session:
        numbers = session.scalars(
            select(Certificate.number)
            .where(Certificate.kind == Kind.PLANNER, Certificate.employer == firm, Certificate.status == Status.ACTIVE)
            .order_by(Certificate.number)
        ).all()
    leaving = numbers[: max(0, len(numbers) - (minimum - 1))]
    client = RegistryClient(ledger.w3, ledger.registry, registrar)
    for number in leaving:
        with ledger.vault.transaction() as sealed:
            document = documents(sealed, [number])[number]
            moved = Document(document.schema, {**document.public, "employerCreditCode": to_code}, document.personal)
            store(sealed, [moved])
        attempt(
            f"transfer {number}",
            lambda n=number, d=moved: client.transfer(n, firm_subject(to_code), d.hash(), d.public_data()),
        )
    if not leaving:
        print("  staffing: already below the rule")


def _draw_block(ledger: Ledger, title: str) -> int:
    return ledger.credit.functions.drawBlockOf(round_id(title)).call()


def _selection(ledger: Ledger) -> list[inspections.Selection]:
    with Session(ledger.engine) as session:
        row = session.get(InspectionRound, "0x" + round_id(ROUND_TITLE).hex())
    if row is None or row.seed is None:
        return []
    with ledger.engine.connect() as connection:
        members = inspections.population(connection, row)
    return inspections.draw_round(row, members, bytes.fromhex(row.seed[2:]))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"demo credit data in place ({time.perf_counter() - started:.1f} s)")
