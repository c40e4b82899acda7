"""``ledger``: the command line of the planning-qualification ledger.

Regulator acts are signed with a wallet keystore (``--key LABEL``) or, on the local chain only, a public
development key (``--as ministry``, ``--as zhejiang``, ...). ``ledger relay`` sends an act a regulator signed
elsewhere (``wallet sign-act``) from the relayer's account, after the chain has said it would accept it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click
from eth_account.signers.local import LocalAccount
from eth_utils import is_address, keccak, to_checksum_address
from requests.exceptions import RequestException
from sqlalchemy.orm import Session
from tqdm import tqdm

from ledger.certificates import importer, queries, vault
from ledger.certificates.client import ActResult, RegistryClient, certificate_id
from ledger.certificates.documents import (
    Document,
    firm_subject,
    issue_request,
    new_salt,
    planner_subject,
    successor_request,
)
from ledger.certificates.identifiers import PROVINCES, validate_credit_code, validate_id_number, validate_number
from ledger.certificates.vocabulary import Kind, Status
from ledger.chain.deployment import ensure_demo_deployment
from ledger.credit.profiles import load_profiles
from ledger.errors import ChainUnavailable, LedgerError
from ledger.licensing import checks as review_checks
from ledger.licensing import queries as licensing_queries
from ledger.licensing.client import ZERO, ApplicationKind, LicensingClient, Step
from ledger.licensing.deadlines import notice_end
from ledger.licensing.dossier_cli import dossier
from ledger.licensing.due import current_due
from ledger.licensing.vocabulary import STAGES
from ledger.rules import licensing_rules
from ledger.settings import data_dir, deployment_record_path, keep_data_private, rpc_url
from ledger.store.models import Application
from ledger.vault.cli import vault as vault_commands
from ledger.wiring import Ledger
from wallet.devkeys import DEV_ROLES, dev_account
from wallet.errors import WalletError
from wallet.keystore import KeyStore
from wallet.passwords import read_password
from wallet.reasons import UnknownReason, check_act_reason, checked_reason, reason_listing
from wallet.typed_acts import SignedAct


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    if value is not None:
        ctx.meta[f"signer.{param.name}"] = value


def signer_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Who signs: ``--key`` (a wallet keystore; password from --password-file, WALLET_PASSWORD or a prompt) or
    ``--as`` (a public development key, local chain only)."""
    options = [
        click.option(
            "--as",
            "dev_role",
            type=click.Choice(sorted(DEV_ROLES)),
            help="development key (local chain)",
            expose_value=False,
            callback=_remember,
        ),
        click.option("--key", help="keystore label or address (wallet)", expose_value=False, callback=_remember),
        click.option("--password-file", type=click.Path(path_type=Path), expose_value=False, callback=_remember),
    ]
    for option in options:
        command = option(command)
    return command


def _account(ctx: click.Context, chain_id: int) -> LocalAccount:
    """The signer chosen with --key or --as (exactly one)."""
    key: str | None = ctx.meta.get("signer.key")
    role: str | None = ctx.meta.get("signer.dev_role")
    if role is not None and key is None:
        return dev_account(role, chain_id)
    if key is not None and role is None:
        password = read_password(
            file=ctx.meta.get("signer.password_file"),
            prompt=lambda: click.prompt("Keystore password", hide_input=True),
        )
        return KeyStore().unlock(key, password, chain_id=chain_id)
    raise click.UsageError("choose who signs: --key LABEL (a keystore) or --as ROLE (a development key)")


