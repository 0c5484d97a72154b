"""Who may do what, and who may see what: every service action checks the actor's role here,
and every view of a message (queue, message page, sender page, incident, API) passes through
``visible_to``."""

from __future__ import annotations

import getpass
from dataclasses import replace

from civicshield.domain.errors import PermissionDeniedError
from civicshield.domain.models import Role, StoredMessage, User

#: What stands in for each character of a blacked-out span.
BLACKOUT = "\u2588"


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


def redacted(message: StoredMessage) -> StoredMessage:
    """The message with the protected person's private details (doxxing spans) blacked out.
    A subject holding them is blacked out whole (spans are found in the body)."""
    text = message.text
    for f in sorted((f for f in message.findings if f.label == "doxxing" and f.span),
                    key=lambda f: f.span or (0, 0), reverse=True):
        start, end = f.span or (0, 0)
        text = text[:start] + BLACKOUT * (end - start) + text[end:]
    subject = message.subject
    if subject and any(f.label == "doxxing" and not f.span for f in message.findings):
        subject = BLACKOUT * len(subject)
    return replace(message, text=text, subject=subject)


def sees_private_details(viewer: User | None) -> bool:
    """Whether this person may read the protected person's private details where a message
    exposes them: analysts and admins, who handle evidence, may; viewers may not. ``None`` is
    the command line, which acts as the machine's admin."""
    return viewer is None or viewer.role.allows(Role.ANALYST)


def require_text_search(viewer: User | None) -> None:
    """Searching message text is for those who read it whole: a viewer's search would tell
    which messages hold a detail that is blacked out for them."""
    if not sees_private_details(viewer):
        raise PermissionDeniedError("searching message text needs the analyst role: a search "
                                    "would show which messages hold details hidden from you")


def visible_to(viewer: User | None, message: StoredMessage) -> StoredMessage:
    """The message as this person may see it: whole, or with the private details blacked
    out (the one place this is decided)."""
    return message if sees_private_details(viewer) else redacted(message)
