"""The licensing registry's events folded into rows: an application (with its objections) and a revocation
proposal are each the fold of their own events, in chain order. Pure functions of the events, so the read model
rebuilt from the chain equals the one indexed step by step, and a reorg is undone by folding what is left."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ledger.chain.events import ChainEvent
from ledger.licensing.vocabulary import KINDS, STAGES

# The kinds whose approval makes a new certificate (the others change or cancel the one applied about).
_MAKING = frozenset({"FIRST", "UPGRADE", "RENEWAL", "PLANNER_REGISTRATION", "PLANNER_RENEWAL"})

PROPOSAL_EVENTS = ("RevocationProposed", "RevocationConfirmed", "RevocationWithdrawn")
APPLICATION_EVENTS = (
    "ApplicationFiled",
    "CompletionRequested",
    "DossierSupplemented",
    "ApplicationNotAccepted",
    "ApplicationAccepted",
    "ApplicationReviewed",
    "ExpertReview",
    "DecisionExtended",
    "NoticePublished",
    "ObjectionRaised",
    "ObjectionAnswered",
    "ApplicationApproved",
    "ApplicationRefused",
    "ApplicationWithdrawn",
    "EmployerNamed",
    "EmployerConsented",
)
LICENSING_EVENTS = APPLICATION_EVENTS + PROPOSAL_EVENTS
_ACTOR_ARGUMENT = {"ApplicationFiled": "applicant", "RevocationProposed": "proposer"}


def about(event: ChainEvent) -> str:
    """The id an event belongs to: its revocation proposal's, else its application's."""
    return str(event.args["proposal"] if event.name in PROPOSAL_EVENTS else event.args["id"])


def event_row(event: ChainEvent) -> dict[str, Any]:
    """The ``licensing_events`` row of an event: its position, what it is about, who acted and its arguments."""
    actor = event.args.get(_ACTOR_ARGUMENT.get(event.name, "by"))
    return {
        "block_number": event.block_number,
        "log_index": event.log_index,
        "block_hash": event.block_hash,
        "block_time": event.block_time,
        "tx_hash": event.tx_hash,
        "about": about(event),
        "name": event.name,
        "actor": actor.lower() if isinstance(actor, str) else None,
        "data": json.dumps(event.args, sort_keys=True, separators=(",", ":")),
    }


def fold_application(rows: Sequence[Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An application's row and its objections' rows from its ``licensing_events`` rows, in chain order (the first
    is always its ApplicationFiled)."""
    application: dict[str, Any] = {}
    objections: dict[str, dict[str, Any]] = {}
    for row in rows:
        args, at, by = json.loads(row.data), row.block_time, row.actor
        name = row.name
        if name == "ApplicationFiled":
            application = _filed(args, at)
        elif name == "CompletionRequested":
            application.update(stage="COMPLETION_REQUESTED", completion_requested_at=at)
        elif name == "DossierSupplemented":
            application.update(stage="FILED", dossier=args["dossier"], supplemented_at=at)
        elif name == "ApplicationAccepted":
            application.update(stage="ACCEPTED", accepted_at=at)
        elif name == "ApplicationReviewed":
            stage = STAGES[args["stage"]]
            instant = "province_reviewed_at" if stage == "PROVINCE_REVIEWED" else "reviewed_at"
            application.update({"stage": stage, instant: at, "checks_hash": args["checksHash"]})
        elif name == "ExpertReview":
            application["expert_review_began_at" if args["begun"] else "expert_review_ended_at"] = at
        elif name == "DecisionExtended":
            application["extended_at"] = at
        elif name == "NoticePublished":
            application.update(stage="IN_NOTICE", notice_at=at, notice_ends_at=args["endsAt"])
        elif name == "ObjectionRaised":
            objections[args["objection"]] = _objection(args, at, by)
            application["open_objections"] += 1
            application["objections"] += 1
        elif name == "ObjectionAnswered":
            objections[args["objection"]].update(answered_at=at, answered_by=by, answer_hash=args["answerHash"])
            application["open_objections"] -= 1
        elif name in ("ApplicationApproved", "ApplicationRefused", "ApplicationNotAccepted", "ApplicationWithdrawn"):
            stage = {
                "ApplicationApproved": "APPROVED",
                "ApplicationRefused": "REFUSED",
                "ApplicationNotAccepted": "NOT_ACCEPTED",
                "ApplicationWithdrawn": "WITHDRAWN",
            }[name]
            application.update(stage=stage, decided_at=at, decided_by=by)
            if name == "ApplicationApproved" and application["kind"] in _MAKING:
                application["issued_certificate"] = args["certificate"]
        elif name == "EmployerNamed":
            application["employer"] = args["employer"]
        elif name == "EmployerConsented":
            which = "new" if args["employer"] == application["employer"] else "old"
            application[f"{which}_employer_consented_at"] = at
        application["updated_at"] = at
    return application, list(objections.values())


def fold_proposal(rows: Sequence[Any]) -> dict[str, Any]:
    """A revocation proposal's row from its ``licensing_events`` rows, in chain order."""
    proposal: dict[str, Any] = {}
    for row in rows:
        args = json.loads(row.data)
        if row.name == "RevocationProposed":
            proposal = {
                "id": args["proposal"],
                "certificate_id": args["certificate"],
                "proposer": row.actor,
                "reason": args["reason"],
                "evidence_hash": args["evidenceHash"],
                "proposed_at": row.block_time,
                "state": "OPEN",
                "closed_at": None,
                "closed_by": None,
            }
        else:
            state = "CONFIRMED" if row.name == "RevocationConfirmed" else "WITHDRAWN"
            proposal.update(state=state, closed_at=row.block_time, closed_by=row.actor)
    return proposal


def _filed(args: dict[str, Any], at: int) -> dict[str, Any]:
    certificate = args["certificate"]
    public = _public_fields(args.get("publicData", ""))
    return {
        "id": args["id"],
        "subject": args["subject"],
        "certificate_id": None if int(certificate, 16) == 0 else certificate,
        "kind": KINDS[args["kind"]],
        "grade": args["grade"],
        "province": args["province"],
        "applicant": args["applicant"].lower(),
        "paper": args["paper"],
        "dossier": args["dossier"],
        "name": public.get("name"),
        "credit_code": public.get("creditCode"),
        "stage": "FILED",
        "filed_at": at,
        "completion_requested_at": None,
        "supplemented_at": None,
        "accepted_at": None,
        "province_reviewed_at": None,
        "reviewed_at": None,
        "checks_hash": None,
        "expert_review_began_at": None,
        "expert_review_ended_at": None,
        "extended_at": None,
        "notice_at": None,
        "notice_ends_at": None,
        "open_objections": 0,
        "objections": 0,
        "decided_at": None,
        "decided_by": None,
        "issued_certificate": None,
        "employer": None,
        "old_employer_consented_at": None,
        "new_employer_consented_at": None,
    }


def _public_fields(text: str) -> dict[str, str | None]:
    """The name and credit code an applicant filed, as text; whatever is not a JSON object of strings is ignored
    (the chain does not check the filing's public data, so it is never trusted further than that)."""
    try:
        fields = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(fields, dict):
        return {}
    return {key: value[:200] for key in ("name", "creditCode") if isinstance(value := fields.get(key), str)}


def _objection(args: dict[str, Any], at: int, by: str | None) -> dict[str, Any]:
    return {
        "id": args["objection"],
        "application_id": args["id"],
        "objector": by,
        "evidence_hash": args["evidenceHash"],
        "text_hash": args["textHash"],
        "raised_at": at,
        "answered_at": None,
        "answered_by": None,
        "answer_hash": None,
    }
