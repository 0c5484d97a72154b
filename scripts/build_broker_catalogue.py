"""Rebuild civicshield's data-broker catalogue from the development facts in ../shared/data/brokers.

    python scripts/build_broker_catalogue.py [--data ../shared/data/brokers] [--out PATH]

Writes src/civicshield/domain/data/brokers.json (format 1). Only facts are taken from the sources
(names, domains, addresses of opt-out pages, what an opt-out needs, owners, dates); every entry's
words are the project's own. Sources and licences: ../shared/data/brokers/README.md, and
docs/exposure.md. The installed project reads only the JSON file.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "brokers"
DEFAULT_OUT = ROOT / "src" / "civicshield" / "domain" / "data" / "brokers.json"
MANUAL_VERIFIED = "2026-02-01"  # "Last updated: February 2026" in the 2026 opt-out manual
#: Days a site takes when no source says: a web form, an e-mail (the CCPA's 45-day window), fax.
ESTIMATED_DAYS = {"web": 7, "on-site": 7, "email": 45, "fax": 30, "parent": 7, "none": 45,
                  "unknown": 45}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_DURATION = re.compile(r"(\d+)\s*(?:-|to|–)?\s*(\d+)?\s*(hours?|business days?|days?|weeks?)",
                       re.IGNORECASE)
_NEEDS_WORDS = {
    "phone": r"phone (?:verification|call)|automated call|by phone|call .* pin|text message",
    "id": r"\bID\b|identification|driver'?s licen[cs]e|proof of identity",
    "captcha": r"captcha",
    "account": r"\baccount\b|sign up|log ?in",
    "profile_url": r"profile url|profile link|link to (?:your|the) (?:profile|listing)|"
                   r"embedded|on-site|on the page",
    "fax": r"\bfax",
    "mail": r"postal mail|by mail|mail a letter",
}
_RELIST = re.compile(r"re-?list|reappear|re-appear|come back|return(?:s|ed)? after|repost",
                     re.IGNORECASE)
_OWNER = re.compile(r"(?:Owned by|Part of|Operated by|owned by|part of)\s+(?:the\s+)?"
                    r"([A-Z][\w.&]*(?:\s+[A-Z][\w.&]*)*)")


@dataclass
class Entry:
    """One site, merged from every source that knows it."""

    domain: str
    name: str = ""
    parent: str = ""
    optout_url: str = ""
    optout_email: str = ""
    needs: set[str] = field(default_factory=set)
    channel: str = ""  # web, email, fax, none
    days: int | None = None
    relists: bool | None = None  # None: no source says
    working: bool | None = None
    ca_registered: bool = False
    verified: str = ""
    verified_by: str = ""
    kind: str = "people-search"
    sources: set[str] = field(default_factory=set)

    def note_text(self, text: str) -> None:
        """Take needs, duration and re-listing facts from a source's remark."""
        for need, pattern in _NEEDS_WORDS.items():
            if re.search(pattern, text, re.IGNORECASE):
                self.needs.add(need)
        if "email" in text.lower() and ("confirm" in text.lower() or "verif" in text.lower()):
            self.needs.add("email")
        if _RELIST.search(text):
            self.relists = True
        days = _days(text)
        if days is not None:
            self.days = max(self.days or 0, days)
        owner = _OWNER.search(text)
        if owner and not self.parent:
            self.parent = owner.group(1).split(". ")[0].strip(". ")
        if not self.optout_email:
            found = _EMAIL.search(text)
            if found:
                self.optout_email = found.group(0).lower()

    def verify(self, date: str, source: str) -> None:
        """Keep the newest date on which a source checked this site."""
        if date and date > self.verified:
            self.verified, self.verified_by = date, source


