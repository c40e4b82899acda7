"""``wallet``: keys, signed acts, sign-in messages and presentations, on the machine that holds the keys.

Everything here works offline except where a chain URL is given (EIP-1271 contract wallets). Secrets are read
from a prompt, a file or the environment, never from the command line (it shows in ``ps``), and never printed.
Relaying a signed act and checking the signer's role on chain is ``ledger relay``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import click
from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.exceptions import BlockNotFound
from web3.middleware import ExtraDataToPOAMiddleware

from .errors import MalformedProof, ProofRefused, WalletError
from .instants import timestamp
from .keystore import KeyStore, keystore_dir
from .passwords import read_password
from .presentation import Challenge, present
from .reasons import UnknownReason, check_act_reason, reason_listing
from .signatures import Web3ContractWallets
from .siwe import SiweMessage, sign_in
from .storage_proof import verify as verify_storage_proof
from .typed_acts import ACT_TYPES, Domain, SignedAct, sign_act, verify_act


class WalletGroup(click.Group):
    """A refusal is one clear line naming its kind, and exit status 1: never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WalletError as exc:
            raise click.ClickException(f"{exc.code}: {exc}") from exc


@click.group(cls=WalletGroup)
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=None,
    show_default="WALLET_DIR or ~/.planning-ledger/keystores",
)
@click.option(
    "--password-file", type=click.Path(path_type=Path), default=None, help="else WALLET_PASSWORD, else a prompt"
)
@click.pass_context
def main(ctx: click.Context, directory: Path | None, password_file: Path | None) -> None:
    """Keys and signatures for the planning-qualification ledger."""
    ctx.obj = {"store": KeyStore(directory or keystore_dir()), "password_file": password_file}


def _store(ctx: click.Context) -> KeyStore:
    return ctx.obj["store"]


def _password(ctx: click.Context, *, confirm: bool = False, label: str = "Keystore password") -> str:
    return read_password(
        file=ctx.obj["password_file"],
        prompt=lambda: click.prompt(label, hide_input=True, confirmation_prompt=confirm),
    )


def _secret(what: str) -> str:
    """A private key or mnemonic: from standard input when piped, else a hidden prompt."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    return click.prompt(what, hide_input=True)


def _emit(document: dict[str, Any], out: Path | None) -> None:
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if out is None:
        click.echo(text)
        return
    out.write_text(text + "\n")
    click.echo(f"written to {out}", err=True)


def _unlock(ctx: click.Context, key: str, chain_id: int | None) -> LocalAccount:
    return _store(ctx).unlock(key, _password(ctx), chain_id=chain_id)


# ---- keys ----


@main.command()
@click.argument("label")
@click.pass_context
def new(ctx: click.Context, label: str) -> None:
    """Create a fresh key LABEL, encrypted with a password you choose."""
    info = _store(ctx).create(label, _password(ctx, confirm=True, label="New password"))
    _emit(info.public(), None)


@main.command("import")
@click.argument("label")
@click.option("--mnemonic", is_flag=True, help="read a BIP-39 mnemonic instead of a private key")
@click.option("--index", default=0, show_default=True, help="account index under m/44'/60'/0'/0 (mnemonic)")
@click.pass_context
def import_(ctx: click.Context, label: str, mnemonic: bool, index: int) -> None:
    """Import a private key (or --mnemonic) from standard input or a hidden prompt."""
    secret = _secret("Mnemonic" if mnemonic else "Private key (hex)")
    password = _password(ctx, confirm=True, label="New password")
    store = _store(ctx)
    if mnemonic:
        info = store.import_mnemonic(label, secret, password, index=index)
    else:
        info = store.import_key(label, secret, password)
    _emit(info.public(), None)


@main.command("list")
@click.pass_context
def list_(ctx: click.Context) -> None:
    """The keys in the keystore directory (labels and addresses only)."""
    keys = _store(ctx).list()
    if not keys:
        click.echo(f"no keys in {_store(ctx).directory}", err=True)
    for info in keys:
        click.echo(
            f"{info.label:<24} {info.address}{'  (development key, local chain only)' if info.development else ''}"
        )


@main.command()
@click.argument("key")
@click.pass_context
def show(ctx: click.Context, key: str) -> None:
    """One key's label, address and file."""
    info = _store(ctx).info(key)
    _emit({**info.public(), "path": str(info.path)}, None)


