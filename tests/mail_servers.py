"""Real mail servers on loopback for the suite: Dovecot (IMAP, from Debian's packages) with a
password and an OAuth2 (XOAUTH2, locally validated JWT) login, mail delivered into it with
doveadm; and an SMTP server (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from tests.pg_server import free_port

OAUTH_KEY = b"civicshield-test-signing-key-32b"


def find_dovecot() -> str | None:
    """The dovecot binary, when installed."""
    return shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway certificate authority and a server certificate for 127.0.0.1 signed by it:
    (CA file, certificate, key), as an office with its own CA would have."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "civicshield test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = (folder / "ca.pem", folder / "server.pem", folder / "server.key")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return paths


class Dovecot:
    """One throwaway Dovecot serving IMAP over TLS (its certificate from a test CA, ``ca_file``)
    on 127.0.0.1, mailboxes in Maildir."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="civicshield-imap-"))
        self.port = free_port()
        self.conf = self.root / "dovecot.conf"
        self.users: dict[str, str] = {}
        self.ca_file, self._cert, self._key = make_certificates(self.root)

    def _identity(self) -> tuple[str, str, str]:
        """Login user, internal user and group, and the mail user (Dovecot refuses root)."""
        if os.geteuid() == 0:
            return "dovenull", "dovecot", "dovecot"
        me = pwd.getpwuid(os.geteuid()).pw_name
        return me, me, me

    def start(self, users: dict[str, str]) -> None:
        self.users = dict(users)
        login, internal, mail = self._identity()
        (self.root / "passwd").write_text(
            "".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()), encoding="utf-8")
        keys = self.root / "keys" / "default" / "HS256"
        keys.mkdir(parents=True)
        (keys / "default").write_text(base64.b64encode(OAUTH_KEY).decode(), encoding="ascii")
        (self.root / "oauth2.conf").write_text(
            f"introspection_mode = local\nlocal_validation_key_dict = fs:posix:prefix="
            f"{self.root}/keys/\nusername_attribute = sub\n", encoding="utf-8")
        for sub in ("mail", "home"):
            (self.root / sub).mkdir()
        if os.geteuid() == 0:
            entry = pwd.getpwnam(mail)
            for path in (self.root / "mail", self.root / "home"):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            os.chmod(self.root, 0o755)
            for path in self.root.rglob("*"):
                path.chmod(path.stat().st_mode | 0o055)
        self.conf.write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <{self._cert}
ssl_key = <{self._key}
auth_mechanisms = plain login xoauth2
default_login_user = {login}
default_internal_user = {internal}
default_internal_group = {mail}
mail_location = maildir:{self.root}/mail/%u
first_valid_uid = 0
passdb {{
  driver = oauth2
  mechanisms = xoauth2
  args = {self.root}/oauth2.conf
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail} gid={mail} home={self.root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = 0
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
""", encoding="utf-8")
        # the daemon keeps inherited pipes open: give it none
        subprocess.run([self.binary, "-c", str(self.conf)], check=True, timeout=30,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if (self.root / "run" / "master.pid").exists():
                return
            time.sleep(0.05)
        raise RuntimeError("dovecot did not start")

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Deliver one message into a mailbox, as the mail server's own tool does."""
        subprocess.run(["doveadm", "-c", str(self.conf), "save", "-u", user, "-m", folder],
                       input=raw, check=True, capture_output=True, timeout=30)

    def renumber(self, user: str, folder: str = "INBOX") -> None:
        """Give the mailbox a new UIDVALIDITY (as a server rebuild does): same mail, new UIDs."""
        folder_dir = self.root / "mail" / user
        for name in ("dovecot-uidlist", "dovecot.index", "dovecot.index.cache",
                     "dovecot.index.log"):
            (folder_dir / name).unlink(missing_ok=True)

    def oauth_token(self, user: str, *, expires_in: int = 600) -> str:
        """A signed access token the server's OAuth2 login accepts."""
        def part(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        now = int(time.time())
        head = part({"alg": "HS256", "typ": "JWT", "kid": "default"})
        body = part({"sub": user, "iat": now, "nbf": now - 5, "exp": now + expires_in})
        mac = hmac.new(OAUTH_KEY, f"{head}.{body}".encode(), hashlib.sha256).digest()
        return f"{head}.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    def stop(self) -> None:
        subprocess.run([self.binary, "-c", str(self.conf), "stop"], timeout=30,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        shutil.rmtree(self.root, ignore_errors=True)


class _Keep:
    def __init__(self) -> None:
        self.received: list[tuple[tuple[str, ...], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.received.append((tuple(envelope.rcpt_tos), bytes(envelope.content)))
        return "250 Message accepted"


class SmtpSink:
    """An SMTP server on loopback that keeps every message it is given."""

    def __init__(self) -> None:
        self.port = free_port()
        self._handler = _Keep()
        self._controller = Controller(self._handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    @property
    def messages(self) -> list[Message]:
        return [message_from_bytes(raw) for _, raw in self._handler.received]

    def to(self, address: str) -> list[Message]:
        return [message_from_bytes(raw) for rcpt, raw in self._handler.received
                if address in rcpt]

    def wait_for(self, count: int, timeout: float = 20.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self._handler.received) < count:
            time.sleep(0.05)
        return self.messages
