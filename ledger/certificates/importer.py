"""Bulk import of a register (firms.csv, planners.csv) onto the chain.

1. Every row is validated first, without touching the chain: identifiers, documents, duplicates, one live
   qualification per firm, a known employer for every planner. Bad rows go to a report (file, line, column,
   reason); the good ones go on.
2. What is already on chain is skipped (read from the registry's events once our own pending transactions have
   settled), so an import killed at any point and run again ends with every certificate issued exactly once.
3. Documents and their salts are stored in the vault before their certificates are sent, so what is on chain
   can always be shown later.
4. Certificates go out in ``issueBatch`` transactions, several in flight at once (one sender per key, local
   nonces), the batches of every issuing authority in one pipeline: waiting for each authority's last batch
   before the next authority's first cost a block per province, and waiting for every firm before the first
   planner a block more; a planners' batch waits only for its employers' batches. A batch is sized so that a
   block holds a whole number of them (``fitting_batch_size``, from the gas of the batches sent so far). A batch
   the chain refuses is retried one certificate at a time to find and report the culprit.
"""

from __future__ import annotations

import csv
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from eth_account.signers.local import LocalAccount
from hexbytes import HexBytes
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from web3.contract import Contract

from ledger.certificates import vault as vault_store
from ledger.certificates.client import certificate_id
from ledger.certificates.documents import (
    Document,
    firm_document,
    firm_subject,
    issue_request,
    new_salt,
    planner_document,
    planner_subject,
)
from ledger.certificates.identifiers import IdentifierError, province_name, validate_credit_code, validate_id_number
from ledger.certificates.vocabulary import Grade, Kind, Status
from ledger.chain.transactions import TransactionSender
from ledger.errors import AlreadyIssued, ContractRevert, DocumentError
from ledger.store.models import Certificate
from ledger.vault.database import Vault
from wallet.devkeys import dev_account, dev_province_account

BATCH_SIZE = 100  # certificates per issueBatch at most (fewer when a block holds more of smaller ones)
IN_FLIGHT = 12  # BATCH_SIZE certificates' worth of batches in flight (three 60M-gas blocks), across the issuers
FILL = 0.97  # of a block's gas the batches are sized to take: certificates' gas varies a little
FULL = 0.95  # of that, what a block's whole batches must take at least
YES = frozenset({"是", "yes", "y", "true", "1", "需复核"})


@dataclass(frozen=True)
class Column:
    field: str  # the document field (English, also accepted as a header)
    header: str  # the Chinese header a regulator's export uses
    required: bool = True


FIRM_COLUMNS = (
    Column("number", "证书编号"),
    Column("name", "单位名称"),
    Column("creditCode", "统一社会信用代码"),
    Column("legalRepresentative", "法定代表人"),
    Column("technicalLead", "技术负责人"),
    Column("address", "住所"),
    Column("grade", "资质等级"),
    Column("scope", "业务范围"),
    Column("issuingAuthority", "发证机关"),
    Column("decisionNumber", "决定文号", required=False),
    Column("validFrom", "有效期起"),
    Column("validUntil", "有效期止"),
    Column("eCertificateId", "电子证照标识", required=False),
    Column("province", "省份", required=False),  # needed only for a nationally registered firm (code 100000)
    Column("review", "复核", required=False),  # 是: accept a legacy credit code / a province mismatch for review
)
PLANNER_COLUMNS = (
    Column("number", "注册号"),
    Column("name", "姓名"),
    Column("identityNumber", "公民身份号码"),
    Column("employerCreditCode", "执业单位统一社会信用代码"),
    Column("specialty", "专业"),
    Column("validFrom", "有效期起"),
    Column("validUntil", "有效期止"),
)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    reason: str
    flagged_only: bool = False  # accepted, but a regulator should review it


@dataclass
class Item:
    """A valid row, ready to issue."""

    file: str
    line: int
    kind: Kind
    document: Document
    request: dict[str, Any]
    identity: tuple[str, str, str] | None = None  # planners: (subject, identity number, salt) for the vault