class LedgerGroup(click.Group):
    """Turns the ledger's own errors into one clear line and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ChainUnavailable, RequestException) as exc:  # no node, or it went away mid-command
            command = ctx.invoked_subcommand or "ledger"
            url = ctx.obj.get("rpc_url") if isinstance(ctx.obj, dict) else None
            raise click.ClickException(
                f"{command}: lost the chain node at {url} ({type(exc).__name__}). What it confirmed is on chain and "
                "the read model keeps what it committed with its checkpoint; run the same command again to resume: "
                "it skips what is done."
            ) from exc
        except LedgerError as exc:
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc
        except WalletError as exc:
            raise click.ClickException(f"{exc.code}: {exc}") from exc


@click.group(cls=LedgerGroup)
@click.option("--rpc-url", default=rpc_url, show_default="LEDGER_RPC_URL or http://127.0.0.1:8545")
@click.option("--record", type=click.Path(path_type=Path), default=deployment_record_path, show_default="var/")
@click.option("--database-url", default=None, help="DATABASE_URL or sqlite under var/")
@click.option("--vault-url", default=None, help="VAULT_URL or sqlite:///var/vault.db")
@click.pass_context
def main(ctx: click.Context, rpc_url: str, record: Path, database_url: str | None, vault_url: str | None) -> None:
    """Planning-qualification ledger (城乡规划编制单位资质 / 注册城乡规划师)."""
    keep_data_private()
    ctx.obj = {"rpc_url": rpc_url, "record": record, "database_url": database_url, "vault_url": vault_url}


def _unchecked(ctx: click.Context) -> Ledger:
    """The wired ledger (``ledger.wiring``) as the options name it, its deployment not yet checked."""
    return Ledger(ctx.obj["rpc_url"], ctx.obj["record"], ctx.obj["database_url"], vault_url=ctx.obj["vault_url"])


def _ledger(ctx: click.Context) -> Ledger:
    """The wired ledger (``ledger.wiring``), its deployment checked live on the chain."""
    if "ledger" not in ctx.obj:
        ctx.obj["ledger"] = _unchecked(ctx).check_live()
    return ctx.obj["ledger"]


# ---- deployment and indexing ----


@main.command()
@click.pass_context
def deploy(ctx: click.Context) -> None:
    """Deploy the registry on a local chain with the demo roles (reused if already there)."""
    ledger = _unchecked(ctx)
    record, reused = ensure_demo_deployment(ledger.w3, ledger.record_path, ledger.artifact, PROVINCES)
    verb = "reusing" if reused else "deployed"
    click.echo(
        f"{verb} CertificateRegistry at {record.address} on chain {record.chain_id} (block {record.block_number})"
    )
    click.echo(f"record: {ctx.obj['record']}")
    indexer = _unchecked(ctx).indexer()
    if indexer.indexes_another_deployment():
        # The read model of an earlier deployment (e.g. before the contracts changed) indexes registries that are
        # not this record's: it is emptied for this one; the vault (documents, identities, salts) is kept.
        indexer.reset()
        click.echo("the read model indexed another deployment: emptied, to be rebuilt for this one (vault kept)")


@main.command()
@click.option("--once", is_flag=True, help="catch up with the chain and stop (default: follow it)")
@click.option("--interval", default=1.0, show_default=True, help="seconds between polls when following")
@click.option("--confirmations", type=int, default=None, help="blocks to stay behind the head (local: 0, else 12)")
@click.pass_context
def index(ctx: click.Context, once: bool, interval: float, confirmations: int | None) -> None:
    """Follow the registry's events into the read model."""
    indexer = _ledger(ctx).indexer(confirmations)
    if once:
        report = indexer.sync()
        click.echo(f"indexed {report.events} events, blocks {report.from_block}-{report.to_block}")
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s indexer %(levelname)s %(message)s")
    click.echo(f"indexing {indexer.address} every {interval} s, auditing the read model as it goes (Ctrl-C stops)")
    indexer.run_forever(interval, after_sync=_ledger(ctx).auditor().step)


@main.command()
@click.pass_context
def audit(ctx: click.Context) -> None:
    """Re-check every indexed certificate against the registry at the indexed block, now, in one pass; exit 1 if
    any row disagrees (`ledger index` runs the same audit continuously, a slice after every poll)."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(message)s")
    report = _ledger(ctx).auditor().full_pass()
    click.echo(
        f"audited {report.certificates} certificates at block {report.block} in {report.seconds:.1f} s: "
        f"{report.mismatches} mismatch(es)"
    )
    if report.mismatches:
        ctx.exit(1)


@main.command()
@click.argument("profiles_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def profiles(ctx: click.Context, profiles_csv: Path) -> None:
    """Load firms' annual-report figures (technical staff, senior titles, projects) for credit grading."""
    count = load_profiles(_unchecked(ctx).engine, profiles_csv)
    click.echo(f"loaded {count} firm profiles from {profiles_csv}")


@main.command()
@click.pass_context
def reindex(ctx: click.Context) -> None:
    """Drop the read model (not the vault) and rebuild it from the chain."""
    indexer = _ledger(ctx).indexer()
    indexer.reset()
    report = indexer.sync()
    click.echo(f"rebuilt from {report.events} events, blocks {report.from_block}-{report.to_block}")


