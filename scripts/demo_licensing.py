"""Licensing demo acts on the local chain, so that `make up` shows applications in every stage.

Run after the demo register is imported, on a deployment made with the demonstration rule set (`make up` sets
LICENSING_RULES=licensing-demo: no minimum notice on chain, so one application can be approved today). With the
development keys (local chains only), the demo firm's key files first applications for new Zhejiang firms and
the province takes each one as far as its stage: filed; awaiting completion; accepted, with an expert review under
way; in notice with an unanswered objection; approved (its certificate issued in the same transaction); refused;
withdrawn. A grade B firm of the register applies on paper for an upgrade that the province has reviewed first,
and a revocation of another is proposed and left for a second regulator to confirm. A registered planner of the
register gets a key of its own (bound by the registrar) and applies to change employer: accepted, it waits for both
employers' consent. Every act is idempotent: run again, the chain refuses what it has already and the rest is
skipped.

    python -m scripts.demo_licensing
"""

from __future__ import annotations

import time
from functools import partial

from eth_utils import keccak
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger import errors
from ledger.certificates.documents import firm_document, firm_subject, issue_request
from ledger.certificates.identifiers import credit_code_check_character
from ledger.certificates.vault import store
from ledger.certificates.vocabulary import Grade, Kind, Status
from ledger.chain.node import next_block
from ledger.licensing.client import ApplicationKind, LicensingClient, application_id
from ledger.licensing.dossiers import DossierStore
from ledger.store.models import Certificate
from ledger.wiring import Ledger
from scripts.demo_support import attempt as attempt_act
from wallet.devkeys import dev_account
from wallet.reasons import RevocationReason

DAY = 86400
# Seconds beyond the minimum notice: the notice is counted from the review's block, which anvil mines at once and a
# network's sealers make within a period or two; a notice ending sooner after it than the minimum is refused.
NOTICE_SLACK = 10
# What the chain answers an act it has seen before; the approved firm's filing, made again, is QualificationHeld.
REFUSALS = (
    errors.AlreadyFiled,
    errors.WrongStage,
    errors.AlreadyProposed,
    errors.ExpertReviewOutOfOrder,
    errors.QualificationHeld,
    errors.AlreadyObjected,
)
STAGES = ("filed", "completion", "review", "notice", "approved", "refused", "withdrawn")
APPROVED_NAME = "杭州示范城乡规划设计有限公司"
STAGE_ACCEPTED = 3  # Stage.ACCEPTED
STAGES_FINAL = 7  # Stage.APPROVED: this and every later stage is final
FRAUD_EVIDENCE = "以欺骗手段取得资质的证据"  # what the demo's proposal to revoke for fraud (撤销) rests on


attempt = partial(attempt_act, refusals=REFUSALS)


def said(text: str) -> bytes:
    """The hash of an authority's (or objector's) words, the words kept in the dossier store so the console and
    the notices show them, as acts taken there do."""
    DossierStore().put_text(text)
    return keccak(text=text)


def demo_firm(index: int) -> str:
    """The credit code of demo firm ``index``: Hangzhou-registered (330106), check character computed."""
    body = f"91330106MA2DEM{index:02d}A"
    return body + credit_code_check_character(body)


def dossier(code: str) -> bytes:
    """The demo dossier manifest's hash (a real one hashes the manifest of the filed files)."""
    return keccak(text=f"申请材料清单 {code}: 申请表, 营业执照, 法定代表人及技术负责人, 技术人员社保证明, 业绩")


