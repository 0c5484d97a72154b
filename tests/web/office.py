"""A whole office to look at: the demo workspace, a staff account per role, and one of every
record a page shows (an incident, a removal request, a password audit, an account, a safety
plan, a column-mapping import). Used by the every-page browser test and the screenshots."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.config import Settings
from civicshield.demo import load_demo
from civicshield.domain.access import cli_actor
from civicshield.domain.evidence import Severity
from civicshield.domain.models import Role
from civicshield.domain.ports import QueueFilter
from civicshield.web.app import create_app
from tests.web.conftest import PASSWORD, csrf_of, login

SAMPLES = Path(__file__).parents[1] / "samples"


@dataclass(frozen=True)
class Office:
    """The workspace and the record ids the pages are opened on."""

    service: CivicShield
    message: int
    sender: int
    other_sender: int
    incident: int
    alert: int
    finding: int
    request: int
    audit: int
    account: int
    job: str


def build_office(settings: Settings) -> Office:
    """Initialise a workspace at ``settings`` and fill it."""
    service, _ = CivicShield.initialise(settings)
    load_demo(service)
    actor = cli_actor()
    for role in Role:
        service.accounts.add_user(actor, role.value, role, PASSWORD)
    top = service.triage.queue(QueueFilter(flagged_only=True), limit=5)[0]
    message = top[0]
    voss = service.triage.search_senders("voss")
    incident = service.incidents.open(actor, "Threats from the parking-ticket sender",
                                      [m.id for m in top[:3]], severity=Severity.HIGH)
    alerts = service.alerts.overview(actor)
    finding = service.exposure.findings(actor)[0]
    request = service.exposure.draft(actor, finding_id=finding.id)
    audit = service.hygiene.audit(actor, SAMPLES / "vaults" / "bitwarden.json", "Elena Marsh")
    account = service.hygiene.inventory.add(actor, "x", "@MayorMarsh", "official",
                                            "Communications")
    client = login(TestClient(create_app(service)), "analyst")
    token = csrf_of(client.get("/import").text)
    sent = client.post("/import", data={"csrf_token": token}, files=[(
        "files", ("contact.csv", (SAMPLES / "forms" / "city-contact-form.csv").read_bytes(),
                  "text/csv"))], follow_redirects=False)
    job = re.sub(r".*/jobs/", "", sent.headers["location"])
    return Office(service, message.id, voss[0].id, voss[1].id, incident.id,
                  alerts[0].id, finding.id, request.id, audit.record.id, account, job)


def office_settings(settings: Settings) -> Settings:
    """The settings with the office's time zone set, as an office would."""
    return replace(settings, time_zone="America/New_York")
