"""`civicshield users ...`: staff accounts, roles, passwords and API tokens."""

from __future__ import annotations

import click

from civicshield.cli.common import _Context, _guard, pass_ctx
from civicshield.domain.access import cli_actor
from civicshield.domain.models import Role


@click.group()
def users() -> None:
    """Manage staff accounts (roles: viewer, analyst, admin)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="analyst",
              show_default=True)
@pass_ctx
def users_add(ctx: _Context, username: str, role: str) -> None:
    """Create an account and print its one-time password."""
    _, password = _guard(lambda: ctx.service().accounts.add_user(cli_actor(), username, Role(role)))
    click.echo(f"User {username!r} ({role}) created. One-time password: {password}")


@users.command("list")
@pass_ctx
def users_list(ctx: _Context) -> None:
    """List accounts."""
    for user in _guard(lambda: ctx.service().accounts.users(cli_actor())):
        status = "disabled" if user.disabled else "active"
        click.echo(f"{user.username:<24} {user.role.value:<8} {status}")


@users.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
@pass_ctx
def users_set_role(ctx: _Context, username: str, role: str) -> None:
    """Change an account's role."""
    _guard(lambda: ctx.service().accounts.update_user(cli_actor(), username, role=Role(role)))
    click.echo(f"{username} is now {role}")


@users.command("disable")
@click.argument("username")
@pass_ctx
def users_disable(ctx: _Context, username: str) -> None:
    """Disable an account and end its sessions."""
    _set_disabled(ctx, username, disabled=True)


@users.command("enable")
@click.argument("username")
@pass_ctx
def users_enable(ctx: _Context, username: str) -> None:
    """Enable a disabled account."""
    _set_disabled(ctx, username, disabled=False)


def _set_disabled(ctx: _Context, username: str, *, disabled: bool) -> None:
    _guard(lambda: ctx.service().accounts.update_user(cli_actor(), username, disabled=disabled))
    click.echo(f"{username} is {'disabled' if disabled else 'enabled'}")


@users.command("reset-password")
@click.argument("username")
@pass_ctx
def users_reset_password(ctx: _Context, username: str) -> None:
    """Set a new one-time password and end the account's sessions."""
    password = _guard(lambda: ctx.service().accounts.reset_password(cli_actor(), username))
    click.echo(f"New one-time password for {username}: {password}")


@users.command("token")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for.")
@pass_ctx
def users_token(ctx: _Context, username: str, name: str) -> None:
    """Create an API token (shown once; only its hash is kept)."""
    token = _guard(lambda: ctx.service().accounts.create_api_token(cli_actor(), username, name))
    click.echo(token)


@users.command("tokens")
@click.argument("username", required=False)
@pass_ctx
def users_tokens(ctx: _Context, username: str | None) -> None:
    """List API tokens (one user's, or everyone's): number, user, name, when made."""
    for token in _guard(lambda: ctx.service().accounts.api_tokens(cli_actor(), username)):
        click.echo(f"{token.id:>5}  {token.username:<20} {token.name:<20} "
                   f"{token.created_at:%Y-%m-%d %H:%M} UTC")


@users.command("revoke-token")
@click.argument("token_id", type=int)
@pass_ctx
def users_revoke_token(ctx: _Context, token_id: int) -> None:
    """Revoke an API token by its number (`users tokens` lists them); it stops working at once."""
    token = _guard(lambda: ctx.service().accounts.revoke_api_token(cli_actor(), token_id))
    click.echo(f"Revoked token {token.id} ({token.name}) of {token.username}")
