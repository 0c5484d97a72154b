"""The protected people, their protected profiles and their channels."""

from __future__ import annotations

from civicshield.domain.access import require
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.models import Channel, Principal, Role, User
from civicshield.domain.profile import ProtectedProfile
from civicshield.services.context import ServiceContext


class Principals:
    """Who the office protects, and the accounts their messages arrive on."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def add(self, actor: User, slug: str, display_name: str, title: str = "",
            profile: ProtectedProfile | None = None) -> Principal:
        """Add a protected person (admins only)."""
        require(actor, Role.ADMIN)
        if not slug or not slug.replace("-", "").isalnum() or slug != slug.lower():
            raise InvalidInputError("a principal's short name uses lower-case letters, digits "
                                    "and dashes, such as 'mayor-rivera'")
        with self.context.transaction(write=True) as repo:
            principal = repo.add_principal(slug, display_name, title, profile)
            repo.audit(actor.username, "principal.added", f"principal:{principal.id}")
        return principal

    def set_profile(self, actor: User, slug: str, profile: ProtectedProfile) -> None:
        """Replace a principal's protected profile (admins only)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            principal = repo.principal_by_slug(slug)
            repo.set_profile(principal.id, profile)
            repo.audit(actor.username, "profile.updated", f"principal:{principal.id}")

    def all(self) -> list[Principal]:
        """Every protected person."""
        with self.context.transaction() as repo:
            return repo.principals()

    def channels(self) -> list[Channel]:
        """Every account of every principal."""
        with self.context.transaction() as repo:
            return repo.channels()