def domain_of(text: str) -> str:
    """'https://www.Spokeo.com/optout' -> 'spokeo.com'."""
    text = text.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/")[0].split("?")[0]
    return text.removeprefix("www.")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _days(text: str) -> int | None:
    found = _DURATION.search(text)
    if not found:
        return None
    amount = int(found.group(2) or found.group(1))
    unit = found.group(3).lower()
    if unit.startswith("hour"):
        return max(1, -(-amount // 24))
    if unit.startswith("week"):
        return amount * 7
    if unit.startswith("business"):
        return amount + 2 * (amount // 5)
    return amount


def _table_rows(lines: list[str], heading: str) -> Iterator[list[str]]:
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    for line in lines[start + 1:]:
        if line.startswith("## "):
            return
        if line.startswith("|") and not line.startswith("|--") and not line.startswith("|#") \
                and not line.startswith("|Site"):
            yield [c.strip() for c in line.strip().strip("|").split("|")]


class Catalogue:
    """Entries by domain, filled from each source in turn."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    def get(self, domain: str, source: str) -> Entry:
        entry = self.entries.setdefault(domain, Entry(domain=domain))
        entry.sources.add(source)
        return entry

    def read_manual(self, folder: Path) -> None:
        """The 2026 opt-out manual: its master index and its additional sites."""
        lines = (folder / "The.Manual.md").read_text(encoding="utf-8").splitlines()
        for site, _difficulty, _time, email, ident, link in _table_rows(lines, "## 🗂️ Master"):
            found = re.match(r"\*\*(.+?)\*\*\s*\((.+?)\)", site)
            if not found:
                continue
            entry = self.get(domain_of(found.group(2)), "opt-out-manual-2026")
            entry.name = entry.name or found.group(1)
            entry.optout_url = entry.optout_url or (link if link.startswith("http") else "")
            entry.needs |= {"email"} if "📧" in email else set()
            entry.needs |= {"id"} if ident.strip("— ") else set()
            entry.channel = entry.channel or "web"
            entry.verify(MANUAL_VERIFIED, "opt-out-manual-2026")
        for _n, site, domain, link, method, notes in _table_rows(lines, "## 📋 Additional"):
            entry = self.get(domain_of(domain), "opt-out-manual-2026")
            entry.name = entry.name or site.strip("*")
            if link.startswith("http") and not entry.optout_url:
                entry.optout_url = link
            entry.note_text(f"{method} {notes}")
            lowered = f"{method} {notes}".lower()
            entry.channel = entry.channel or (
                "on-site" if "embedded" in link.lower() or "on-site" in method.lower()
                else "fax" if "fax" in method.lower() else "none" if "no opt-out" in lowered
                else "email" if "email" in method.lower() and "form" not in method.lower()
                else "web")
            if any(w in lowered for w in ("b2b", "business/professional", "marketing",
                                          "ad-tech", "data broker that feeds")):
                entry.kind = "data-broker"
            entry.verify(MANUAL_VERIFIED, "opt-out-manual-2026")

    def read_reumere(self, folder: Path) -> None:
        """One YAML per broker, and the parent companies' front sites."""
        by_key: dict[str, Entry] = {}
        for path in sorted((folder / "data").glob("*.yaml")):
            for key, facts in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
                if not facts.get("url"):
                    continue
                entry = self.get(domain_of(facts["url"]), "brianreumere/data-brokers")
                by_key[key] = entry
                entry.name = entry.name or (facts.get("names") or [key])[0]
                entry.optout_url = entry.optout_url or facts.get("removalUrl", "")
                if facts.get("process") in ("search-first", "opt-out-search"):
                    entry.needs.add("profile_url")
                status = facts.get("status") or {}
                if "working" in status:
                    entry.working = bool(status["working"])
                    entry.verify(str(status.get("asOf", "")), "brianreumere/data-brokers")
                for note in facts.get("notes") or []:
                    entry.note_text(str(note.get("note", "")))
                    entry.verify(str(note.get("date", "")), "brianreumere/data-brokers")
                if status.get("workaround"):
                    entry.note_text(str(status["workaround"]))
                entry.channel = entry.channel or ("web" if entry.optout_url else "email")
        fronts = yaml.safe_load((folder / "joins" / "fronts.yml").read_text(encoding="utf-8"))
        for parent_key, children in fronts.items():
            parent = by_key.get(parent_key)
            for child_key in children:
                child = by_key.get(child_key)
                if parent and child and child is not parent:
                    child.parent = parent.name

    def read_coreconvention(self, path: Path) -> None:
        """Removal URLs and requirement tags."""
        tags = {"email-verification": "email", "email-only": "email", "captcha": "captcha",
                "phone-verification": "phone", "id-verification": "id",
                "profile-url-required": "profile_url", "account-required": "account"}
        for broker in json.loads(path.read_text(encoding="utf-8")):
            if not broker.get("removalUrl"):
                continue
            known = {_key(e.name): e.domain for e in self.entries.values()}
            domain = known.get(_key(broker["name"]), domain_of(broker["removalUrl"]))
            entry = self.get(domain, "coreConvention/data-broker-optouts")
            entry.name = entry.name or broker["name"]
            entry.optout_url = entry.optout_url or broker["removalUrl"]
            entry.needs |= {tags[t] for t in broker.get("requirements", []) if t in tags}
            entry.note_text(broker.get("notes", ""))
            entry.channel = entry.channel or (
                "email" if "email-only" in broker.get("requirements", []) else "web")

    def read_justvanish(self, folder: Path) -> None:
        """Deletion-request e-mail addresses for sites that give no other route."""
        for entry in self.entries.values():
            path = folder / "data" / "organizations" / f"{entry.domain}.yaml"
            if entry.optout_email or not path.is_file():
                continue
            facts = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for contact in (facts.get("contact") or {}).get("email") or []:
                if any(u.startswith("delete") for u in contact.get("usage") or []):
                    entry.optout_email = str(contact["address"]).lower()
                    entry.sources.add("AnalogJ/justvanish")
                    break

    def read_california(self, registry_2025: Path, registry_2021: Path) -> None:
        """Mark sites registered as data brokers in California (DROP reaches them) and take the
        contact the registry gives for officials' deletion demands."""
        hosts = {domain_of(row["hostname_original"]) for row in
                 csv.DictReader(registry_2025.open(encoding="utf-8"))}
        names = {row["company_name"].lower() for row in
                 csv.DictReader(registry_2025.open(encoding="utf-8"))}
        contacts: dict[str, str] = {}
        for row in csv.DictReader(registry_2021.open(encoding="utf-8")):
            demand = row.get("How a protected individual can demand deletion of information "
                             "posted online under Gov. Code sections 6208.1(b) or 6254.21(c)(1)",
                             "")
            email = _EMAIL.search(demand.replace(" [at] ", "@"))
            if email:
                contacts[domain_of(row["Website URL"])] = email.group(0).lower()
        for entry in self.entries.values():
            if entry.domain in hosts or entry.name.lower() in names:
                entry.ca_registered = True
            if not entry.optout_email and entry.domain in contacts:
                entry.optout_email = contacts[entry.domain]


def build(data: Path) -> list[dict[str, object]]:
    """Every site, as catalogue rows sorted by domain."""
    catalogue = Catalogue()
    catalogue.read_manual(data / "thumpersecure-opt-out-manual")
    catalogue.read_reumere(data / "brianreumere-data-brokers")
    catalogue.read_coreconvention(data / "coreconvention-manifest.json")
    catalogue.read_justvanish(data / "justvanish")
    catalogue.read_california(data / "markup-optout-pages" / "data-broker-opt-out-pages.csv",
                              data / "markup-lobbying" / "ca-data-brokers.csv")
    parents = {_key(e.name): e.name for e in catalogue.entries.values()}
    rows = []
    for entry in sorted(catalogue.entries.values(), key=lambda e: e.domain):
        if not entry.name or "." not in entry.domain:
            continue
        channel = entry.channel or ("web" if entry.optout_url else "email")
        if channel == "email" and not entry.optout_email and entry.optout_url:
            channel = "web"  # the source's form sends the e-mail for you
        if channel == "web" and not entry.optout_url and entry.optout_email:
            channel = "email"
        if not entry.optout_url and not entry.optout_email and channel in ("web", "email"):
            channel = "parent" if entry.parent else "unknown"
        rows.append({
            "id": entry.domain, "name": entry.name, "domain": entry.domain, "kind": entry.kind,
            "parent": parents.get(_key(entry.parent), entry.parent), "optout_url": entry.optout_url,
            "optout_email": entry.optout_email, "channel": channel,
            "needs": sorted(entry.needs),
            "processing_days": entry.days or ESTIMATED_DAYS[channel],
            "processing_days_estimated": entry.days is None,
            "relists": entry.relists, "optout_working": entry.working,
            "ca_registered": entry.ca_registered,
            "last_verified": entry.verified, "verified_by": entry.verified_by,
            "sources": sorted(entry.sources),
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    rows = build(args.data)
    document = {"format": 1, "built_by": "scripts/build_broker_catalogue.py",
                "sources": ["thumpersecure/opt-out-manual-2026 (Unlicense)",
                            "brianreumere/data-brokers (BSD-2-Clause)",
                            "coreConvention/data-broker-optouts (MIT)",
                            "the-markup/investigation-data-broker-opt-out-pages (Apache-2.0)",
                            "the-markup/investigation-data-broker-lobbying (California registry)",
                            "AnalogJ/justvanish (MIT)"],
                "brokers": rows}
    args.out.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"{len(rows)} sites written to {args.out}")


if __name__ == "__main__":
    main()
