"""The regulators' console: whose desk a signed-in account sits at (its roles on chain), the work queue of that
authority, and, on an application's page, the steps this account may take now.

Which steps a regulator may take is the contract's question, so it is asked of the contract: each step the stage
offers is run as an ``eth_call`` of the licensing registry from the regulator's address with harmless arguments,
and shown only when the contract would take it (role, jurisdiction, stage, the four eyes). Nothing is sent; the
signed act is judged again when it is relayed. Which authority a queue item waits for is mirrored from the contract
(``_checkAcceptingAuthority`` / ``_checkDecidingAuthority``) only to sort the queue: it grants nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.certificates.identifiers import PROVINCES
from ledger.certificates.vocabulary import Grade
from ledger.chain.calls import REFUSED, Call, call_many
from ledger.licensing.deadlines import notice_end
from ledger.licensing.vocabulary import FINAL_STAGES, PLANNER_KINDS
from ledger.store.models import Application, Certificate, RevocationProposal

from .applications import summaries
from .fields import instant

if TYPE_CHECKING:
    from ..services import Services

DAY = 86400
PLACEHOLDER = b"\x01" * 32  # a non-zero hash: the contract refuses zero words, and reads no other
PROBE_HOLDER = "0x" + "01" * 20


@dataclass(frozen=True)
class Desk:
    """The authority a signed-in account acts for, from its roles on chain."""

    ministry: bool
    province: int | None
    registrar: bool

    @property
    def label(self) -> str:
        if self.ministry:
            return "自然资源部"
        if self.province:
            return f"{PROVINCES.get(self.province, self.province)}自然资源主管部门"
        return "注册城乡规划师注册管理机构"

    def sees(self, row: Application) -> bool:
        """Whether an application is this desk's: its province's firms, grade A for the ministry, planners for the
        registrar. Another province's firm is never shown."""
        if row.kind in PLANNER_KINDS:
            return self.registrar or self.ministry
        if self.ministry:
            return row.grade == Grade.A
        return self.province is not None and row.province == self.province


def desk_of(roles: dict[str, Any]) -> Desk | None:
    """The desk of an account with these roles (``api.auth.roles_of``), or None: not a regulator."""
    if not (roles["ministry"] or roles["provincialRegulator"] or roles["plannerRegistrar"]):
        return None
    return Desk(bool(roles["ministry"]), roles["provincialRegulator"], bool(roles["plannerRegistrar"]))


TASKS = {
    "accept": ("待受理", "受理、一次性告知补正或不予受理"),
    "completion": ("待申请人补正", "已一次性告知补正，等待申请人提交"),
    "province-review": ("待省级初审", "甲级申请由单位所在省份初审后报部"),
    "review": ("待审查", "审查并出具审查意见"),
    "ministry-review": ("待部级审查", "省级初审已完成"),
    "notice": ("待公示", "审查完成，发布公示"),
    "noticing": ("公示中", "公示期内任何人可提出异议"),
    "objections": ("待答复异议", "答复全部异议后方可决定"),
    "decision": ("待作出许可决定", "公示期满且异议均已答复"),
}
WAITING = frozenset({"completion", "noticing"})


def task_of(row: Application, now: int) -> str:
    """What an open application waits for, from its stage and its notice."""
    stage = row.stage
    if stage == "FILED":
        return "accept"
    if stage == "COMPLETION_REQUESTED":
        return "completion"
    if stage == "ACCEPTED":
        return "province-review" if row.grade == Grade.A else "review"
    if stage == "PROVINCE_REVIEWED":
        return "ministry-review"
    if stage == "REVIEWED":
        return (
            "notice"
            if row.kind not in ("CHANGE", "CANCELLATION", "PLANNER_CHANGE", "PLANNER_CANCELLATION")
            else "decision"
        )
    if row.open_objections:
        return "objections"
    return "noticing" if (row.notice_ends_at or 0) > now else "decision"


def _acting(row: Application, task: str, desk: Desk) -> bool:
    """Whether the task is this desk's to do now (the applicant completes; the ministry takes grade A after the
    province's first review)."""
    if task in WAITING:
        return False
    if row.kind in PLANNER_KINDS:
        return desk.registrar
    if row.grade == Grade.A and task not in ("accept", "province-review"):
        return desk.ministry
    return desk.province == row.province or desk.ministry