@dataclass
class Plan:
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Outcome:
    issued: int = 0
    already_on_chain: int = 0
    refused: list[Problem] = field(default_factory=list)
    seconds: float = 0.0


# ---- 1. validation ----


def plan(firms_csv: Path | None, planners_csv: Path | None, engine: Engine, vault: Vault) -> Plan:
    """Validate both files against the read model (``engine``); reuse the vault's salts for numbers and people it
    already knows."""
    result = Plan()
    firm_rows = list(_read(firms_csv, FIRM_COLUMNS, result)) if firms_csv else []
    planner_rows = list(_read(planners_csv, PLANNER_COLUMNS, result)) if planners_csv else []
    with vault.transaction() as sealed:
        salts = vault_store.document_salts(
            sealed, [r["number"] for _, _, r in firm_rows + planner_rows if r.get("number")]
        )
        identities = vault_store.identity_salts(
            sealed, [r["identityNumber"].upper() for _, _, r in planner_rows if r.get("identityNumber")]
        )
    with Session(engine) as session:
        live_firms = _live_firm_numbers(session)
    numbers: dict[str, int] = {}
    firm_codes: dict[str, int] = {}
    for file, line, row in firm_rows:
        item = _firm_item(file, line, row, salts, result)
        if item and _unique(item, numbers, result) and _one_live_qualification(item, firm_codes, live_firms, result):
            result.items.append(item)
    known_employers = set(firm_codes) | set(live_firms)
    people: dict[str, int] = {}
    for file, line, row in planner_rows:
        item = _planner_item(file, line, row, identities, known_employers, result)
        if item and _unique(item, numbers, result) and _one_registration(item, people, result):
            result.items.append(item)
    return result