@main.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Chain, deployment and indexer state."""
    ledger = _ledger(ctx)
    head = ledger.w3.eth.block_number
    with Session(ledger.engine) as session:
        checkpoint = queries.index_status(session)
        counts = queries.counts(session)
    click.echo(
        json.dumps(
            {
                "chain": {"chainId": ledger.record.chain_id, "head": head},
                "registry": {"address": ledger.record.address, "deploymentBlock": ledger.record.block_number},
                "index": None
                if checkpoint is None
                else {"block": checkpoint.block_number, "lag": head - checkpoint.block_number, **counts},
            },
            ensure_ascii=False,
            indent=2,
        )
    )


@main.command()
@click.argument("number")
@click.option("--at", "at", default=None, help="ISO 8601 instant (e.g. a bid deadline); default now")
@click.option("--source", type=click.Choice(["index", "chain"]), default="index", show_default=True)
@click.pass_context
def show(ctx: click.Context, number: str, at: str | None, source: str) -> None:
    """A certificate by number, from the read model (or the contract), now or at a past instant."""
    ledger = _ledger(ctx)
    if source == "chain":
        view = ledger.client().certificate(number)
        click.echo(json.dumps(_jsonable(vars(view)), ensure_ascii=False, indent=2))
        return
    instant = _instant(at)
    with Session(ledger.engine) as session:
        answer = queries.certificate(session, number, instant)
    if answer is None:
        raise click.ClickException(f"no certificate {number!r} in the read model" + (f" at {at}" if at else ""))
    shown = {**answer.state, "status": answer.status.name, "valid": answer.valid, "at": answer.at}
    shown["history"] = [{"act": r["act"], "block": r["block_number"], "tx": r["tx_hash"]} for r in answer.history]
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))


# ---- bulk import ----


@main.command("import")
@click.argument("firms_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("planners_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--report", type=click.Path(path_type=Path), default=None, help="default: var/import-report.csv")
@click.option("--batch-size", default=importer.BATCH_SIZE, show_default=True, help="certificates per batch at most")
@click.option(
    "--in-flight", default=importer.IN_FLIGHT, show_default=True, help="full batches' worth sent before waiting"
)
@click.option("--progress/--no-progress", default=True)
@click.pass_context
def import_(
    ctx: click.Context,
    firms_csv: Path,
    planners_csv: Path | None,
    report: Path | None,
    batch_size: int,
    in_flight: int,
    progress: bool,
) -> None:
    """Validate and issue a register (firms.csv [planners.csv]); resumable: run it again after any interruption."""
    ledger = _ledger(ctx)
    plan = importer.plan(firms_csv, planners_csv, ledger.engine, ledger.vault)
    report = report or data_dir() / "import-report.csv"
    refused = importer.write_report(report, plan.problems)
    click.echo(f"{len(plan.items)} rows valid, {refused} refused (report: {report})")
    issuers = importer.development_issuers(ledger.registry, ledger.sender, ledger.record.chain_id)
    indexer = ledger.indexer()
    with tqdm(total=len(plan.items), unit="cert", disable=not progress, file=sys.stderr) as bar:
        outcome = importer.issue(
            plan,
            ledger.vault,
            issuers,
            ledger.registry,
            issued_ids=lambda: indexer.logged_ids("CertificateIssued"),
            batch_size=batch_size,
            in_flight=in_flight,
            progress=bar.update,
        )
    if outcome.refused:
        importer.write_report(report, plan.problems + outcome.refused)
    click.echo(
        f"issued {outcome.issued}, already on chain {outcome.already_on_chain}, refused by the chain "
        f"{len(outcome.refused)} in {outcome.seconds:.1f} s"
    )
    indexed = indexer.sync()
    click.echo(f"indexed {indexed.events} events")


# ---- regulator acts ----


def _act(ctx: click.Context, act: Callable[[RegistryClient, Ledger], ActResult]) -> None:
    ledger = _ledger(ctx)
    client = ledger.client(_account(ctx, ledger.record.chain_id))
    result = act(client, ledger)
    ledger.indexer().sync()
    ids = ", ".join("0x" + i.hex() for i in result.certificate_ids)
    if result.recognised:
        click.echo(f"already on chain (resubmission recognised): {ids}")
    else:
        click.echo(f"{ids}: tx {result.tx_hash} in block {result.block_number} ({result.gas_used} gas)")


def _fields(path: Path) -> dict[str, Any]:
    try:
        fields = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise click.BadParameter(f"{path}: {exc}") from exc
    if not isinstance(fields, dict):
        raise click.BadParameter(f"{path}: a JSON object of certificate fields is expected")
    return fields


def _document(ledger: Ledger, fields: dict[str, Any], kind: Kind) -> tuple[Document, bytes]:
    return vault.keep_document(ledger.vault, fields, kind)


DOCUMENT = click.option(
    "--document",
    "document_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="JSON object of the certificate's fields (the CSV columns' English names)",
)


def reason_option(act: str, default: int | None = None) -> Callable[[Any], Any]:
    """``--reason``: a code of ``act``'s vocabulary (wallet/reasons.py), each listed in the help; any
    other is refused before anything is signed (the chain would record it as a meaningless number)."""
    listing = reason_listing(act)

    def check(ctx: click.Context, param: click.Parameter, value: int) -> int:
        try:
            return checked_reason(act, value)
        except UnknownReason as unknown:
            raise click.BadParameter(f"{value} is not a reason code of {act}; codes: {listing}") from unknown

    return click.option("--reason", type=int, required=default is None, default=default,
                        show_default=default is not None, callback=check, help=f"reason code: {listing}")  # fmt: skip


@main.command("issue")
@signer_options
@click.option("--kind", type=click.Choice(["firm", "planner"]), default="firm", show_default=True)
@DOCUMENT
@click.option("--province", type=int, default=None, help="firms: default from the credit code")
@click.pass_context
def issue_(ctx: click.Context, kind: str, document_path: Path, province: int | None) -> None:
    """Issue a certificate."""

    def act(client: RegistryClient, ledger: Ledger) -> ActResult:
        fields = _fields(document_path)
        document, subject = _document(ledger, fields, Kind.FIRM if kind == "firm" else Kind.PLANNER)
        if kind == "firm":
            code = validate_credit_code(document.public["creditCode"])
            request = issue_request(document, subject=subject, province=province or code.province or 0)
        else:
            employer = firm_subject(document.public["employerCreditCode"])
            request = issue_request(document, subject=subject, province=province or 0, employer=employer)
        return client.issue(request)

    _act(ctx, act)


@main.command()
@signer_options
@click.argument("number")
@DOCUMENT
@click.option("--legacy", is_flag=True, help="waive the two-year holding period (imported legacy records)")
@click.pass_context
def upgrade(ctx: click.Context, number: str, document_path: Path, legacy: bool) -> None:
    """Upgrade a grade B firm certificate to grade A (乙级→甲级), superseding it."""
    _successor(ctx, document_path, lambda c, s: c.upgrade(number, s, legacy=legacy))


@main.command()
@signer_options
@click.argument("number")
@DOCUMENT
@click.pass_context
def renew(ctx: click.Context, number: str, document_path: Path) -> None:
    """Renew a certificate (延续) into a new one with a new validity window."""
    _successor(ctx, document_path, lambda c, s: c.renew(number, s))


def _successor(ctx: click.Context, path: Path, send: Callable[[RegistryClient, dict[str, Any]], ActResult]) -> None:
    def act(client: RegistryClient, ledger: Ledger) -> ActResult:
        fields = _fields(path)
        kind = Kind.PLANNER if "identityNumber" in fields else Kind.FIRM
        document, _ = _document(ledger, fields, kind)
        return send(client, successor_request(document))

    _act(ctx, act)


@main.command()
@signer_options
@click.argument("number")
@DOCUMENT
@click.option("--holder", default="0x" + "00" * 20, help="address that proves possession (default: none)")
@click.pass_context
def amend(ctx: click.Context, number: str, document_path: Path, holder: str) -> None:
    """Amend a certificate's document (变更: name, address, legal representative, scope) or holder key."""

    def act(client: RegistryClient, ledger: Ledger) -> ActResult:
        fields = {**_fields(document_path), "number": number}
        kind = Kind.PLANNER if "identityNumber" in fields else Kind.FIRM
        document, _ = _document(ledger, fields, kind)
        return client.amend(number, holder, document.hash(), document.public_data())

    _act(ctx, act)


