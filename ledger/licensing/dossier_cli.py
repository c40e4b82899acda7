"""``ledger dossier``: put an application's files into the dossier store and write its manifest, whose path goes
to ``ledger apply --dossier`` (the chain records the keccak256 of the manifest's bytes)."""

from __future__ import annotations

from pathlib import Path

import click

from ledger.licensing.dossiers import DossierStore
from ledger.licensing.manifests import store_dossier


@click.group()
def dossier() -> None:
    """The dossier store (docs/dossiers.md): applicants' files off chain, named by their keccak256."""


@dossier.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--planner", "planners", multiple=True, help="a registration number (注规…) the application counts")
def add(files: tuple[Path, ...], planners: tuple[str, ...]) -> None:
    """Store FILES (PDF, PNG, JPEG) and their manifest; prints the manifest's path and hash."""
    store = DossierStore()
    name, manifest = store_dossier(store, files, planners)
    for entry in manifest.files:
        click.echo(f"{entry.keccak256}  {entry.media_type:<15} {entry.size:>10,}  {entry.name}")
    click.echo(f"manifest {name}")
    click.echo(f"path {store.path_of(name)}")