def work_queue(ledger: Services, desk: Desk, account: str, now: int) -> dict[str, Any]:
    """The desk's open applications (its own tasks first, overdue first and then by due date) and the revocation
    proposals awaiting a second regulator (not the proposer's own: another regulator confirms them)."""
    with Session(ledger.engine) as session:
        query = select(Application).where(Application.stage.not_in(FINAL_STAGES))
        if not desk.ministry and not desk.registrar:
            query = query.where(Application.province == desk.province)
        rows = [row for row in session.scalars(query) if desk.sees(row)]
        items = summaries(session, rows, now)
        proposals = [p for p in _open_proposals(session, desk) if p["proposer"].lower() != account.lower()]
    for row, item in zip(rows, items, strict=True):
        task = task_of(row, now)
        item["task"], item["taskLabel"], item["taskHint"] = task, *TASKS[task]
        item["mine"] = _acting(row, task, desk)
    items.sort(key=_urgency)
    mine = [item for item in items if item["mine"]]
    return {
        "desk": desk.label,
        "mine": mine,
        "waiting": [item for item in items if not item["mine"]],
        "overdue": sum(1 for item in mine if item["due"] and item["due"]["overdue"]),
        "proposals": proposals,
    }


def _urgency(item: dict[str, Any]) -> tuple[int, str, str]:
    due = item["due"]
    overdue = 0 if due and due["overdue"] else 1
    return overdue, (due["dueDate"].isoformat() if due else "9999"), item["filedAt"].isoformat()


def _open_proposals(session: Session, desk: Desk) -> list[dict[str, Any]]:
    rows = session.execute(
        select(RevocationProposal, Certificate)
        .join(Certificate, Certificate.id == RevocationProposal.certificate_id)
        .where(RevocationProposal.state == "OPEN")
        .order_by(RevocationProposal.proposed_at)
    ).all()
    return [
        {
            "id": proposal.id,
            "number": certificate.number,
            "name": certificate.name,
            "reason": proposal.reason,
            "proposer": proposal.proposer,
            "proposedAt": instant(proposal.proposed_at),
        }
        for proposal, certificate in rows
        if (desk.ministry and certificate.grade == Grade.A)
        or desk.province == certificate.province
        or (desk.registrar and certificate.province == 0)
    ]


# ---- the steps a regulator may take now, as the contract answers ----

STEPS_BY_STAGE: dict[str, tuple[str, ...]] = {
    "FILED": ("Accept", "RequestCompletion", "RefuseAcceptance"),
    "COMPLETION_REQUESTED": ("RefuseAcceptance",),
    "ACCEPTED": ("Review", "ExpertReview", "ExtendDecision", "Refuse"),
    "PROVINCE_REVIEWED": ("Review", "ExpertReview", "ExtendDecision", "Refuse"),
    "REVIEWED": ("PublishNotice", "Approve", "ExtendDecision", "Refuse"),
    "IN_NOTICE": ("AnswerObjections", "Approve", "ExtendDecision", "Refuse"),
}
APPROVALS = {
    "FIRST": "ApproveFirst",
    "UPGRADE": "ApproveSuccessor",
    "RENEWAL": "ApproveSuccessor",
    "CHANGE": "ApproveChange",
    "CANCELLATION": "ApproveCancellation",
    "PLANNER_CANCELLATION": "ApproveCancellation",
}


def step_probes(
    ledger: Services, row: Application, account: str, open_objections: Sequence[str]
) -> list[tuple[str, Call]]:
    """The steps of ``row``'s stage, each as the eth_call from ``account`` that asks whether the contract would take
    it now (harmless arguments). An approval is asked as the refusal (the same authority, stage and time): its own
    checks (the notice run, every objection answered, the certificate's fields) are the decision form's, and the
    contract's when it is relayed."""
    application = bytes.fromhex(row.id[2:])

    def probe(step: str) -> Call | None:
        """The step as an eth_call with harmless arguments; None for a step that does not apply to ``row``."""
        if step == "AnswerObjections":
            objections = [bytes.fromhex(o[2:]) for o in open_objections]
            return licensing("answerObjections", objections, PLACEHOLDER) if objections else None
        if step == "Approve":
            grant = APPROVALS.get(row.kind) in ("ApproveFirst", "ApproveSuccessor")
            return None if row.kind not in APPROVALS or (grant and row.stage == "REVIEWED") else probe("Refuse")
        if step == "PublishNotice":  # an end the next block must accept: from the chain's clock, not the page's
            return licensing("publishNotice", application, notice_end(ledger.now(), ledger.minimum_notice_days))
        if step == "ExpertReview":
            return licensing("expertReview", application, row.expert_review_began_at is None)
        if step == "Accept":
            return licensing("accept", application)
        if step == "Review":
            return licensing("review", application, PLACEHOLDER, PLACEHOLDER, 0)
        return licensing(step[0].lower() + step[1:], application, PLACEHOLDER)  # refuse, extendDecision …

    def licensing(function: str, *args: Any) -> Call:
        return Call(ledger.licensing, function, args, account)

    return [(step, call) for step in STEPS_BY_STAGE.get(row.stage, ()) if (call := probe(step)) is not None]