def _read(path: Path, columns: Sequence[Column], result: Plan) -> Iterator[tuple[str, int, dict[str, str]]]:
    """Rows as {field: value}; headers may be Chinese or the English field names, in any order."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        by_name = {c.header: c for c in columns} | {c.field.lower(): c for c in columns}
        mapped = [by_name.get(h.strip()) or by_name.get(h.strip().lower()) for h in header]
        missing = [c.header for c in columns if c.required and c not in mapped]
        if missing:
            result.problems.append(Problem(path.name, 1, "、".join(missing), "缺少必需的列 (missing required columns)"))
            return
        for line, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                reason = (
                    f"应有 {len(header)} 列，实有 {len(values)} 列 (expected {len(header)} fields, got {len(values)})"
                )
                result.problems.append(Problem(path.name, line, "", reason))
                continue
            yield path.name, line, {c.field: v.strip() for c, v in zip(mapped, values, strict=True) if c}


def _firm_item(
    file: str, line: int, row: dict[str, str], salts: dict[str, dict[str, str]], result: Plan
) -> Item | None:
    review = row.get("review", "").lower() in YES
    try:
        code = validate_credit_code(row.get("creditCode", ""), allow_legacy=review)
        document = firm_document(row, salts.get(row.get("number", "")), allow_legacy=review)
        province = _firm_province(code.province, row.get("province", ""), review)
    except (DocumentError, IdentifierError, ValueError) as exc:
        result.problems.append(Problem(file, line, _header(FIRM_COLUMNS, exc), str(exc)))
        return None
    if code.needs_review:
        result.problems.append(Problem(file, line, "统一社会信用代码", "校验位不符的存量代码，已按复核标记接受", True))
    request = issue_request(document, subject=firm_subject(code.value), province=province)
    return Item(file, line, Kind.FIRM, document, request)


def _firm_province(from_code: int | None, given: str, review: bool) -> int:
    if not given:
        if from_code is None:
            raise ValueError("province: 全国性登记的单位须填写省份 (a nationally registered firm needs 省份)")
        return from_code
    if not given.isdigit():
        raise ValueError(f"province: {given!r} 应为两位省级代码 (a two-digit GB/T 2260 code)")
    province = int(given)
    province_name(province)
    if from_code is not None and province != from_code and not review:
        raise ValueError(
            f"province: 省份 {province} 与信用代码所示 {from_code} 不符；如属实请在复核列填“是” "
            "(does not match the credit code; mark 复核 to accept for review)"
        )
    return province


def _planner_item(
    file: str,
    line: int,
    row: dict[str, str],
    identities: dict[str, str],
    employers: set[str],
    result: Plan,
) -> Item | None:
    try:
        identity_number = validate_id_number(row.get("identityNumber", ""))
        try:
            employer = validate_credit_code(row.get("employerCreditCode", ""), allow_legacy=True).value
        except IdentifierError as exc:
            raise DocumentError("employerCreditCode", str(exc)) from exc
        if employer not in employers:
            raise DocumentError("employerCreditCode", "执业单位不在本次导入或台账中 (employer is not a known firm)")
        salt = identities.get(identity_number) or new_salt()
        document = planner_document(row, salt)
    except (DocumentError, IdentifierError) as exc:
        result.problems.append(Problem(file, line, _header(PLANNER_COLUMNS, exc), str(exc)))
        return None
    subject = planner_subject(identity_number, salt)
    request = issue_request(document, subject=subject, province=0, employer=firm_subject(employer))
    return Item(file, line, Kind.PLANNER, document, request, ("0x" + subject.hex(), identity_number, salt))


def _header(columns: Sequence[Column], exc: Exception) -> str:
    name = getattr(exc, "field", "") or str(exc).split(":", 1)[0]
    return next((c.header for c in columns if c.field == name or c.header == name), name)


def _unique(item: Item, numbers: dict[str, int], result: Plan) -> bool:
    number = item.request["number"]
    if number in numbers:
        result.problems.append(
            Problem(item.file, item.line, "编号", f"编号与第{numbers[number]}行重复 (duplicate number)")
        )
        return False
    numbers[number] = item.line
    return True


def _one_live_qualification(item: Item, codes: dict[str, int], live: dict[str, str], result: Plan) -> bool:
    code = item.document.public["creditCode"]
    other = live.get(code)
    if code in codes or (other is not None and other != item.request["number"]):
        where = f"第{codes[code]}行" if code in codes else f"链上证书 {other}"
        reason = f"该单位已有有效资质（{where}），一个单位只能持有一份 (a firm holds one live qualification)"
        result.problems.append(Problem(item.file, item.line, "统一社会信用代码", reason))
        return False
    codes[code] = item.line
    return True


def _one_registration(item: Item, people: dict[str, int], result: Plan) -> bool:
    subject = item.identity[0] if item.identity else ""
    if subject in people:
        reason = f"与第{people[subject]}行为同一人，注册城乡规划师只能在一个单位注册 (one registration per planner)"
        result.problems.append(Problem(item.file, item.line, "公民身份号码", reason))
        return False
    people[subject] = item.line
    return True


def _live_firm_numbers(session: Session) -> dict[str, str]:
    """Credit code → number of each firm's live qualification, as far as the read model knows."""
    now = int(time.time())
    query = select(Certificate.credit_code, Certificate.number).where(
        Certificate.kind == Kind.FIRM,
        Certificate.status.in_((Status.ACTIVE, Status.SUSPENDED)),
        Certificate.valid_until > now,
    )
    return {code: number for code, number in session.execute(query).tuples() if code}


# ---- 2-4. issuing ----