@main.command("bind-holder")
@signer_options
@click.argument("number")
@click.argument("holder")
@click.option("--reason", "reason_text", required=True, help="why: the holder's request, the identity check")
@click.pass_context
def bind_holder(ctx: click.Context, number: str, holder: str, reason_text: str) -> None:
    """Bind or replace a certificate's holder key (a first key for an imported firm, a lost key), with the reason."""
    if not is_address(holder):
        raise click.BadParameter("a 0x-prefixed 20-byte address", param_hint="HOLDER")
    _act(ctx, lambda client, _: client.bind_holder(number, to_checksum_address(holder), _text_hash(reason_text)))


@main.command()
@signer_options
@click.argument("number")
@DOCUMENT
@click.pass_context
def transfer(ctx: click.Context, number: str, document_path: Path) -> None:
    """Move a planner's registration to another firm (变更注册); the document names the new employer."""

    def act(client: RegistryClient, ledger: Ledger) -> ActResult:
        document, _ = _document(ledger, {**_fields(document_path), "number": number}, Kind.PLANNER)
        employer = firm_subject(document.public["employerCreditCode"])
        return client.transfer(number, employer, document.hash(), document.public_data())

    _act(ctx, act)


@main.command()
@signer_options
@click.argument("number")
@reason_option("Suspend")
@click.pass_context
def suspend(ctx: click.Context, number: str, reason: int) -> None:
    """Suspend a certificate (暂扣)."""
    _act(ctx, lambda client, _: client.suspend(number, reason))


@main.command()
@signer_options
@click.argument("number")
@reason_option("Reinstate", default=0)
@click.pass_context
def reinstate(ctx: click.Context, number: str, reason: int) -> None:
    """Lift a suspension."""
    _act(ctx, lambda client, _: client.reinstate(number, reason))


