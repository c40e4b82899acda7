"""From a page's form to an act's fields: what the console, the portal and the notices page ask people for (words,
dates, files, a certificate's fields) turned into the typed fields of ``wallet.typed_acts``, which the wallet then
signs. The words go to the dossier store (the chain keeps their keccak256, as the CLI's), a decision's document to
the vault; the application itself is read from the chain, never from the read model. No rule is checked here
that the contract checks: a form is refused only when it cannot make an act at all (a missing reason, a date that
is no date), and the contract judges the rest when the act is prepared, relayed and mined."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eth_utils import is_hex_address
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.certificates import vault
from ledger.certificates.client import certificate_id
from ledger.certificates.documents import firm_subject, issue_request, successor_request
from ledger.certificates.identifiers import IdentifierError, validate_credit_code, validate_number
from ledger.certificates.vocabulary import GRADE_LABELS, Grade, Kind
from ledger.credit.vocabulary import Category, CreditKind
from ledger.licensing import checks as review_checks
from ledger.licensing.client import ZERO, ApplicationKind, Filed, first_request, read_application, successor_filing
from ledger.licensing.deadlines import notice_end
from ledger.licensing.dossiers import HASH_PATTERN
from ledger.licensing.manifests import Manifest, ManifestFile
from ledger.store.models import Application, Certificate, Objection
from wallet.reasons import SIGNED_ACT_REASONS, UnknownReason, checked_reason
from wallet.typed_acts import ACT_TYPES, to_typed_json

from .problems import Problem
from .services import services

DAY = 86400
MAX_TEXT = 4000  # characters of an opinion, a list of what is missing, an objection
_HASH = re.compile(HASH_PATTERN)


@dataclass
class Form:
    """One submitted form: what it is ``about``, its ``inputs``, and the faults found so far."""

    about: str | None
    inputs: dict[str, Any]
    errors: list[dict[str, str]] = field(default_factory=list)

    def fault(self, name: str, message: str) -> None:
        self.errors.append({"field": name, "message": message})

    def text(self, name: str, label: str, *, required: bool = True) -> str:
        """Words of the act, stored so the pages can show them; their hash (ZERO when optional and empty)."""
        value = str(self.inputs.get(name) or "").strip()
        if not value:
            if required:
                self.fault(name, f"请填写{label}")
            return "0x" + ZERO.hex()
        if len(value) > MAX_TEXT:
            self.fault(name, f"{label}不超过 {MAX_TEXT} 字")
            return "0x" + ZERO.hex()
        return services().dossiers.put_text(value)

    def number(self, name: str, label: str, low: int, high: int) -> int:
        raw = str(self.inputs.get(name, "")).strip()
        if not raw.isdigit() or not low <= int(raw) <= high:
            self.fault(name, f"{label}为 {low}–{high} 的整数")
            return low
        return int(raw)

    def reason(self, act: str, *, absent: int | None = None) -> int:
        """The reason code chosen for ``act``: one of its vocabulary (the select offers no other, a hand-made post
        may); ``absent`` when none is chosen and the act's reason is optional."""
        raw = str(self.inputs.get("reason") or "").strip()
        if not raw and absent is not None:
            return absent
        try:
            return checked_reason(act, int(raw))
        except (ValueError, UnknownReason):
            codes = "、".join(f"{int(c)}（{r.label}）" for c, r in sorted(SIGNED_ACT_REASONS[act].items()))
            self.fault("reason", f"请选择原因：{codes}")
            return next(iter(sorted(SIGNED_ACT_REASONS[act])))

    def id32(self, value: str | None, name: str = "about") -> str:
        """An application, objection or proposal id: 0x and 64 hex digits."""
        text = (value or "").lower()
        if not _HASH.match(text):
            self.fault(name, "不是 0x 开头的 64 位十六进制标识")
            return "0x" + ZERO.hex()
        return text

    def application(self) -> tuple[str, Filed]:
        """The application this form is about, as the chain keeps it."""
        application = self.id32(self.about)
        self.check()
        return application, read_application(services().licensing, bytes.fromhex(application[2:]))

    def certificate(self, value: str | None) -> str:
        try:
            return "0x" + certificate_id(validate_number(value or "")).hex()
        except IdentifierError as wrong:
            self.fault("about", f"证书编号有误：{wrong}")
            return "0x" + ZERO.hex()

    def dossier(self) -> str:
        """The manifest of the uploaded files (``files``: each file's hash, name, type and size, as ``/web/files``
        answered) and of the registered planners counted (``planners``: registration numbers), stored; its hash."""
        files, store = self.inputs.get("files"), services().dossiers
        if not isinstance(files, list) or not files:
            self.fault("files", "请上传申请材料（PDF、PNG 或 JPEG）")
            return "0x" + ZERO.hex()
        entries = []
        for entry in files:
            digest = str(entry.get("hash", "")) if isinstance(entry, dict) else ""
            if not _HASH.match(digest) or not store.contains(digest):
                self.fault("files", "材料尚未上传成功，请重新选择文件")
                return "0x" + ZERO.hex()
            size = store.path_of(digest).stat().st_size
            entries.append(
                ManifestFile(str(entry.get("name") or digest)[:200], str(entry.get("mediaType", "")), size, digest)
            )
        planners = tuple(re.split(r"[\s,，;；]+", str(self.inputs.get("planners") or "").strip()))
        return store.put_json(Manifest(tuple(entries), tuple(p for p in planners if p)).to_json())

    def check(self) -> None:
        if self.errors:
            detail = "；".join(f"{e['message']}" for e in self.errors)
            raise Problem(400, "invalid-form", "Invalid form", detail, errors=self.errors)


