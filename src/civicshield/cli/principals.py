"""`civicshield principals ...`: the protected people and their protected profiles."""

from __future__ import annotations

from pathlib import Path

import click

from civicshield.cli.common import _Context, _guard, pass_ctx
from civicshield.domain.access import cli_actor
from civicshield.domain.profile import ProtectedProfile


@click.group()
def principals() -> None:
    """Manage the protected people of this workspace."""


@principals.command("add")
@click.argument("slug")
@click.argument("name")
@click.option("--title", default="", help="Role, e.g. 'Mayor of Riverton'.")
@click.option("--profile", "profile_path", type=click.Path(exists=True, dir_okay=False,
              path_type=Path), help="Private identifiers (JSON, the classify --profile shape).")
@pass_ctx
def principals_add(ctx: _Context, slug: str, name: str, title: str,
                   profile_path: Path | None) -> None:
    """Add a protected person; the profile is stored encrypted."""
    profile = None
    if profile_path:
        profile = _guard(lambda: ProtectedProfile.from_json(
            profile_path.read_text(encoding="utf-8"), source=str(profile_path)))
    _guard(lambda: ctx.service().principals.add(cli_actor(), slug, name, title, profile))
    click.echo(f"Added {name} as {slug!r}")


@principals.command("list")
@pass_ctx
def principals_list(ctx: _Context) -> None:
    """List protected people."""
    for p in ctx.service().principals.all():
        click.echo(f"{p.slug:<24} {p.display_name} {('- ' + p.title) if p.title else ''}")


@principals.command("set-profile")
@click.argument("slug")
@click.argument("profile_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_ctx
def principals_set_profile(ctx: _Context, slug: str, profile_path: Path) -> None:
    """Replace a protected person's private identifiers; run `analyze --all` afterwards."""
    profile = _guard(lambda: ProtectedProfile.from_json(
        profile_path.read_text(encoding="utf-8"), source=str(profile_path)))
    _guard(lambda: ctx.service().principals.set_profile(cli_actor(), slug, profile))
    click.echo(f"Profile of {slug} updated")