@main.command()
@signer_options
@click.argument("number")
@reason_option("Revoke")
@click.pass_context
def revoke(ctx: click.Context, number: str, reason: int) -> None:
    """Cancel a certificate for good (注销, reason 3: voluntary, dissolved, lapsed). Any other revocation (撤回, 撤销,
    出租出借, 吊销) takes four eyes: `ledger propose-revocation`, then a second regulator's `confirm-revocation`."""
    _act(ctx, lambda client, _: client.revoke(number, reason))


@main.command("move-firm")
@signer_options
@click.argument("credit_code")
@click.argument("province", type=click.IntRange(11, 82))
@click.pass_context
def move_firm(ctx: click.Context, credit_code: str, province: int) -> None:
    """Bind a firm to another province (the ministry's act, when a firm moves its registration)."""
    code = validate_credit_code(credit_code).value
    _act(ctx, lambda client, _: client.move_firm(firm_subject(code), province))


@main.command("invalidate-nonce")
@signer_options
@click.option(
    "--registry",
    "which",
    type=click.Choice(["certificates", "credit"]),
    default="certificates",
    show_default=True,
    help="each registry counts its own nonces",
)
@click.pass_context
def invalidate_nonce(ctx: click.Context, which: str) -> None:
    """Kill the act you signed last and no one has relayed yet: your next nonce on the registry is spent.

    Any key may do it, with or without a role, e.g. after a signed file was lost or its signer removed."""
    ledger = _ledger(ctx)
    account = _account(ctx, ledger.record.chain_id)
    registry = ledger.registry if which == "certificates" else ledger.credit
    nonce = registry.functions.nonces(account.address).call()
    receipt = ledger.sender(account).transact(registry.functions.invalidateNonce())
    click.echo(f"nonce {nonce} of {account.address} on the {which} registry spent: block {receipt['blockNumber']}")


# ---- the licensing procedure ----

APPLICATION = click.argument("application", callback=lambda _c, _p, v: _hash32(v))
DOSSIER = click.option(
    "--dossier",
    "dossier_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="the dossier's manifest file (its keccak256 goes on chain)",
)


def _hash32(text: str) -> bytes:
    """A 0x-prefixed 32-byte id (an application, objection or proposal) as the chain names it."""
    try:
        value = bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        value = b""
    if len(value) != 32:
        raise click.BadParameter(f"{text!r} is not a 0x-prefixed 32-byte id")
    return value


def _text_hash(text: str) -> bytes:
    """What the chain keeps of a reason, opinion, list or answer: keccak256 of its UTF-8 text."""
    return keccak(text=text)


def _step(ctx: click.Context, take: Callable[[LicensingClient, Ledger], Step]) -> None:
    """Take one step with the chosen signer, bring the index up to date and say what happened."""
    ledger = _ledger(ctx)
    step = take(ledger.licensing_client(_account(ctx, ledger.record.chain_id)), ledger)
    ledger.indexer().sync()
    click.echo(f"0x{step.id.hex()}: tx {step.tx_hash} in block {step.block_number} ({step.gas_used} gas)")


@main.command()
@click.option("--stage", type=click.Choice(STAGES[1:]), default=None)
@click.option("--province", type=int, default=None)
@click.option("--limit", type=click.IntRange(1, 500), default=50, show_default=True)
@click.pass_context
def applications(ctx: click.Context, stage: str | None, province: int | None, limit: int) -> None:
    """The queue of applications, newest filing first, with the time limit each runs against."""
    ledger, now = _ledger(ctx), int(time.time())
    with Session(ledger.engine) as session:
        rows, _ = licensing_queries.applications(session, stage=stage, province=province, limit=limit)
    rules = licensing_rules()
    for row in rows:
        running = current_due(row, rules, now)
        due = "" if running is None else f"{running.step} due {running.due.due}"
        if running is not None and running.due.overdue:
            due += " OVERDUE"
        click.echo(f"{row.id}  {row.kind:<8} {row.stage:<20} {row.province}  {row.name or row.subject[:18]}  {due}")


@main.command()
@signer_options
@click.argument("credit_code")
@click.argument("name")
@click.option("--province", type=int, default=None, help="default: the credit code's")
@DOSSIER
@click.option("--paper", is_flag=True, help="record a filing made on paper (the authority signs)")
@click.pass_context
def apply(
    ctx: click.Context, credit_code: str, name: str, province: int | None, dossier_path: Path, paper: bool
) -> None:
    """File a first application (grade B) for a firm, signed by the firm's key (or on paper by the authority)."""
    code = validate_credit_code(credit_code)
    dossier = keccak(dossier_path.read_bytes())
    _step(ctx, lambda c, _: c.file_first(code.value, name, province or code.province or 0, dossier, paper=paper))