Builder = Callable[[Form], dict[str, Any]]
_BUILDERS: dict[str, Builder] = {}


def builds(*acts: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        for act in acts:
            _BUILDERS[act] = builder
        return builder

    return register


def fields_of(act: str, about: str | None, inputs: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``act`` from a form; a 400 problem naming each faulty input."""
    builder = _BUILDERS.get(act)
    if builder is None:
        raise Problem(400, "invalid-form", "Invalid form", f"No form makes the act {act!r}.")
    form = Form(about, inputs)
    fields = builder(form)
    form.check()
    return to_typed_json(fields)


# ---- the applicant's acts ----

_FILED_ABOUT_A_CERTIFICATE = {
    "UPGRADE": ApplicationKind.UPGRADE,
    "RENEWAL": ApplicationKind.RENEWAL,
    "CHANGE": ApplicationKind.CHANGE,
    "CANCELLATION": ApplicationKind.CANCELLATION,
    "PLANNER_RENEWAL": ApplicationKind.PLANNER_RENEWAL,
    "PLANNER_CHANGE": ApplicationKind.PLANNER_CHANGE,
    "PLANNER_CANCELLATION": ApplicationKind.PLANNER_CANCELLATION,
}


@builds("File")
def _file(form: Form) -> dict[str, Any]:
    """A firm's first application (credit code and name), or an application about a certificate held (its number;
    a planner's change of employer names the new employer's credit code)."""
    kind = str(form.inputs.get("kind", ""))
    dossier = bytes.fromhex(form.dossier()[2:])
    if kind == "FIRST":
        try:
            code = validate_credit_code(str(form.inputs.get("creditCode", "")))
        except IdentifierError as wrong:
            form.fault("creditCode", f"统一社会信用代码有误：{wrong}")
            return {}
        name = str(form.inputs.get("name", "")).strip()
        if not name:
            form.fault("name", "请填写单位名称")
        return {"request": _named(first_request(code.value, name, code.province or 0, dossier))}
    if kind not in _FILED_ABOUT_A_CERTIFICATE:
        form.fault("kind", "请选择申请类型")
        return {}
    employer = ZERO
    if kind == "PLANNER_CHANGE":
        try:
            employer = firm_subject(validate_credit_code(str(form.inputs.get("employerCode", ""))).value)
        except IdentifierError as wrong:
            form.fault("employerCode", f"新执业单位的统一社会信用代码有误：{wrong}")
    certificate = bytes.fromhex(form.certificate(str(form.inputs.get("number", "")))[2:])
    return {
        "request": _named(successor_filing(_FILED_ABOUT_A_CERTIFICATE[kind], certificate, dossier, employer=employer))
    }


def _named(request: tuple[Any, ...]) -> dict[str, Any]:
    """An ApplicationRequest tuple as the typed act's struct, by its EIP-712 field names."""
    return dict(zip((f["name"] for f in ACT_TYPES["File"]["ApplicationRequest"]), request, strict=True))


@builds("Supplement")
def _supplement(form: Form) -> dict[str, Any]:
    return {"application": form.id32(form.about), "dossier": form.dossier()}


@builds("Withdraw", "Consent", "Accept")
def _on_application(form: Form) -> dict[str, Any]:
    return {"application": form.id32(form.about)}


@builds("Object")
def _object(form: Form) -> dict[str, Any]:
    """Anyone's objection to a notice: its words, and optionally one evidence file already uploaded."""
    evidence = str(form.inputs.get("evidence") or "")
    if evidence and not (_HASH.match(evidence) and services().dossiers.contains(evidence)):
        form.fault("evidence", "证据材料尚未上传成功")
    return {
        "application": form.id32(form.about),
        "evidenceHash": evidence or "0x" + ZERO.hex(),
        "textHash": form.text("text", "异议内容"),
    }


# ---- the authority's acts ----


_WORDS_ON_APPLICATION = {  # act: (its field, the form's input, what the words are)
    "RequestCompletion": ("listHash", "missing", "需补正的全部材料"),
    "RefuseAcceptance": ("reasonHash", "reason", "不予受理的理由"),
    "ExtendDecision": ("reasonHash", "reason", "延长期限的理由"),
    "Refuse": ("reasonsHash", "reasons", "不予许可的理由"),
}


def _words_on_application(act: str) -> Builder:
    """A step about an application whose one field is the hash of the authority's words."""
    name, source, label = _WORDS_ON_APPLICATION[act]
    return lambda form: {"application": form.id32(form.about), name: form.text(source, label)}


for _act in _WORDS_ON_APPLICATION:
    builds(_act)(_words_on_application(_act))


@builds("ExpertReview")
def _expert_review(form: Form) -> dict[str, Any]:
    return {"application": form.id32(form.about), "begun": form.inputs.get("begun") in (True, "true", "1")}


@builds("Review")
def _review(form: Form) -> dict[str, Any]:
    """The review opinion, with the ledger's checks computed now and stored (their hash goes on chain), and,
    when ``noticeDays`` is given, the notice published in the same act."""
    application, _ = form.application()
    opinion = form.text("opinion", "审查意见")
    days = form.number("noticeDays", "公示天数", 0, 365) if str(form.inputs.get("noticeDays") or "0") != "0" else 0
    now = services().now()
    ledger = services()
    with Session(ledger.engine) as session:
        row = session.get(Application, application)
        if row is None:
            raise Problem(503, "index-behind", "Index behind", "The index has not read this application yet.")
        checks = review_checks.compute(session, ledger.dossiers, row, now, ledger.grade_b_holding_period)
    return {
        "application": application,
        "checksHash": ledger.dossiers.put_json(checks),
        "opinionHash": opinion,
        "noticeEndsAt": notice_end(now, days) if days else 0,
    }


@builds("PublishNotice")
def _publish_notice(form: Form) -> dict[str, Any]:
    return {
        "application": form.id32(form.about),
        "endsAt": notice_end(services().now(), form.number("days", "公示天数", 1, 365)),
    }


@builds("AnswerObjections")
def _answer(form: Form) -> dict[str, Any]:
    """One answer to every objection of the application still open (the index names them; the contract refuses
    an objection already answered)."""
    application = form.id32(form.about)
    with Session(services().engine) as session:
        open_ones = session.scalars(
            select(Objection.id).where(Objection.application_id == application, Objection.answered_at.is_(None))
        ).all()
    if not open_ones:
        form.fault("about", "没有待答复的异议")
    return {"objections": list(open_ones), "answerHash": form.text("answer", "异议处理结果")}


DECISION_FIELDS = ("number", "address", "scope", "issuingAuthority", "decisionNumber", "validFrom", "validUntil",
                   "legalRepresentative", "technicalLead")  # fmt: skip
_OPTIONAL_DECISION_FIELDS = frozenset({"decisionNumber"})


@builds("ApproveFirst", "ApproveSuccessor", "ApproveChange", "ApproveCancellation")
def _approve(form: Form) -> dict[str, Any]:
    """The decision: for a grant or a change, the certificate's document as the authority writes it (the firm's
    name and credit code as filed, or as the certificate held has them), kept in the vault before it is signed."""
    application, filed = form.application()
    kind = ApplicationKind(filed.kind)
    dossier = "0x" + filed.dossier.hex()
    if kind in (ApplicationKind.CANCELLATION, ApplicationKind.PLANNER_CANCELLATION):
        return {"application": application, "dossier": dossier}
    if kind not in (ApplicationKind.FIRST, ApplicationKind.UPGRADE, ApplicationKind.RENEWAL, ApplicationKind.CHANGE):
        raise Problem(400, "invalid-form", "Invalid form", "注册城乡规划师的许可决定请使用命令行（ledger approve）。")
    fields = {**_held_fields(application, filed), **_filled(form)}
    if kind is ApplicationKind.UPGRADE:
        fields["grade"] = "甲级"
    form.check()
    document, _ = vault.keep_document(services().vault, fields, Kind.FIRM)
    if kind is ApplicationKind.FIRST:
        holder = filed.applicant if not filed.paper else str(form.inputs.get("holder", ""))
        request = issue_request(document, subject=filed.subject, province=filed.province, holder=holder)
        return {"application": application, "dossier": dossier, "request": request}
    if kind is ApplicationKind.CHANGE:
        return {
            "application": application,
            "dossier": dossier,
            "documentHash": document.hash(),
            "publicData": document.public_data(),
        }
    current = services().client().certificate(filed.certificate).holder  # the firm keeps the key it holds
    return {"application": application, "dossier": dossier, "successor": successor_request(document, holder=current)}


def _filled(form: Form) -> dict[str, str]:
    values = {name: str(form.inputs.get(name) or "").strip() for name in DECISION_FIELDS}
    for name in DECISION_FIELDS:
        if not values[name] and name not in _OPTIONAL_DECISION_FIELDS:
            form.fault(name, "必填")
    return {name: value for name, value in values.items() if value}


def _held_fields(application: str, filed: Filed) -> dict[str, str]:
    """What a decision keeps of the firm: for a first application its name and credit code as filed (grade B);
    otherwise the public fields of the certificate held (name, credit code, grade …), which the form's overrides."""
    if filed.kind == ApplicationKind.FIRST:
        with Session(services().engine) as session:
            row = session.get(Application, application)
        return {"name": (row and row.name) or "", "creditCode": (row and row.credit_code) or "", "grade": "乙级"}
    held = held_fields("0x" + filed.certificate.hex())
    if held is None:
        raise Problem(503, "index-behind", "Index behind", "The index has not read the certificate applied about.")
    return {k: v for k, v in held.items() if k not in DECISION_FIELDS}  # the decision writes those anew


def held_fields(certificate_id: str) -> dict[str, str] | None:
    """A certificate's public fields as its document has them (its number, and its grade as 甲级/乙级), from the
    index; None when the index has not read it."""
    with Session(services().engine) as session:
        held = session.get(Certificate, certificate_id)
        if held is None:
            return None
        public = {k: str(v) for k, v in json.loads(held.public_data).items()}
        return {**public, "number": held.number, "grade": GRADE_LABELS[Grade(held.grade)]}


# ---- acts on a certificate ----


@builds("Suspend")
def _suspend(form: Form) -> dict[str, Any]:
    """Suspension (暂扣) with its reason code."""
    return {"id": form.certificate(form.about), "reason": form.reason("Suspend")}


@builds("Reinstate")
def _reinstate(form: Form) -> dict[str, Any]:
    """Reinstatement (恢复) after a suspension; its reason code optional (0, not stated)."""
    return {"id": form.certificate(form.about), "reason": form.reason("Reinstate", absent=0)}


@builds("ProposeRevocation")
def _propose_revocation(form: Form) -> dict[str, Any]:
    """A revocation proposed (撤销, four eyes): its reason code and the evidence, in words; a second regulator of
    the same authority confirms it."""
    return {
        "certificate": form.certificate(form.about),
        "reason": form.reason("ProposeRevocation"),
        "evidenceHash": form.text("evidence", "撤销依据"),
    }


@builds("ConfirmRevocation", "WithdrawRevocation")
def _on_proposal(form: Form) -> dict[str, Any]:
    return {"proposal": form.id32(form.about)}


@builds("BindHolder")
def _bind_holder(form: Form) -> dict[str, Any]:
    """A firm's (or planner's) own key bound to its certificate after an identity check (绑定持证密钥)."""
    holder = str(form.inputs.get("holder") or "").strip()
    if not is_hex_address(holder):
        form.fault("holder", "持证账户地址为 0x 开头的 40 位十六进制")
        holder = "0x" + "00" * 20
    return {"id": form.certificate(form.about), "holder": holder, "reasonHash": form.text("reason", "核验情况")}


# ---- credit acts ----


@builds("RecordCredit")
def _record_credit(form: Form) -> dict[str, Any]:
    """An honour or a dishonesty decision on the firm holding the certificate: its category (which says which),
    severity, points, publication period from today, decision number and the decision's words as evidence."""
    category = form.number("category", "信用信息类别", 1, 65535)
    kind = CreditKind.HONOUR if category < Category.ADMINISTRATIVE_PENALTY else CreditKind.DISHONESTY
    severity = form.number("severity", "失信程度", 1, 3) if kind is CreditKind.DISHONESTY else 0
    decision = str(form.inputs.get("decisionNumber") or "").strip()
    if not decision:
        form.fault("decisionNumber", "请填写决定文号")
    start = int(services().w3.eth.get_block("latest")["timestamp"])  # not later than the block that records it
    request = {
        "certificate": form.certificate(form.about),
        "kind": int(kind),
        "severity": severity,
        "category": category,
        "points": form.number("points", "分值", 1, 100),
        "publishedFrom": start,
        "publishedUntil": start + form.number("days", "公示天数", 1, 5 * 365) * DAY,
        "evidenceHash": form.text("evidence", "决定内容"),
        "decisionNumber": decision,
    }
    return {"request": request}


@builds("RestoreCredit")
def _restore_credit(form: Form) -> dict[str, Any]:
    """A dishonesty record restored (信用修复) by a decision: its number and words."""
    decision = str(form.inputs.get("decisionNumber") or "").strip()
    if not decision:
        form.fault("decisionNumber", "请填写信用修复决定文号")
    request = {"record": form.id32(form.about), "evidenceHash": form.text("evidence", "修复依据"),
               "decisionNumber": decision}  # fmt: skip
    return {"request": request}
