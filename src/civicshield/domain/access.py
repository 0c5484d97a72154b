"""Who may do what: every service action checks the actor's role here."""

from __future__ import annotations

import getpass

from civicshield.domain.errors import PermissionDeniedError
from civicshield.domain.models import Role, User


def require(actor: User, role: Role) -> None:
    """Refuse the action unless the actor's role allows it."""
    if actor.disabled or not actor.role.allows(role):
        raise PermissionDeniedError(f"this needs the {role.value} role")


def cli_actor() -> User:
    """The person at the terminal acts with full rights; the audit log names their OS account."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return User(id=0, username=f"cli:{name}", role=Role.ADMIN)