def main() -> None:
    ledger = Ledger().check_live()
    chain_id = ledger.w3.eth.chain_id
    firm = ledger.licensing_client(dev_account("firm", chain_id))
    zhejiang = ledger.licensing_client(dev_account("zhejiang", chain_id))
    citizen = ledger.licensing_client(dev_account("relayer", chain_id))
    minimum = ledger.licensing.functions.MIN_NOTICE_PERIOD().call()
    now = ledger.w3.eth.get_block("latest")["timestamp"]
    print("applications:")
    ids = {}
    for index, stage in enumerate(STAGES):
        code = demo_firm(index)
        ids[stage] = application_id(firm_subject(code), ApplicationKind.FIRST, dossier(code), firm.sender.address)
        name = f"杭州示范规划设计{index + 1}所" if stage != "approved" else APPROVED_NAME
        attempt(f"{stage}: filed by {code}", lambda c=code, n=name: firm.file_first(c, n, 33, dossier(c)))
    attempt("completion requested", lambda: zhejiang.request_completion(ids["completion"], said("缺社保证明")))
    for stage in ("review", "notice", "approved", "refused"):
        attempt(f"{stage}: accepted", lambda s=stage: zhejiang.accept(ids[s]))
    attempt("review: expert review begun", lambda: zhejiang.expert_review(ids["review"], begun=True))
    checks, opinion = keccak(text="自动核验结果"), said("审查意见：符合乙级标准")
    attempt(
        "notice: reviewed, noticed for 10 days",
        lambda: zhejiang.review(ids["notice"], checks, opinion, now + max(minimum, 10 * DAY)),
    )
    attempt(
        "notice: objection raised",
        lambda: citizen.object(ids["notice"], keccak(text="社保缴纳记录截图"), said("技术负责人疑似挂证")),
    )
    attempt("refused: reviewed", lambda: zhejiang.review(ids["refused"], checks, said("技术人员不足"), 0))
    attempt("refused: refused", lambda: zhejiang.refuse(ids["refused"], said("不予许可：技术人员不足")))
    attempt("withdrawn: withdrawn", lambda: firm.withdraw(ids["withdrawn"]))
    approve(ledger, zhejiang, ids["approved"], demo_firm(STAGES.index("approved")), minimum)
    register_acts(ledger, zhejiang)
    ledger.indexer().sync()


def approve(ledger: Ledger, zhejiang: LicensingClient, application: bytes, code: str, minimum: int) -> None:
    """Review with a notice as short as the rule set allows, then approve: the certificate is issued to the firm's
    key in the same transaction, its document kept in the vault like any issued one."""
    filed = zhejiang.application(application)
    if filed.stage >= STAGES_FINAL:
        print("  approved: already done")
        return
    if minimum > 60:
        print(f"  approved: skipped (the deployment's minimum notice is {minimum} s: deploy with licensing-demo)")
        return
    now = ledger.w3.eth.get_block("latest")["timestamp"]
    ends = now + minimum + NOTICE_SLACK
    attempt(
        "approved: reviewed, noticed",
        lambda: zhejiang.review(application, keccak(text="核验"), said("同意"), ends),
    )
    while ledger.w3.eth.get_block("latest")["timestamp"] < ends:
        time.sleep(1)
        next_block(ledger.w3)
    today = time.strftime("%Y-%m-%d")
    document = firm_document(
        {
            "number": "浙规乙字33DEMO04",
            "name": APPROVED_NAME,
            "creditCode": code,
            "address": "浙江省杭州市西湖区文三路90号",
            "grade": "乙级",
            "scope": "城乡规划编制（国土空间规划编制）",
            "issuingAuthority": "浙江省自然资源厅",
            "decisionNumber": "浙自然资规许〔2026〕1号",
            "validFrom": today,
            "validUntil": time.strftime("%Y-%m-%d", time.localtime(time.time() + 5 * 365 * DAY)),
            "legalRepresentative": "陈示范",
            "technicalLead": "周规划",
        }
    )
    with ledger.vault.transaction() as sealed:
        store(sealed, [document])
    holder = dev_account("firm", ledger.w3.eth.chain_id).address  # the key that applied holds the certificate
    request = issue_request(document, subject=firm_subject(code), province=33, holder=holder)
    attempt("approved: approved and issued", lambda: zhejiang.approve_first(application, filed.dossier, request))