def issue(
    plan_: Plan,
    vault: Vault,
    issuer_of: Callable[[Item], TransactionSender],
    registry: Contract,
    *,
    issued_ids: Callable[[], set[bytes]],
    batch_size: int = BATCH_SIZE,
    in_flight: int = IN_FLIGHT,
    progress: Callable[[int], object] = lambda n: None,
) -> Outcome:
    """Issue every item not yet on chain, each by the authority ``issuer_of`` names for it (one sender per key);
    ``issued_ids`` reads the ids on chain once the senders have settled. Firms go first: a planner's employer
    must hold its qualification, so a planners' batch is sent once its employers' batches are mined."""
    started = time.perf_counter()
    outcome = Outcome()
    groups: dict[tuple[int, str], tuple[TransactionSender, list[Item]]] = {}
    for item in plan_.items:
        sender = issuer_of(item)
        groups.setdefault((int(item.kind), sender.address), (sender, []))[1].append(item)
    for sender, _ in groups.values():
        sender.settle()
    on_chain = issued_ids()
    pending = [i for i in plan_.items if certificate_id(i.request["number"]) not in on_chain]
    outcome.already_on_chain = len(plan_.items) - len(pending)
    progress(outcome.already_on_chain)
    _store_in_vault(vault, pending)
    lanes = [  # firms first, each authority's in a lane of its own; then the planners, by their employer's turn
        (sender, todo)
        for _, (sender, items) in sorted(groups.items())
        if (todo := [i for i in items if certificate_id(i.request["number"]) not in on_chain])
    ]
    if lanes:
        sizing = _Sizing(registry.w3.eth.get_block("latest")["gasLimit"], batch_size)
        _send_pipelined(_batches(lanes, sizing), registry, in_flight * batch_size, sizing, outcome, progress)
    outcome.seconds = time.perf_counter() - started
    return outcome


