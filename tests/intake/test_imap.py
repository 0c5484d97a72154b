"""The IMAP connector against a real Dovecot on loopback: catch-up, IDLE, read-only, raw bytes,
UIDVALIDITY, password and XOAUTH2 logins, refused credentials."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import pytest
from imapclient import IMAPClient

from civicshield.connectors.imap.connector import ImapKind
from civicshield.domain.errors import InvalidInputError, SourceError
from civicshield.domain.ports import Delivery, Reach
from civicshield.network import tls_context
from tests.mail_servers import Dovecot

_ids = itertools.count(1)


def mail(subject: str, body: str = "Hello from a resident.", sender: str = "resident@example.org"
         ) -> bytes:
    n = next(_ids)
    return (f"From: Resident <{sender}>\r\nTo: mayor@riverton.test\r\nSubject: {subject}\r\n"
            f"Date: Tue, 01 Dec 2026 14:{n % 60:02d}:00 +0000\r\n"
            f"Message-ID: <imap-test-{n}@example.org>\r\n\r\n{body}\r\n").encode()


def reach(server: Dovecot) -> Reach:
    """Loopback allowed, and the test server's certificate authority trusted."""
    return Reach(frozenset({"127.0.0.1"}), str(server.ca_file))


def config(server: Dovecot, user: str, **extra: object) -> dict[str, object]:
    return {"host": "127.0.0.1", "port": server.port, "security": "tls", "username": user,
            **extra}


def take(stream: Iterator[Delivery], stop: threading.Event, count: int) -> list[Delivery]:
    got = []
    for delivery in stream:
        got.append(delivery)
        if sum(len(d.drafts) for d in got) >= count:
            stop.set()
            break
    return got


def test_catch_up_then_idle_delivers_mail_as_it_arrives(dovecot: Dovecot) -> None:
    user = "clerk@riverton.test"
    first = mail("before the connector started")
    dovecot.deliver(user, first)
    kind = ImapKind()
    settings = kind.check(config(dovecot, user, idle_seconds=10), {"password": "clerk-Pass"})
    conn = kind.connect(settings, {"password": "clerk-Pass"}, reach(dovecot))
    stop = threading.Event()
    later = mail("while it was idling", "Are you reading this live?")
    timer = threading.Timer(1.5, dovecot.deliver, args=(user, later))
    timer.start()
    got = take(conn.stream({}, stop), stop, 2)
    timer.join()
    drafts = [d for delivery in got for d in delivery.drafts]
    assert [d.subject for d in drafts][-2:] == ["before the connector started",
                                                "while it was idling"]
    assert drafts[-1].raw == later  # byte for byte
    last = got[-1].checkpoint
    assert last["last_uid"] >= 2 and last["uidvalidity"] > 0
    # a restart from the checkpoint reads nothing twice
    stop2 = threading.Event()
    stop2.set()
    again = list(conn.stream(dict(last), stop2))
    assert all(not d.drafts for d in again)


def test_the_mailbox_is_opened_read_only(dovecot: Dovecot) -> None:
    user = "clerk@riverton.test"
    dovecot.deliver(user, mail("unread"))
    kind = ImapKind()
    conn = kind.connect(config(dovecot, user), {"password": "clerk-Pass"},
                        reach(dovecot))
    stop = threading.Event()
    stop.set()
    assert any(d.drafts for d in conn.stream({}, stop))
    with IMAPClient("127.0.0.1", port=dovecot.port, ssl=True,
                    ssl_context=tls_context(str(dovecot.ca_file))) as client:
        client.login(user, "clerk-Pass")
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags(client.search(["ALL"]))
    assert all(b"\\Seen" not in f for f in flags.values())  # staff still see it as unread


def test_a_renumbered_mailbox_is_read_again_from_the_start(dovecot: Dovecot) -> None:
    user = "clerk@riverton.test"
    dovecot.deliver(user, mail("kept across a rebuild"))
    kind = ImapKind()
    conn = kind.connect(config(dovecot, user), {"password": "clerk-Pass"},
                        reach(dovecot))
    stop = threading.Event()
    stop.set()
    first = list(conn.stream({}, stop))
    checkpoint = first[-1].checkpoint
    dovecot.renumber(user)
    again = list(conn.stream(dict(checkpoint), stop))
    assert again[-1].checkpoint["uidvalidity"] != checkpoint["uidvalidity"]
    assert sum(len(d.drafts) for d in again) == sum(len(d.drafts) for d in first)


def test_xoauth2_login(dovecot: Dovecot) -> None:
    user = "clerk@riverton.test"
    kind = ImapKind()
    token = dovecot.oauth_token(user)
    settings = kind.check(config(dovecot, user, auth="oauth2"), {"access_token": token})
    conn = kind.connect(settings, {"access_token": token}, reach(dovecot))
    stop = threading.Event()
    stop.set()
    assert list(conn.stream({}, stop))  # logged in and read


def test_refused_credentials_say_a_person_must_act(dovecot: Dovecot) -> None:
    kind = ImapKind()
    conn = kind.connect(config(dovecot, "clerk@riverton.test"), {"password": "wrong"},
                        reach(dovecot))
    with pytest.raises(SourceError) as refused:
        list(conn.stream({}, threading.Event()))
    assert not refused.value.retryable
    assert "refused the password" in str(refused.value)
    expired = dovecot.oauth_token("clerk@riverton.test", expires_in=-60)
    conn = kind.connect(config(dovecot, "clerk@riverton.test", auth="oauth2"),
                        {"access_token": expired}, reach(dovecot))
    with pytest.raises(SourceError) as refused:
        list(conn.stream({}, threading.Event()))
    assert "refused the access token" in str(refused.value)


def test_a_local_mail_server_needs_the_operator_to_allow_it() -> None:
    kind = ImapKind()
    conn = kind.connect({"host": "127.0.0.1", "username": "u"}, {"password": "p"}, Reach())
    with pytest.raises(SourceError) as refused:
        list(conn.stream({}, threading.Event()))
    assert "CIVICSHIELD_ALLOWED_LOCAL_HOSTS" in str(refused.value)
    assert not refused.value.retryable


@pytest.mark.parametrize(("config", "secret", "named"), [
    ({"username": "u"}, {"password": "p"}, "host"),
    ({"host": "h", "username": "u", "port": 0}, {"password": "p"}, "port"),
    ({"host": "h", "username": "u", "idle_seconds": 3600}, {"password": "p"}, "idle_seconds"),
    ({"host": "h", "username": "u"}, {}, "password"),
    ({"host": "h", "username": "u", "auth": "oauth2"}, {"password": "p"}, "access_token"),
    ({"host": "h", "username": "u", "colour": "red"}, {"password": "p"}, "colour"),
])
def test_bad_settings_name_the_field(config: dict[str, object], secret: dict[str, str],
                                     named: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        ImapKind().check(config, secret)
    assert f"'{named}'" in str(refused.value)


def test_the_server_certificate_is_checked(dovecot: Dovecot) -> None:
    kind = ImapKind()
    untrusted = Reach(frozenset({"127.0.0.1"}))  # the test CA is not among the machine's
    conn = kind.connect(config(dovecot, "clerk@riverton.test"), {"password": "clerk-Pass"},
                        untrusted)
    with pytest.raises(SourceError) as refused:
        list(conn.stream({}, threading.Event()))
    assert "cannot reach the mail server" in str(refused.value)
    assert "Certificate" in str(refused.value) or "SSL" in str(refused.value)
