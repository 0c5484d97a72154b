"""Settings, declared once with name, default and help, read once from the environment.

Each setting is read from ``CIVICSHIELD_<NAME>`` or, failing that, from ``civicshield.toml`` in the
working directory (or the file named by ``CIVICSHIELD_CONFIG``). Secrets also accept
``CIVICSHIELD_<NAME>_FILE`` naming a file that holds the value. A bad value stops start-up with a
message naming the setting.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civicshield.domain.errors import ConfigError
from civicshield.domain.hygiene import POLICIES


@dataclass(frozen=True)
class Declared:
    """One setting: its name, default, help text, parser and whether it is a secret."""

    name: str
    default: str
    help: str
    parse: Callable[[str], Any] = str
    secret: bool = False


def _bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _port(value: str) -> int:
    port = int(value)
    if not 0 < port < 65536:
        raise ValueError("expected a port number from 1 to 65535")
    return port


def _cookie_secure(value: str) -> str:
    if value not in {"auto", "true", "false"}:
        raise ValueError("expected auto, true or false")
    return value


def _positive(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError("expected a whole number above 0")
    return number


def _not_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("expected a whole number, 0 or more")
    return number


def _log_level(value: str) -> str:
    level = value.strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("expected DEBUG, INFO, WARNING or ERROR")
    return level


def _password_policy(value: str) -> str:
    if value.strip() not in POLICIES:
        raise ValueError(f"expected one of {', '.join(POLICIES)}")
    return value.strip()


def _optional_path(value: str) -> Path | None:
    if not value.strip():
        return None
    path = Path(value.strip())
    if not path.is_file():
        raise ValueError(f"{path} is not a file")
    return path


def _names(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _time_zone(value: str) -> str:
    name = value.strip()
    if name:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expected a time zone name such as America/Chicago") from exc
    return name


def _addresses(value: str) -> tuple[str, ...]:
    found = _names(value)
    for address in found:
        if "@" not in address or any(c.isspace() or c in "<>,;" for c in address):
            raise ValueError(f"{address!r} is not an email address")
    return found


SETTINGS: tuple[Declared, ...] = (
    Declared("data_dir", "civicshield-data",
             "Folder for the SQLite store, the encryption key and uploads.", Path),
    Declared("database_url", "",
             "SQLAlchemy URL of the store; empty means SQLite in the data folder. "
             "Example: postgresql+psycopg://user@localhost/civicshield", secret=True),
    Declared("db_pool_size", "5", "PostgreSQL: connections each civicshield process keeps "
             "open and reuses (the dashboard, the intake worker and each command are one "
             "process each).", _positive),
    Declared("db_pool_overflow", "10", "PostgreSQL: connections a process may open beyond "
             "the pool when busy (closed again when returned); a request that finds none free "
             "waits up to 30 s.", _not_negative),
    Declared("secret_key", "",
             "Base64 AES-256 key that encrypts the protected person's data at rest; empty means "
             "the key file that `civicshield init` creates in the data folder.", secret=True),
    Declared("host", "127.0.0.1", "Address the dashboard listens on."),
    Declared("port", "8000", "Port the dashboard listens on.", _port),
    Declared("cookie_secure", "auto",
             "Mark session cookies Secure: auto (when the request came over HTTPS), true or false.",
             _cookie_secure),
    Declared("session_hours", "12", "Hours a dashboard login lasts.", _positive),
    Declared("load_default_plugins", "true",
             "Load the built-in detectors and importers (false loads only named plugins).", _bool),
    Declared("plugins", "", "Comma-separated extra plugin modules to load.", _names),
    Declared("disabled_detectors", "", "Comma-separated detector names to switch off.", _names),
    Declared("import_batch_size", "500", "Messages per pipeline batch during import.", _positive),
    Declared("escalation_weights", "", "A TOML file of sender escalation weights (the built-in "
             "escalation_weights.toml when empty); see docs/detection.md.", _optional_path),
    Declared("time_zone", "", "The office's time zone (an IANA name such as America/Chicago); "
             "times are shown in it beside UTC. Empty means the machine's own zone.",
             _time_zone),
    Declared("dask_scheduler", "", "A Dask scheduler (tcp://host:8786 or tls://...) that "
             "`civicshield analyze` spreads re-analysis over; empty: analyse in this process."),
    Declared("signing_passphrase", "", "Passphrase that protects the evidence signing key "
             "(set it before `civicshield init` creates the key); empty keeps the key file "
             "readable by its owner only, without a passphrase.", secret=True),
    Declared("smtp_host", "", "Mail server that sends ledger receipts to the witnesses "
             "(empty: nothing is ever emailed)."),
    Declared("smtp_port", "587", "The mail server's port.", _port),
    Declared("smtp_username", "", "User name on the mail server (empty: no login)."),
    Declared("smtp_password", "", "Password on the mail server.", secret=True),
    Declared("smtp_starttls", "true", "Use STARTTLS with the mail server.", _bool),
    Declared("smtp_from", "", "The From address of mail civicshield sends."),
    Declared("evidence_witnesses", "", "Comma-separated email addresses (a police liaison, the "
             "city attorney) that `civicshield evidence receipt --email` sends the ledger's "
             "signed head to.", _addresses),
    Declared("exposure_allowed_hosts", "", "Comma-separated host names the exposure scanner may "
             "reach although they resolve to a local or private address (an intranet site); "
             "empty: it reaches public addresses only.", _names),
    Declared("allowed_local_hosts", "", "Comma-separated host names that live connectors "
             "(IMAP, Mastodon, Bluesky) and webhooks may reach although they resolve to a local "
             "or private address (a mail server on this machine); empty: public addresses only.",
             _names),
    Declared("ca_file", "", "A PEM file of certificate authorities to trust, besides the "
             "machine's own, for a mail server, instance or webhook that uses the office's own "
             "certificate authority; empty: the machine's authorities only.", _optional_path),
    Declared("public_url", "", "The dashboard's address as staff reach it (for example "
             "https://civicshield.example.gov), used in the links alerts send; empty means "
             "http://HOST:PORT."),
    Declared("alert_contacts", "", "Comma-separated email addresses told of alerts for a "
             "protected person whose safety plan names no one yet.", _addresses),
    Declared("password_policy", "cisa-2025", "The office's password strength rule for audits: "
             "cisa-2025 (16 characters and not guessable), nist-800-63b (15), basic (12) or "
             "strict (20); one audit may still choose another.", _password_policy),
    Declared("pwned_range_url", "https://api.pwnedpasswords.com/range/", "Where the online "
             "breach check of a password audit asks (Have I Been Pwned's Pwned Passwords range "
             "API; only the first 5 hex characters of each password's SHA-1 are sent). It is "
             "asked only when a person chooses the online check for an audit."),
    Declared("pwned_file", "", "A local copy of the Pwned Passwords list (SHA-1, ordered by "
             "hash) for the offline breach check of password audits; empty: none.",
             _optional_path),
    Declared("log_level", "WARNING", "Logging level: DEBUG, INFO, WARNING or ERROR (message text "
             "and personal data never reach the logs).", _log_level),
)


@dataclass(frozen=True)
class Settings:
    """All settings, parsed and checked."""

    data_dir: Path
    database_url: str
    db_pool_size: int
    db_pool_overflow: int
    secret_key: str
    host: str
    port: int
    cookie_secure: str
    session_hours: int
    load_default_plugins: bool
    plugins: tuple[str, ...]
    disabled_detectors: tuple[str, ...]
    import_batch_size: int
    escalation_weights: Path | None
    time_zone: str
    dask_scheduler: str
    signing_passphrase: str
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str
    smtp_starttls: bool
    smtp_from: str
    evidence_witnesses: tuple[str, ...]
    exposure_allowed_hosts: tuple[str, ...]
    allowed_local_hosts: tuple[str, ...]
    ca_file: Path | None
    public_url: str
    alert_contacts: tuple[str, ...]
    password_policy: str
    pwned_range_url: str
    pwned_file: Path | None
    log_level: str

    @property
    def resolved_database_url(self) -> str:
        """The store's URL, defaulting to SQLite in the data folder."""
        return self.database_url or f"sqlite:///{self.data_dir / 'civicshield.db'}"

    @property
    def dashboard_url(self) -> str:
        """Where staff open the dashboard: the public_url setting, else http://HOST:PORT."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def alert_rules_file(self) -> Path:
        """The alert rules an admin edits (the built-in rules until one is saved)."""
        return self.data_dir / "alert-rules.toml"

    @property
    def key_file(self) -> Path:
        """Where `civicshield init` keeps the encryption key when none is configured."""
        return self.data_dir / "secret.key"

    @property
    def signing_key_file(self) -> Path:
        """Where `civicshield init` keeps the evidence signing key (Ed25519)."""
        return self.data_dir / "evidence-signing.key"

    @property
    def zone(self) -> tzinfo:
        """The office's time zone: the setting, else the machine's own."""
        if self.time_zone:
            return ZoneInfo(self.time_zone)
        try:
            return ZoneInfo(Path("/etc/timezone").read_text("utf-8").strip())
        except (OSError, ValueError, KeyError):
            return datetime.now().astimezone().tzinfo or UTC


def _file_values(env: Mapping[str, str]) -> dict[str, Any]:
    path = Path(env.get("CIVICSHIELD_CONFIG", "civicshield.toml"))
    if not path.is_file():
        if "CIVICSHIELD_CONFIG" in env:
            raise ConfigError(f"CIVICSHIELD_CONFIG names {path}, which does not exist")
        return {}
    try:
        values = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    known = {d.name for d in SETTINGS}
    unknown = set(values) - known
    if unknown:
        raise ConfigError(f"{path}: unknown setting '{sorted(unknown)[0]}'")
    return values


def _raw(declared: Declared, env: Mapping[str, str], file_values: Mapping[str, Any]) -> str:
    var = f"CIVICSHIELD_{declared.name.upper()}"
    if var in env:
        return env[var]
    if declared.secret and f"{var}_FILE" in env:
        secret_path = Path(env[f"{var}_FILE"])
        try:
            return secret_path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{var}_FILE: cannot read {secret_path}: {exc.strerror}") from exc
    if declared.name in file_values:
        return str(file_values[declared.name]).lower() if isinstance(
            file_values[declared.name], bool) else str(file_values[declared.name])
    return declared.default


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every declared setting once; a bad value raises ConfigError naming it."""
    env = os.environ if env is None else env
    file_values = _file_values(env)
    parsed: dict[str, Any] = {}
    for declared in SETTINGS:
        raw = _raw(declared, env, file_values)
        try:
            parsed[declared.name] = declared.parse(raw)
        except ValueError as exc:
            raise ConfigError(
                f"CIVICSHIELD_{declared.name.upper()}={raw!r} is not valid: {exc}") from exc
    return Settings(**parsed)