@main.command("apply-registration")
@signer_options
@click.argument("identity_number")
@click.argument("employer_code")
@DOSSIER
@click.option("--paper", is_flag=True, help="record a filing made on paper (the registrar signs)")
@click.pass_context
def apply_registration(
    ctx: click.Context, identity_number: str, employer_code: str, dossier_path: Path, paper: bool
) -> None:
    """A registered planner's registration (注册) with the firm EMPLOYER_CODE, signed by the planner's key, which
    holds the registration once approved. The identity number stays in the vault: the chain sees its salted hash."""
    identity = validate_id_number(identity_number)
    employer = firm_subject(validate_credit_code(employer_code).value)
    dossier = keccak(dossier_path.read_bytes())

    def take(client: LicensingClient, ledger: Ledger) -> Step:
        with ledger.vault.transaction() as sealed:
            salt = vault.identity_salts(sealed, [identity]).get(identity) or new_salt()
            subject = planner_subject(identity, salt)
            vault.store(sealed, [], [("0x" + subject.hex(), identity, salt)])
        return client.file_registration(subject, employer, dossier, paper=paper)

    _step(ctx, take)


_ABOUT_A_CERTIFICATE = {
    "upgrade": ApplicationKind.UPGRADE,
    "renewal": ApplicationKind.RENEWAL,
    "change": ApplicationKind.CHANGE,
    "cancellation": ApplicationKind.CANCELLATION,
    "planner-renewal": ApplicationKind.PLANNER_RENEWAL,
    "planner-change": ApplicationKind.PLANNER_CHANGE,
    "planner-cancellation": ApplicationKind.PLANNER_CANCELLATION,
}


@main.command("apply-for")
@signer_options
@click.argument("kind", type=click.Choice(list(_ABOUT_A_CERTIFICATE)))
@click.argument("number")
@DOSSIER
@click.option("--employer", "employer_code", default=None, help="planner-change: the new employer's credit code")
@click.option("--paper", is_flag=True, help="record a filing made on paper (the authority signs)")
@click.pass_context
def apply_for(
    ctx: click.Context, kind: str, number: str, dossier_path: Path, employer_code: str | None, paper: bool
) -> None:
    """Apply about a certificate held, signed by its holder key (or on paper by the authority): a firm's upgrade,
    renewal, change (变更) or cancellation (注销), a planner's renewal, change of employer or cancellation."""
    which = _ABOUT_A_CERTIFICATE[kind]
    if (which is ApplicationKind.PLANNER_CHANGE) != (employer_code is not None):
        raise click.UsageError("--employer (the new employer's credit code) goes with planner-change, and only there")
    employer = firm_subject(validate_credit_code(employer_code).value) if employer_code else ZERO
    certificate, dossier = certificate_id(validate_number(number)), keccak(dossier_path.read_bytes())
    _step(ctx, lambda c, _: c.file_successor(which, certificate, dossier, paper=paper, employer=employer))


@main.command()
@signer_options
@APPLICATION
@click.pass_context
def consent(ctx: click.Context, application: bytes) -> None:
    """Consent, as the old or the new employer (its qualification's holder key), to a planner's change of employer."""
    _step(ctx, lambda c, _: c.consent(application))


@main.command()
@signer_options
@APPLICATION
@click.pass_context
def accept(ctx: click.Context, application: bytes) -> None:
    """Accept an application (受理)."""
    _step(ctx, lambda c, _: c.accept(application))


@main.command("request-completion")
@signer_options
@APPLICATION
@click.option("--missing", required=True, help="everything missing, at once (补正)")
@click.pass_context
def request_completion(ctx: click.Context, application: bytes, missing: str) -> None:
    """Ask the applicant, once, for everything missing."""
    _step(ctx, lambda c, _: c.request_completion(application, _text_hash(missing)))


@main.command()
@signer_options
@APPLICATION
@DOSSIER
@click.pass_context
def supplement(ctx: click.Context, application: bytes, dossier_path: Path) -> None:
    """Hand in the completed dossier (the applicant)."""
    _step(ctx, lambda c, _: c.supplement(application, keccak(dossier_path.read_bytes())))


@main.command("refuse-acceptance")
@signer_options
@APPLICATION
@click.option("--reason", "reason_text", required=True)
@click.pass_context
def refuse_acceptance(ctx: click.Context, application: bytes, reason_text: str) -> None:
    """Refuse to accept an application (不予受理)."""
    _step(ctx, lambda c, _: c.refuse_acceptance(application, _text_hash(reason_text)))


