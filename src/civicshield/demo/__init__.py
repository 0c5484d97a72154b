"""The bundled demo workspace: a fictional mayor and about 2,000 messages in real formats."""

from __future__ import annotations

import json
from pathlib import Path

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import NotFoundError
from civicshield.domain.profile import ProtectedProfile

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