def register_acts(ledger: Ledger, zhejiang: LicensingClient) -> None:
    """On the imported register: an upgrade filed on paper and first reviewed by the province, and a revocation
    proposed but not yet confirmed."""
    ledger.indexer().sync()
    with Session(ledger.engine) as session:
        grade_b = session.scalars(
            select(Certificate.id)
            .where(
                Certificate.province == 33,
                Certificate.grade == int(Grade.B),
                Certificate.status == Status.ACTIVE,
                Certificate.number.not_like("浙规乙字33DEMO%"),  # the register's firms, not this demo's
            )
            .order_by(Certificate.number)
            .limit(2)
        ).all()
    if len(grade_b) < 2:
        print("  (no two grade B firms of Zhejiang in the register: upgrade and revocation skipped)")
        return
    upgrade, revoked = (bytes.fromhex(i[2:]) for i in grade_b)
    manifest = keccak(text="升级申请材料清单（纸质）")
    upgrade_id = application_id(upgrade, ApplicationKind.UPGRADE, manifest, zhejiang.sender.address)
    attempt(
        "upgrade on paper: filed",
        lambda: zhejiang.file_successor(ApplicationKind.UPGRADE, upgrade, manifest, paper=True),
    )
    attempt("upgrade on paper: accepted", lambda: zhejiang.accept(upgrade_id))
    if zhejiang.application(upgrade_id).stage == STAGE_ACCEPTED:
        # Once reviewed, the next review is the ministry's: the province's own second try would be Unauthorized.
        attempt(
            "upgrade on paper: the province's first review",
            lambda: zhejiang.review(upgrade_id, keccak(text="初审核验"), said("初审同意，报部"), 0),
        )
    attempt(
        "revocation proposed for fraud (awaiting a second regulator)",
        lambda: zhejiang.propose_revocation(revoked, int(RevocationReason.FRAUD), keccak(text=FRAUD_EVIDENCE)),
    )
    change_of_employer(ledger, moving_to=upgrade)


def change_of_employer(ledger: Ledger, moving_to: bytes) -> None:
    """A planner of the register, given its own key by the registrar, applies to move to the firm holding
    ``moving_to``; the registrar accepts, and the application waits for both employers' consent."""
    chain_id = ledger.w3.eth.chain_id
    planner_key, registrar = dev_account("planner", chain_id), dev_account("registrar", chain_id)
    with Session(ledger.engine) as session:
        new_employer = session.scalar(select(Certificate.subject).where(Certificate.id == "0x" + moving_to.hex()))
        planner = session.scalars(
            select(Certificate)
            .where(Certificate.kind == int(Kind.PLANNER), Certificate.status == Status.ACTIVE)
            .where(Certificate.employer != new_employer)
            .order_by(Certificate.number)
            .limit(1)
        ).first()
    if planner is None or new_employer is None:
        print("  (no registered planner in the register: change of employer skipped)")
        return
    certificate = bytes.fromhex(planner.id[2:])
    if planner.holder.lower() != planner_key.address.lower():
        reason = keccak(text="注册城乡规划师本人书面申请绑定密钥，身份已核验")
        attempt(
            "planner: key bound", lambda: ledger.client(registrar).bind_holder(certificate, planner_key.address, reason)
        )
    applicant = ledger.licensing_client(planner_key)
    manifest = keccak(text=f"变更注册申请材料 {planner.number}: 解聘证明, 新单位聘用合同")
    employer = bytes.fromhex(new_employer[2:])
    change = application_id(certificate, ApplicationKind.PLANNER_CHANGE, manifest, planner_key.address)
    attempt(
        "planner: change of employer filed",
        lambda: applicant.file_successor(ApplicationKind.PLANNER_CHANGE, certificate, manifest, employer=employer),
    )
    attempt(
        "planner: accepted (awaiting both employers' consent)",
        lambda: ledger.licensing_client(registrar).accept(change),
    )


if __name__ == "__main__":
    main()
