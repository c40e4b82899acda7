"""``ledger vault``: rotate the vault's key, back the vault up and check a backup (docs/cli.md#the-vault)."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.vault.backup import backup, verify_backup
from ledger.vault.database import Vault
from ledger.vault.rotation import rotate_key


@click.group("vault")
def vault() -> None:
    """The vault (VAULT_URL): personal values and salts, sealed under LEDGER_VAULT_KEY or var/vault.key."""


def _vault(ctx: click.Context) -> Vault:
    return Vault.at(ctx.obj["vault_url"])


@vault.command("rotate-key")
@click.pass_context
def rotate_key_command(ctx: click.Context) -> None:
    """Re-seal every row under a new key in one transaction, then retire the old key."""
    rotation = rotate_key(_vault(ctx))
    click.echo(
        f"re-sealed {rotation.documents} documents and {rotation.identities} planner identities under key "
        f"{rotation.new_key}; key {rotation.old_key} "
        + ("retired from the key file" if rotation.retired else "is no longer needed: drop it from LEDGER_VAULT_KEY")
    )
    click.echo(f"backups made before now open only with key {rotation.old_key}: make a new one (ledger vault backup)")


@vault.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def backup_command(ctx: click.Context, path: Path) -> None:
    """Copy the vault to PATH (mode 0600) with its manifest PATH.manifest.json; the key is not in it."""
    made = backup(_vault(ctx), path)
    click.echo(f"{made.path}: {made.documents} documents, {made.identities} planner identities, key {made.key_id}")
    click.echo(f"manifest {made.manifest} (sha256 {made.sha256})")


@vault.command("verify-backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def verify_backup_command(path: Path) -> None:
    """Check a backup: its manifest's MAC, its SHA-256, SQLite's integrity check, and every row opening."""
    checked = verify_backup(path)
    click.echo(f"ok: {checked.documents} documents, {checked.identities} planner identities, key {checked.key_id}")