@main.command("export-public")
@click.argument("key")
@click.pass_context
def export_public(ctx: click.Context, key: str) -> None:
    """A key's address and public key (asks for the password: a keystore stores only the address)."""
    info = _store(ctx).info(key)
    _emit({**info.public(), "publicKey": _store(ctx).public_key(key, _password(ctx))}, None)


@main.command("passwd")
@click.argument("key")
@click.pass_context
def change_password(ctx: click.Context, key: str) -> None:
    """Change a key's password (the file is replaced atomically)."""
    old = _password(ctx, label="Current password")
    new_password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    _emit(_store(ctx).change_password(key, old, new_password).public(), None)


@main.command()
@click.argument("key")
@click.confirmation_option(prompt="Delete this key? Without a backup it is gone for good")
@click.pass_context
def delete(ctx: click.Context, key: str) -> None:
    """Delete a key's keystore file."""
    _emit(_store(ctx).delete(key).public(), None)


@main.command("dev-keys")
@click.option("--chain-id", type=int, default=31337, show_default=True)
@click.pass_context
def dev_keys(ctx: click.Context, chain_id: int) -> None:
    """Create the labelled development keys (dev-ministry, ...) for a LOCAL chain; password 'development'."""
    for info in _store(ctx).create_dev_set(chain_id):
        click.echo(f"{info.label:<24} {info.address}  (development key, local chain only)")


# ---- signed acts ----


def _domain_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--chain-id and --registry: the EIP-712 domain an act is signed for or checked against."""
    command = click.option(
        "--registry",
        required=True,
        help="the address of the contract that takes the act: the certificate registry; credit acts: the credit "
        "registry; licensing steps: the licensing registry's forwarder (its `trustedForwarder()`)",
    )(command)
    return click.option("--chain-id", type=int, required=True, help="the chain the act is for")(command)


@main.command("sign-act")
@click.argument("key")
@click.option("--act", type=click.Choice(sorted(ACT_TYPES)), required=True)
@click.option("--message", "message_file", type=click.File(), required=True, help="JSON: the act's fields")
@_domain_options
@click.option("--nonce", type=int, required=True, help="the signer's next nonce on the registry")
@click.option("--valid-for", type=int, default=86400, show_default=True, help="seconds until the deadline")
@click.option("--deadline", type=int, default=None, help="the deadline as unix seconds (instead of --valid-for)")
@click.option("--out", type=click.Path(path_type=Path), default=None)
@click.pass_context
def sign_act_command(
    ctx: click.Context,
    key: str,
    act: str,
    message_file: IO[str],
    chain_id: int,
    registry: str,
    nonce: int,
    valid_for: int,
    deadline: int | None,
    out: Path | None,
) -> None:
    """Sign an act offline; the JSON file it writes can be carried to any relayer. A reason code must be one of the
    act's (wallet/reasons.py)."""
    fields = json.load(message_file)
    try:
        check_act_reason(act, fields)
    except UnknownReason as unknown:  # the chain would record it, and every history show 其他原因
        raise click.BadParameter(f"{unknown} ({reason_listing(act)})", param_hint="--message") from unknown
    message = {**fields, "nonce": nonce, "deadline": deadline if deadline is not None else int(time.time()) + valid_for}
    signed = sign_act(_unlock(ctx, key, chain_id), Domain.for_act(act, chain_id, registry), act, message)
    _emit(signed.to_json(), out)


@main.command("verify-act")
@click.argument("signed_file", type=click.File())
@_domain_options
@click.option("--rpc-url", default=None, help="a node, to accept EIP-1271 contract wallets and use chain time")
def verify_act_command(signed_file: IO[str], chain_id: int, registry: str, rpc_url: str | None) -> None:
    """Check a signed act's chain, contract, deadline and signature, and name its signer."""
    signed = SignedAct.from_json(json.load(signed_file))
    wallets, now = None, int(time.time())
    if rpc_url:
        w3 = Web3(Web3.HTTPProvider(rpc_url))
        wallets, now = Web3ContractWallets(w3), w3.eth.get_block("latest")["timestamp"]
    signer = verify_act(signed, Domain.for_act(signed.act, chain_id, registry), now, contract_wallets=wallets)
    _emit(
        {"act": signed.act, "signer": signer, "nonce": signed.message["nonce"], "deadline": signed.message["deadline"]},
        None,
    )


