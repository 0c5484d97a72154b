"""Which site a login belongs to (its registrable domain, by the Public Suffix List bundled with
the publicsuffixlist package: ``mail.google.co.uk`` is ``google.co.uk``), and what that site offers
for two-factor login, from ``data/twofactor.json`` (built by scripts/build_2fa_directory.py
from the 2FA Directory; format 1, checked by its SHA-256)."""

from __future__ import annotations

import hashlib
import ipaddress
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from civicshield.domain.errors import ConfigError

FORMAT = 1


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList(only_icann=False)  # the copy bundled with the package: offline


def host_of(url: str) -> str:
    """The host of a login's address ('' when it has none); a bare name is taken as a host."""
    text = url.strip()
    if not text:
        return ""
    if "://" not in text:
        text = "https://" + text
    try:
        return (urlsplit(text).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def registrable(url: str) -> str:
    """The registrable domain of a login's address ('' when none can be told)."""
    host = host_of(url)
    if not host:
        return ""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _suffixes().privatesuffix(host) or host


@dataclass(frozen=True)
class SiteSecurity:
    """What a site offers: its two-factor methods and where to set them up."""

    name: str
    methods: tuple[str, ...]
    docs: str = ""
    categories: tuple[str, ...] = ()

    @property
    def offers_2fa(self) -> bool:
        """Any second factor at all."""
        return bool(self.methods)

    @property
    def offers_security_keys(self) -> bool:
        """FIDO2/WebAuthn security keys (what passkeys build on)."""
        return "u2f" in self.methods


@cache
def _sites() -> dict[str, SiteSecurity]:
    data = json.loads(resources.files("civicshield.domain").joinpath(
        "data/twofactor.json").read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ConfigError("domain/data/twofactor.json has an unknown format")
    body = json.dumps(data["sites"], sort_keys=True, separators=(",", ":"))
    if hashlib.sha256(body.encode()).hexdigest() != data.get("sites_sha256"):
        raise ConfigError("domain/data/twofactor.json does not match its checksum")
    return {domain: SiteSecurity(s["name"], tuple(s["methods"]), s.get("docs", ""),
                                 tuple(s.get("categories", ())))
            for domain, s in data["sites"].items()}


def site_security(url: str) -> SiteSecurity | None:
    """What the directory knows of a login's site: its exact host first, then its registrable
    domain (or None)."""
    sites = _sites()
    host = host_of(url).removeprefix("www.")
    return sites.get(host) or sites.get(registrable(url))
