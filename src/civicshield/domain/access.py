"""Who may do what: every service action checks the actor's role here."""

from __future__ import annotations

from civicshield.domain.errors import PermissionDeniedError
from civicshield.domain.models import Role, User


def require(actor: User, role: Role) -> None:
    """Refuse the action unless the actor's role allows it."""
    if actor.disabled or not actor.role.allows(role):
        raise PermissionDeniedError(f"this needs the {role.value} role")