# ---- sign-in and presentations ----


@main.command()
@click.argument("key")
@click.option("--domain", required=True, help="the API's host[:port], as the server expects it")
@click.option("--uri", required=True, help="the API's sign-in URI")
@click.option("--chain-id", type=int, required=True)
@click.option("--nonce", required=True, help="from POST /api/v1/auth/nonce")
@click.option("--statement", default="Sign in to the planning-qualification ledger")
@click.option("--expires-in", type=int, default=300, show_default=True)
@click.option("--request-id", default=None)
@click.pass_context
def login(
    ctx: click.Context,
    key: str,
    domain: str,
    uri: str,
    chain_id: int,
    nonce: str,
    statement: str,
    expires_in: int,
    request_id: str | None,
) -> None:
    """A Sign-In with Ethereum message and its signature, for POST /api/v1/auth/login."""
    account = _unlock(ctx, key, chain_id)
    now = int(time.time())
    message = SiweMessage(
        domain=domain,
        address=account.address,
        statement=statement,
        uri=uri,
        chain_id=chain_id,
        nonce=nonce,
        issued_at=timestamp(now),
        expiration_time=timestamp(now + expires_in),
        request_id=request_id,
    )
    SiweMessage.parse(message.text())  # refuse here, not at the server, a message the grammar forbids
    text, signature = sign_in(account, message)
    _emit({"message": text, "signature": signature}, None)


@main.command("present")
@click.argument("key")
@click.argument("challenge_file", type=click.File())
@click.option("--out", type=click.Path(path_type=Path), default=None)
@click.pass_context
def present_command(ctx: click.Context, key: str, challenge_file: IO[str], out: Path | None) -> None:
    """Answer a verifier's challenge with the key bound to the certificate."""
    challenge = Challenge.from_json(json.load(challenge_file))
    _emit(present(_unlock(ctx, key, challenge.domain.chain_id), challenge).to_json(), out)


# ---- storage proofs ----


@main.command("verify-proof")
@click.argument("proof_file", type=click.File())
@click.option("--number", required=True, help="the certificate number, exactly as issued")
@click.option("--registry", required=True, help="the certificate registry's address")
@click.option("--block-hash", default=None, help="the hash of the proof's block, as your own node gives it")
@click.option("--rpc-url", default=None, help="your own node, asked for the hash of the proof's block")
def verify_proof_command(
    proof_file: IO[str], number: str, registry: str, block_hash: str | None, rpc_url: str | None
) -> None:
    """Check a certificate's verdict from a storage proof (or an API answer carrying one) and a block hash you
    trust; print the proven verdict. Exit status 1, with one line saying why, if the proof does not hold or the
    answer's verdict is not the proven one."""
    if (block_hash is None) == (rpc_url is None):
        raise click.UsageError("give exactly one of --block-hash and --rpc-url")
    document = json.load(proof_file)
    if block_hash is None:
        block_hash = _trusted_hash(document, str(rpc_url))
    _emit(verify_storage_proof(document, block_hash, number, registry).to_json(), None)


def _trusted_hash(document: dict[str, Any], rpc_url: str) -> str:
    """The hash your node gives for the block the proof names: the proof says which block, the node what it is."""
    header = (document.get("proof", {}).get("storage") or document).get("header", {})
    try:
        number = int(header["number"], 16)
    except (KeyError, TypeError, ValueError):
        raise MalformedProof("the proof names no block number") from None
    try:
        node = Web3(Web3.HTTPProvider(rpc_url))
        node.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)  # a Clique header's extra data is long
        block = node.eth.get_block(number)
    except (BlockNotFound, OSError) as exc:
        raise ProofRefused(f"your node at {rpc_url} gives no block {number}: {exc.__class__.__name__}") from None
    return "0x" + bytes(block["hash"]).hex()
