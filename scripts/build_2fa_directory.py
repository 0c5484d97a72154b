"""Build domain/data/twofactor.json, the sites that offer two-factor login and security keys,
from the 2FA Directory's entries (../shared/data/2fa/entries.json; development data only).

    python scripts/build_2fa_directory.py [--source ../shared/data/2fa/entries.json]

Each site is keyed by its registrable domain (and its additional domains): the methods it
offers (totp, sms, call, email, u2f, custom-software, custom-hardware), its categories (banking,
social, ...) and its setup page. The
output is plain JSON with a format version, the source and its date, and a SHA-256 of the
entries, so the installed project reads data, never code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "2fa" / "entries.json"
TARGET = ROOT / "src" / "civicshield" / "domain" / "data" / "twofactor.json"


def build(source: Path) -> dict[str, object]:
    from publicsuffixlist import PublicSuffixList

    suffixes = PublicSuffixList(only_icann=False)
    entries = json.loads(source.read_text(encoding="utf-8"))
    sites: dict[str, dict[str, object]] = {}
    by_registrable: dict[str, list[dict[str, object]]] = {}
    for name, entry in sorted(entries.items()):
        methods = sorted(set(entry.get("tfa") or []))
        record: dict[str, object] = {"name": name, "methods": methods,
                                     "categories": sorted(set(entry.get("categories") or []))}
        if entry.get("documentation"):
            record["docs"] = entry["documentation"]
        for domain in [entry["domain"], *(entry.get("additional-domains") or [])]:
            key = domain.strip().lower().removeprefix("www.")
            if key and (key not in sites or (methods and not sites[key]["methods"])):
                sites[key] = record
            base = suffixes.privatesuffix(key) if key else None
            if base and base != key:
                by_registrable.setdefault(base, []).append(record)
    # a login at accounts.google.com is matched on google.com: the services there, together
    for base, records in by_registrable.items():
        if base not in sites:
            methods = sorted({m for r in records for m in r["methods"]})  # type: ignore[attr-defined]
            # no categories: the services of one company (mail, payments, games) differ in kind
            sites[base] = {"name": base, "methods": methods, "categories": []}
    body = json.dumps(sites, sort_keys=True, separators=(",", ":"))
    return {"format": 1,
            "source": "2factorauth/twofactorauth (the 2FA Directory), commit f3ac2ab, "
                      "2026-08-04, MIT licence",
            "sites_sha256": hashlib.sha256(body.encode()).hexdigest(),
            "sites": sites}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    data = build(args.source)
    TARGET.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n",
                      encoding="utf-8")
    print(f"{TARGET.relative_to(ROOT)}: {len(data['sites'])} domains")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
