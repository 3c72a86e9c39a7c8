"""`registry keys list|rotate`: the Ed25519 keys that sign served profiles."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from service.cli.base import app, command, console, typer_app

keys_app = typer_app("Profile signing keys (public halves at /.well-known/jwks.json).")
app.add_typer(keys_app, name="keys")

KeysFile = Annotated[
    Path | None,
    typer.Option(
        "--keys-file",
        metavar="FILE",
        help="The key file (default: REGISTRY_SIGNING_KEYS_FILE or signing-keys.json in the data directory).",
    ),
]


def _path(keys_file: Path | None) -> Path:
    from service.settings import Settings

    settings = Settings()
    if settings.signing_keys is not None:
        console().print(
            "[red]error:[/] the keys come from REGISTRY_SIGNING_KEYS; rotate them there"
            " (append a new key with `registry keys rotate --keys-file FILE` on a copy)"
        )
        raise typer.Exit(1)
    return keys_file or settings.signing_keys_path


@command(keys_app, "list")
def list_keys(keys_file: KeysFile = None) -> None:
    """Print each key's kid and creation time; the last one signs."""
    from service.signing.keys import load_or_create

    ring, _ = load_or_create(_path(keys_file))
    for key in ring.keys:
        marker = "signs" if key is ring.active else "verifies"
        typer.echo(f"{key.kid}  {key.created}  {marker}")


@command(keys_app, "rotate")
def rotate(keys_file: KeysFile = None) -> None:
    """Add a new signing key; old keys stay in the JWKS to verify what they signed.

    Running servers sign with the new key once restarted.
    """
    from service.signing.keys import rotate as add_key

    path = _path(keys_file)
    ring = add_key(path)
    console().print(f"Signing key {ring.active.kid} added to {path} ({len(ring.keys)} keys)")
    typer.echo(ring.active.kid)
