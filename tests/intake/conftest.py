"""A workspace for live intake whose alerts go to the loopback SMTP server."""

from __future__ import annotations

from pathlib import Path

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from tests.conftest import PROFILE, make_settings

#: Rules that announce at once (the built-in ones wait a few seconds to gather a burst).
FAST_RULES = """
[[rule]]
name = "home-or-family-doxxing"
description = "Someone published the official's home address or family details"
severity = "critical"
doxxing = ["home", "family"]
group_wait = "1s"
group_interval = "10m"
repeat_interval = "1h"

[[rule]]
name = "threat-of-violence"
description = "A threat of violence against the official"
severity = "critical"
labels = ["threat"]
group_wait = "1s"
group_interval = "10m"
repeat_interval = "1h"
"""


def live_workspace(tmp_path: Path, smtp_port: int, **extra: str) -> CivicShield:
    """A workspace with the mayor, alerts to security@riverton.test over the loopback SMTP
    server, and the fast rules."""
    settings = make_settings(tmp_path / "data", smtp_host="127.0.0.1", smtp_port=str(smtp_port),
                             smtp_starttls="false", smtp_from="alerts@riverton.test",
                             allowed_local_hosts="127.0.0.1",
                             alert_contacts="security@riverton.test", **extra)
    service, _ = CivicShield.initialise(settings)
    service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor of Riverton", PROFILE)
    service.alerts.save_rules(cli_actor(), FAST_RULES)
    return service
