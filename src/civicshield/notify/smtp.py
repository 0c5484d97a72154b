"""Sending one email over SMTP to addresses an admin configured (STARTTLS by default).

Nothing is ever sent unless a mail server is configured; the caller passes plain values.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from civicshield.domain.errors import ConfigError


@dataclass(frozen=True)
class MailServer:
    """Where and how to send."""

    host: str
    port: int
    username: str = ""
    password: str = ""
    starttls: bool = True
    sender: str = ""


def send(server: MailServer, to: tuple[str, ...], subject: str, body: str, *,
         attachment: tuple[str, bytes] | None = None, message_id: str = "") -> None:
    """Send one message to every address; a refusal is one plain ConfigError. ``message_id``
    is the same on every retry of one notification, so a receiver can drop repeats."""
    if not server.host:
        raise ConfigError("no mail server is configured (CIVICSHIELD_SMTP_HOST)")
    if not to:
        raise ConfigError("no one to send to")
    message = EmailMessage()
    message["From"] = server.sender or f"civicshield@{server.host}"
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = f"<{message_id}@civicshield>"
    message.set_content(body)
    if attachment is not None:
        name, data = attachment
        message.add_attachment(data, maintype="text", subtype="plain", filename=name)
    try:
        with smtplib.SMTP(server.host, server.port, timeout=30) as client:
            if server.starttls:
                client.starttls(context=ssl.create_default_context())
            if server.username:
                client.login(server.username, server.password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise ConfigError(f"the mail server {server.host}:{server.port} did not take the "
                          f"message ({type(exc).__name__}: {exc})") from exc