def steps_taken(row: Application, probes: Sequence[tuple[str, Call]], answers: Sequence[Any]) -> list[str]:
    """The steps whose probe the contract answered (an approval named by the act its kind takes)."""
    taken = [step for (step, _), answer in zip(probes, answers, strict=True) if answer is not REFUSED]
    return [APPROVALS[row.kind] if step == "Approve" else step for step in taken]


def certificate_steps(
    ledger: Services,
    certificate_id: str,
    account: str,
    proposals: Sequence[RevocationProposal],
    records: Sequence[str] = (),
) -> list[str]:
    """The acts on a certificate the registries would take from ``account`` now: suspend or reinstate, bind a
    holder key, record credit, propose a revocation, confirm or withdraw an open proposal (the proposer withdraws,
    another regulator confirms), and restore one of the firm's published dishonesty ``records``."""
    cid = bytes.fromhex(certificate_id[2:])
    registry, licensing, credit = ledger.registry, ledger.licensing, ledger.credit
    asked = [
        ("Suspend", Call(registry, "suspend", (cid, 1), account)),
        ("Reinstate", Call(registry, "reinstate", (cid, 0), account)),
        ("ProposeRevocation", Call(licensing, "proposeRevocation", (cid, 1, PLACEHOLDER), account)),
        ("BindHolder", Call(registry, "bindHolder", (cid, PROBE_HOLDER, PLACEHOLDER), account)),
        ("RecordCredit", Call(credit, "recordCredit", (_probe_record(ledger, cid),), account)),
    ]
    for proposal in proposals:
        pid = bytes.fromhex(proposal.id[2:])
        asked.append((f"ConfirmRevocation:{proposal.id}", Call(licensing, "confirmRevocation", (pid,), account)))
        asked.append((f"WithdrawRevocation:{proposal.id}", Call(licensing, "withdrawRevocation", (pid,), account)))
    for record in records:
        restoration = (bytes.fromhex(record[2:]), PLACEHOLDER, "probe")
        asked.append((f"RestoreCredit:{record}", Call(credit, "restoreCredit", (restoration,), account)))
    taken = may_take(ledger, [call for _, call in asked])
    return [step for (step, _), yes in zip(asked, taken, strict=True) if yes]


def _probe_record(ledger: Services, certificate: bytes) -> tuple[Any, ...]:
    """A general dishonesty record published from now, as the credit registry's struct: asks whether this
    regulator may record credit on this certificate's firm at all."""
    now = ledger.w3.eth.get_block("latest")["timestamp"]
    return (certificate, 2, 2, 101, 10, now, now + 180 * DAY, PLACEHOLDER, "probe")


def may_take(ledger: Services, calls: Sequence[Call]) -> list[bool]:
    """Whether the contracts would take each call now (one batch of eth_calls; nothing is sent)."""
    return [answer is not REFUSED for answer in call_many(ledger.w3, list(calls))]


def words(ledger: Services, application: dict[str, Any]) -> dict[str, str]:
    """Hash → the words stored under it, for every hash of an application's steps and objections whose words the
    dossier store holds (acts taken in the console and portal store them; the command line keeps hashes only)."""
    hashes = {value for step in application["timeline"] for key, value in step["data"].items() if key.endswith("Hash")}
    hashes |= {o["textHash"] for o in application["objections"]} | {o["answerHash"] for o in application["objections"]}
    store = ledger.dossiers
    found = {h: store.text_of(h) for h in hashes if isinstance(h, str)}
    return {h: text for h, text in found.items() if text is not None}