def fitting_batch_size(gas_limit: int, gas_per_certificate: float, most: int) -> int:
    """The largest batch of at most ``most`` certificates of which a block of ``gas_limit`` holds a whole number
    with little gas to spare. ``most`` itself may leave much of every block unused: at 60M gas and 156k per
    certificate, three batches of 100 fit (78% of the block), four of 93 fill 97%.

    >>> fitting_batch_size(60_000_000, 156_000, 100)
    93
    >>> fitting_batch_size(60_000_000, 156_000, 10)
    10
    """
    per_block = gas_limit * FILL / gas_per_certificate  # certificates a block holds
    fitting = (size for size in range(most, 0, -1) if (per_block // size) * size >= FULL * per_block)
    return next(fitting, 1)


def development_issuers(
    registry: Contract, sender_for: Callable[[LocalAccount], TransactionSender], chain_id: int
) -> Callable[[Item], TransactionSender]:
    """Who imports each certificate on a local chain, as the authority that granted it: a grade B firm
    certificate its own province's development regulator (when that key may import: ``ledger deploy`` appoints
    one per province), a grade A one the ministry, a planner's registration the registrar. One sender per key."""
    importer_role = registry.functions.IMPORTER_ROLE().call()
    senders: dict[str, TransactionSender] = {}

    def sender(account: LocalAccount) -> TransactionSender:
        if account.address not in senders:
            senders[account.address] = sender_for(account)
        return senders[account.address]

    @cache
    def province_key(province: int) -> LocalAccount | None:
        account = dev_province_account(province, chain_id)
        return account if registry.functions.hasRole(importer_role, account.address).call() else None

    def issuer_of(item: Item) -> TransactionSender:
        if item.kind is Kind.PLANNER:
            return sender(dev_account("registrar", chain_id))
        if item.request["grade"] == Grade.B and (key := province_key(item.request["province"])) is not None:
            return sender(key)
        return sender(dev_account("ministry", chain_id))

    return issuer_of


def _store_in_vault(vault: Vault, items: Sequence[Item]) -> None:
    """Documents (with salts) and planner identities, committed before anything is sent."""
    with vault.transaction() as sealed:
        vault_store.store(sealed, [i.document for i in items], [i.identity for i in items if i.identity])


@dataclass(frozen=True)
class _Batch:
    """One ``issueBatch`` of one sender, and the firms (subjects) that must be on chain before it is sent."""

    sender: TransactionSender
    items: Sequence[Item]
    needs: frozenset[bytes]


@dataclass
class _Sizing:
    """The batch size, learnt from the gas the node estimates for each whole batch sent: a planner's certificate
    costs some 7% more than a firm's, so the firms' size would fit one batch fewer of planners in a block. Until a
    whole batch has been estimated, the most."""

    gas_limit: int
    most: int
    size: int = field(init=False)

    def __post_init__(self) -> None:
        self.size = self.most

    def learn(self, certificates: int, gas: int) -> None:
        if certificates == self.size:  # a province's few certificates would make each look dearer than it is
            self.size = fitting_batch_size(self.gas_limit, gas / certificates, self.most)


def _batches(lanes: Sequence[tuple[TransactionSender, Sequence[Item]]], sizing: _Sizing) -> Iterator[_Batch]:
    """Every lane's items in batches of the size ``sizing`` has learnt so far, in lane order. Planners go in the
    order their employers are sent, so that the first planners' batches wait only for the first firms' blocks."""
    turn = {
        i.request["subject"]: n for n, i in enumerate(i for _, items in lanes for i in items if i.kind is Kind.FIRM)
    }
    for sender, items in lanes:
        ordered = (
            sorted(items, key=lambda i: turn.get(i.request["employer"], -1)) if items[0].kind is Kind.PLANNER else items
        )
        start = 0
        while start < len(ordered):
            chunk = ordered[start : start + sizing.size]
            start += len(chunk)
            needs = frozenset(i.request["employer"] for i in chunk if i.request["employer"] in turn)
            yield _Batch(sender, chunk, needs)


def _send_pipelined(
    batches: Iterable[_Batch],
    registry: Contract,
    most_in_flight: int,
    sizing: _Sizing,
    outcome: Outcome,
    progress: Callable[[int], object],
) -> None:
    """The batches in order, from their own senders, in one window of at most ``most_in_flight`` certificates sent
    and not yet mined: a province's few certificates go out beside the others, not a block after them, and the
    window holds more than a block's worth, so each block a sealer starts finds the next one's waiting. A batch
    that needs firms still in the window waits until they are mined."""
    window: deque[tuple[_Batch, HexBytes]] = deque()
    in_flight = 0
    unmined: set[bytes] = set()  # subjects of the certificates in the window

    def settle_oldest() -> None:
        nonlocal in_flight
        batch, tx_hash = window.popleft()
        in_flight -= len(batch.items)
        unmined.difference_update(i.request["subject"] for i in batch.items)
        try:
            batch.sender.wait(tx_hash)
        except ContractRevert:
            _one_by_one(batch.sender, registry, batch.items, outcome, progress)
            return
        outcome.issued += len(batch.items)
        progress(len(batch.items))

    for batch in batches:
        while window and (in_flight >= most_in_flight or batch.needs & unmined):
            settle_oldest()
        call = registry.functions.issueBatch([i.request for i in batch.items])
        try:
            gas = batch.sender.estimate(call)
            tx_hash = batch.sender.send(call, gas=gas)
        except ContractRevert:
            while window:
                settle_oldest()
            _one_by_one(batch.sender, registry, batch.items, outcome, progress)
            continue
        sizing.learn(len(batch.items), gas)
        window.append((batch, tx_hash))
        in_flight += len(batch.items)
        unmined.update(i.request["subject"] for i in batch.items)
    while window:
        settle_oldest()


def _one_by_one(
    sender: TransactionSender,
    registry: Contract,
    batch: Sequence[Item],
    outcome: Outcome,
    progress: Callable[[int], object],
) -> None:
    """A refused batch, retried certificate by certificate: the good ones go through, the refused are reported."""
    for item in batch:
        try:
            sender.transact(registry.functions.issue(item.request))
            outcome.issued += 1
        except AlreadyIssued:
            outcome.already_on_chain += 1
        except ContractRevert as refusal:
            outcome.refused.append(Problem(item.file, item.line, "", f"链上拒绝 (refused by the contract): {refusal}"))
        progress(1)


# ---- the report ----


def write_report(path: Path, problems: Iterable[Problem]) -> int:
    """The bad (and flagged) rows as CSV; returns how many rows were refused."""
    path.parent.mkdir(parents=True, exist_ok=True)
    refused = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["文件 file", "行 line", "列 column", "处理 outcome", "原因 reason"])
        for p in sorted(problems, key=lambda p: (p.file, p.line)):
            refused += not p.flagged_only
            writer.writerow([p.file, p.line, p.column, "复核 flagged" if p.flagged_only else "拒绝 refused", p.reason])
    return refused
