"""The bundled demo workspace: a fictional mayor and about 2,000 messages in real formats."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from civicshield.app import CivicShield
from civicshield.demo.generate import END
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import NotFoundError
from civicshield.domain.evidence import Severity
from civicshield.domain.profile import ProtectedProfile
from civicshield.domain.safety import Contact, SafePlace, SafetyPlan

DATA = Path(__file__).parent / "data"


def load_demo(service: CivicShield, folder: Path = DATA) -> str:
    """Add the demo principal (once) and import every demo file; returns a summary."""
    workspace = json.loads((folder / "workspace.json").read_text(encoding="utf-8"))
    person = workspace["principal"]
    actor = cli_actor()
    try:
        with service.context.transaction() as repo:
            repo.principal_by_slug(person["slug"])
    except NotFoundError:
        profile = ProtectedProfile.from_json((folder / "profile.json").read_text("utf-8"))
        service.principals.add(actor, person["slug"], person["name"], person["title"], profile)
    lines = []
    for name, fmt, account in workspace["files"]:
        result = service.triage.import_file(actor, folder / name, principal=person["slug"], fmt=fmt,
                                     account=account)
        lines.append(f"  {name:<30} {result.added:>5} added, {result.skipped:>5} already stored")
    lines.append(_demo_exposure(service, person["slug"], folder / "exposure"))
    lines.append(_demo_alerts(service, person["slug"]))
    return f"Demo workspace for {person['name']}:\n" + "\n".join(lines)


def _demo_exposure(service: CivicShield, slug: str, folder: Path) -> str:
    """Scan the demo's documents (a draft agenda, comment cards, a campaign filing) and record
    two people-search listings, so the exposure pages have something to show."""
    actor = cli_actor()
    report = service.exposure.scan(actor, [str(folder)], principal=slug, local_files=True)
    for broker, listing in (("spokeo.com", "https://www.spokeo.com/Elena-Marsh/California"),
                            ("whitepages.com", "")):
        service.exposure.mark_broker(actor, broker, "found", listing_url=listing,
                                     principal=slug)
    return (f"  {'exposure scan of ' + folder.name + '/':<30} {report.documents:>5} documents, "
            f"{report.new_findings} new exposures")


#: The demo's safety plan: every person, number and place in it is invented.
DEMO_PLAN = SafetyPlan(
    contacts=(
        Contact("Rosa Delgado", "security_lead", phone="(916) 555-0110",
                email="rosa.delgado@riverton.example", order=1, receives=Severity.MEDIUM),
        Contact("Sgt. Anita Okafor", "police_liaison", phone="(916) 555-0190",
                email="a.okafor@rivertonpd.example", order=2, receives=Severity.CRITICAL),
        Contact("Marcus Webb", "chief_of_staff", phone="(916) 555-0120",
                email="m.webb@riverton.example", order=3, receives=Severity.HIGH,
                quiet_hours=(22, 7)),
        Contact("Daniel Marsh", "family", phone="(916) 555-0177")),
    safe_places=(SafePlace("A friend's house in Davis", "(address kept off the dashboard)",
                           "(530) 555-0142", "Call ahead; the spare key is with Rosa"),
                 SafePlace("Riverton Police Department, front desk", "300 Main St, Riverton",
                           "(916) 555-0100")),
    steps={"home": ("Keep blinds closed after dark and the porch light on",
                    "Do not open the door to anyone unannounced; call the police liaison",
                    "If the address is posted again, go to the safe place and tell Rosa"),
           "family": ("Rosa tells the school office who may pick up Sofia",),
           "events": ("A staff member stays within sight at every public event",
                      "Leave by the side entrance if a flagged sender is present"),
           "mail": ("Packages are opened at City Hall, never at home",)},
    spokesperson="Marcus Webb, chief of staff",
    triggers={Severity.CRITICAL: ("Rosa calls the police liaison",
                                  "The mayor does not go home until the police have checked"),
              Severity.HIGH: ("Rosa reviews the sender's history and decides on a report",)})


def _demo_alerts(service: CivicShield, slug: str) -> str:
    """Give the demo a safety plan (once) and fire the alert rules on its last three days."""
    actor = cli_actor()
    _, plan = service.safety.plan(actor, slug)
    if not plan.contacts:
        service.safety.save(actor, DEMO_PLAN, slug)
    joined = service.alerts.fire_since(actor, END - timedelta(days=3))
    count = len(service.alerts.overview(actor))
    return f"  {'alerts on the last three days':<30} {joined:>5} messages, {count:>5} open alerts"