@main.command()
@signer_options
@APPLICATION
@click.option("--checks", "checks_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="your own checks (JSON); default: the ledger's checks, computed now")  # fmt: skip
@click.option("--opinion", required=True, help="the review opinion")
@click.option("--notice-days", type=click.IntRange(0, 365), default=0, help="publish the opinion for notice now")
@click.pass_context
def review(ctx: click.Context, application: bytes, checks_path: Path | None, opinion: str, notice_days: int) -> None:
    """Record a review (grade A: the firm's province first, then the ministry), optionally with its notice. The
    checks are stored in the dossier store and their keccak256 goes on chain (docs/dossiers.md)."""

    def take(client: LicensingClient, ledger: Ledger) -> Step:
        now = ledger.now()
        ends = notice_end(now, notice_days) if notice_days else 0
        checks = checks_path.read_bytes() if checks_path else _computed_checks(ledger, application, now)
        name = ledger.dossiers.put_json(checks)
        click.echo(f"checks {name}")
        return client.review(application, bytes.fromhex(name[2:]), _text_hash(opinion), ends)

    _step(ctx, take)


def _computed_checks(ledger: Ledger, application: bytes, now: int) -> bytes:
    """The ledger's checks of the application at ``now``, from the read model brought up to date first."""
    ledger.indexer().sync()
    holding_period = ledger.registry.functions.GRADE_B_HOLDING_PERIOD().call()
    with Session(ledger.engine) as session:
        row = session.get(Application, "0x" + application.hex())
        if row is None:
            raise click.UsageError(f"no application 0x{application.hex()} in the read model")
        return review_checks.compute(session, ledger.dossiers, row, now, holding_period)


@main.command()
@signer_options
@APPLICATION
@click.option("--days", type=click.IntRange(1, 365), required=True)
@click.pass_context
def notice(ctx: click.Context, application: bytes, days: int) -> None:
    """Publish a reviewed application's opinion for public notice (公示) for ``--days`` (to 24:00 Beijing)."""
    _step(ctx, lambda c, ledger: c.publish_notice(application, notice_end(ledger.now(), days)))


@main.command("object")
@signer_options
@APPLICATION
@click.option("--text", "text", required=True, help="the objection (its hash goes on chain)")
@click.option("--evidence", "evidence_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def object_(ctx: click.Context, application: bytes, text: str, evidence_path: Path | None) -> None:
    """Object during a notice (异议): anyone may, with any key."""
    evidence = keccak(evidence_path.read_bytes()) if evidence_path else b"\0" * 32
    _step(ctx, lambda c, _: c.object(application, evidence, _text_hash(text)))


@main.command()
@signer_options
@click.argument("objections", nargs=-1, required=True, callback=lambda _c, _p, v: [_hash32(o) for o in v])
@click.option("--answer", "answer", required=True)
@click.pass_context
def answer(ctx: click.Context, objections: list[bytes], answer: str) -> None:
    """Answer one objection, or many with one answer in one act (处理结果)."""
    if len(objections) == 1:
        _step(ctx, lambda c, _: c.answer_objection(objections[0], _text_hash(answer)))
    else:
        _step(ctx, lambda c, _: c.answer_objections(objections, _text_hash(answer)))


@main.command()
@signer_options
@APPLICATION
@DOSSIER
@click.option("--document", "document_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="the certificate's fields (JSON); not for a cancellation")  # fmt: skip
@click.option("--holder", default=None, help="the certificate's holder key: required for a filing on paper")
@click.pass_context
def approve(
    ctx: click.Context, application: bytes, dossier_path: Path, document_path: Path | None, holder: str | None
) -> None:
    """Approve an application: a grant once its notice has run (the certificate issued, upgraded or renewed at
    once, held by the key that applied or the certificate's current holder), a change or a cancellation once
    reviewed (the certificate amended, its planner transferred, or cancelled)."""

    def take(client: LicensingClient, ledger: Ledger) -> Step:
        filed = client.application(application)
        kind = ApplicationKind(filed.kind)
        dossier = keccak(dossier_path.read_bytes())
        if kind in (ApplicationKind.CANCELLATION, ApplicationKind.PLANNER_CANCELLATION):
            return client.approve_cancellation(application, dossier)
        if document_path is None:
            raise click.UsageError("--document: the certificate's fields as the decision makes them")
        planner = kind in (ApplicationKind.PLANNER_REGISTRATION, ApplicationKind.PLANNER_RENEWAL,
                           ApplicationKind.PLANNER_CHANGE)  # fmt: skip
        document, subject = _document(ledger, _fields(document_path), Kind.PLANNER if planner else Kind.FIRM)
        if kind in (ApplicationKind.CHANGE, ApplicationKind.PLANNER_CHANGE):
            return client.approve_change(application, dossier, document.hash(), document.public_data())
        if filed.paper and holder is None:
            raise click.UsageError("a filing on paper names no key: give the certificate's --holder")
        if kind is ApplicationKind.FIRST:
            request = issue_request(
                document, subject=filed.subject, province=filed.province, holder=holder or filed.applicant
            )
            return client.approve_first(application, dossier, request)
        if kind is ApplicationKind.PLANNER_REGISTRATION:
            if subject != filed.subject:
                raise click.UsageError("the document's identity number is not the one the registration was filed for")
            request = issue_request(
                document, subject=subject, province=0, employer=filed.employer, holder=holder or filed.applicant
            )
            return client.approve_first(application, dossier, request)
        current = holder or ledger.client().certificate(filed.certificate).holder
        return client.approve_successor(application, dossier, successor_request(document, holder=current))

    _step(ctx, take)


@main.command()
@signer_options
@APPLICATION
@click.option("--reasons", required=True)
@click.pass_context
def refuse(ctx: click.Context, application: bytes, reasons: str) -> None:
    """Refuse an application (不予许可), with its reasons."""
    _step(ctx, lambda c, _: c.refuse(application, _text_hash(reasons)))


@main.command()
@signer_options
@APPLICATION
@click.pass_context
def withdraw(ctx: click.Context, application: bytes) -> None:
    """Withdraw an application before its decision (the applicant)."""
    _step(ctx, lambda c, _: c.withdraw(application))


@main.command("propose-revocation")
@signer_options
@click.argument("number")
@reason_option("ProposeRevocation")
@click.option("--evidence", "evidence_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True)  # fmt: skip
@click.pass_context
def propose_revocation(ctx: click.Context, number: str, reason: int, evidence_path: Path) -> None:
    """Propose a revocation; a second regulator of the same authority confirms it."""
    certificate, evidence = certificate_id(validate_number(number)), keccak(evidence_path.read_bytes())
    _step(ctx, lambda c, _: c.propose_revocation(certificate, reason, evidence))


@main.command("confirm-revocation")
@signer_options
@click.argument("proposal", callback=lambda _c, _p, v: _hash32(v))
@click.pass_context
def confirm_revocation(ctx: click.Context, proposal: bytes) -> None:
    """Confirm another regulator's revocation proposal: the certificate is revoked."""
    _step(ctx, lambda c, _: c.confirm_revocation(proposal))


@main.command("expert-review")
@signer_options
@APPLICATION
@click.option("--end", is_flag=True, help="end the expert review (default: begin it)")
@click.pass_context
def expert_review(ctx: click.Context, application: bytes, end: bool) -> None:
    """Begin or end an expert review (专家评审): its days are not counted against the time limit."""
    _step(ctx, lambda c, _: c.expert_review(application, begun=not end))


@main.command("extend-decision")
@signer_options
@APPLICATION
@click.option("--reason", "reason_text", required=True, help="why, as the authority's head approved it")
@click.pass_context
def extend_decision(ctx: click.Context, application: bytes, reason_text: str) -> None:
    """Extend the decision period once (by the rule set's 10 working days)."""
    _step(ctx, lambda c, _: c.extend_decision(application, _text_hash(reason_text)))


@main.command("withdraw-revocation")
@signer_options
@click.argument("proposal", callback=lambda _c, _p, v: _hash32(v))
@click.pass_context
def withdraw_revocation(ctx: click.Context, proposal: bytes) -> None:
    """Withdraw your own revocation proposal."""
    _step(ctx, lambda c, _: c.withdraw_revocation(proposal))


# ---- helpers ----


def _instant(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not an ISO 8601 instant") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))  # Beijing time unless stated
    return int(moment.timestamp())


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, bytes):
        return "0x" + value.hex()
    if isinstance(value, Status | Kind):
        return value.name
    return value


@main.command()
@signer_options
@click.argument("signed_file", type=click.File())
@click.option("--check-only", is_flag=True, help="ask the chain whether it would accept the act; send nothing")
@click.pass_context
def relay(ctx: click.Context, signed_file: IO[str], check_only: bool) -> None:
    """Relay a signed act (from `wallet sign-act`): checked offline (its reason code among the act's) and by the
    chain, then sent by the signer chosen here (the relayer, who pays and needs no role). The chain records the
    regulator who signed."""
    ledger = _ledger(ctx)
    signed = SignedAct.from_json(json.load(signed_file))
    try:
        check_act_reason(signed.act, signed.message)
    except UnknownReason as unknown:  # as POST /api/v1/acts refuses it: the chain would record a meaningless number
        raise click.BadParameter(f"{unknown} ({reason_listing(signed.act)})", param_hint="SIGNED_FILE") from unknown
    act_relay = ledger.relay(_account(ctx, ledger.record.chain_id))
    sender = act_relay.relayer
    if check_only:
        click.echo(f"the chain would accept this {signed.act} signed by {act_relay.check(signed)}")
        return
    receipt = sender.wait(act_relay.relay(signed))
    ledger.indexer().sync()
    click.echo(
        f"{signed.act} signed by {signed.signer} relayed by {sender.address}: "
        f"tx {receipt['transactionHash'].hex()} in block {receipt['blockNumber']} ({receipt['gasUsed']} gas)"
    )


main.add_command(dossier)
main.add_command(vault_commands)
