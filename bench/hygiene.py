"""Password hygiene benchmark: audit a 5,000-login Bitwarden export (random passwords, some weak,
some reused, sites drawn from the 2FA directory) without a breach check, then with the offline
check over a 1 GB Pwned Passwords-style file (SHA-1:count lines ordered by hash), then with the
online check against a local HTTP server that answers in the range API's format (with padding).

    python bench/hygiene.py [--entries 5000] [--hash-file-gb 1.0]

The hash file is built once in the temporary folder and kept for later runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import string
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def export(path: Path, count: int, rng: random.Random) -> list[str]:
    """A Bitwarden JSON export of ``count`` logins; returns the passwords."""
    from civicshield.domain import sites

    domains = sorted(sites._sites())
    passwords: list[str] = []
    items = []
    for n in range(count):
        roll = rng.random()
        if roll < 0.1 and passwords:
            password = rng.choice(passwords)  # reused
        elif roll < 0.25:
            password = rng.choice(["summer", "Marsh2024!", "Riverton1", "password1"]) + str(n % 7)
        else:
            password = "".join(rng.choice(string.ascii_letters + string.digits + "!#$%&*")
                               for _ in range(rng.randint(10, 24)))
        passwords.append(password)
        items.append({"id": str(n), "type": 1, "name": f"Login {n}", "folderId": None,
                      "login": {"uris": [{"uri": f"https://{rng.choice(domains)}/login"}],
                                "username": f"user{n}@example.org", "password": password,
                                "totp": "otpauth://x" if rng.random() < 0.3 else None}})
    path.write_text(json.dumps({"encrypted": False, "folders": [], "items": items}),
                    encoding="utf-8")
    return passwords


def hash_file(path: Path, gigabytes: float, planted: list[str]) -> Path:
    """A sorted SHA-1:count file of about ``gigabytes``, holding the planted passwords."""
    if path.exists() and path.stat().st_size >= gigabytes * 1e9 * 0.95:
        return path
    line_bytes = 40 + 1 + 6 + 2
    count = int(gigabytes * 1e9 / line_bytes)
    extra = sorted({hashlib.sha1(p.encode(), usedforsecurity=False).hexdigest().upper()
                    for p in planted})
    step = (1 << 160) // count
    rng = random.Random(9)
    with path.open("w", encoding="ascii", newline="") as out:
        index = 0
        buffer = []
        for i in range(count):
            value = f"{i * step + rng.randrange(step // 2):040X}"
            while index < len(extra) and extra[index] < value:
                buffer.append(f"{extra[index]}:{rng.randint(1, 999999):06d}\r\n")
                index += 1
            buffer.append(f"{value}:{rng.randint(1, 999999):06d}\r\n")
            if len(buffer) > 100_000:
                out.write("".join(buffer))
                buffer = []
        buffer += [f"{h}:000001\r\n" for h in extra[index:]]
        out.write("".join(buffer))
    return path


def range_server(planted: set[str]) -> tuple[ThreadingHTTPServer, str]:
    """A local server answering /range/XXXXX like api.pwnedpasswords.com, padded to ~800
    lines."""
    by_prefix: dict[str, list[str]] = {}
    for password in planted:
        digest = hashlib.sha1(password.encode(), usedforsecurity=False).hexdigest().upper()
        by_prefix.setdefault(digest[:5], []).append(f"{digest[5:]}:12")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            prefix = self.path.rsplit("/", 1)[-1].upper()
            lines = [*by_prefix.get(prefix, []),
                     *(f"{i:035X}:0" for i in range(800 - len(by_prefix.get(prefix, []))))]
            body = "\r\n".join(lines).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/range/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=5000)
    parser.add_argument("--hash-file-gb", type=float, default=1.0)
    args = parser.parse_args()
    from civicshield.app import CivicShield
    from civicshield.config import load_settings
    from civicshield.domain.access import cli_actor
    from civicshield.domain.hygiene import Issue

    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    rng = random.Random(5)
    folder = Path(tempfile.mkdtemp(prefix="civicshield-hygiene-bench-"))
    vault = folder / "bitwarden.json"
    passwords = export(vault, args.entries, rng)
    planted = set(rng.sample(passwords, 400))
    started = time.perf_counter()
    listing = hash_file(Path(tempfile.gettempdir()) / "civicshield-bench-pwned.txt",
                        args.hash_file_gb, sorted(planted))
    built = time.perf_counter() - started
    server, url = range_server(planted)
    settings = load_settings({"CIVICSHIELD_DATA_DIR": str(folder / "data"),
                              "CIVICSHIELD_PWNED_RANGE_URL": url,
                              "CIVICSHIELD_ALLOWED_LOCAL_HOSTS": "127.0.0.1"})
    service, _ = CivicShield.initialise(settings)
    service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor of Riverton", None)
    results = {}
    for mode in ("none", "offline", "online"):
        service.hygiene.new_round(cli_actor())  # each audit alone: no reuse across them
        started = time.perf_counter()
        view = service.hygiene.audit(cli_actor(), vault, f"Bench {mode}", breach_check=mode,
                                     breach_file=listing if mode == "offline" else None)
        seconds = time.perf_counter() - started
        breached = len(view.of(Issue.BREACHED))
        results[mode] = {"seconds": round(seconds, 2), "findings": len(view.findings),
                         "breached": breached}
    from civicshield.connectors.pwned.checker import check_offline, check_online, sha1_hex
    from civicshield.network import guarded_client

    hashes = [sha1_hex(p) for p in passwords]
    started = time.perf_counter()
    offline_hits = sum(1 for n in check_offline(hashes, listing).values() if n)
    results["offline_lookups_only"] = {"seconds": round(time.perf_counter() - started, 2),
                                       "distinct_hashes": len(set(hashes)),
                                       "found": offline_hits}
    with guarded_client(frozenset({"127.0.0.1"}), user_agent="bench") as client:
        started = time.perf_counter()
        online_hits = sum(1 for n in check_online(hashes, client, base=url).values() if n)
    results["online_lookups_only"] = {"seconds": round(time.perf_counter() - started, 2),
                                      "prefixes": len({h[:5] for h in hashes}),
                                      "found": online_hits}
    server.shutdown()
    print(json.dumps({"entries": args.entries, "hash_file_bytes": listing.stat().st_size,
                      "hash_file_built_s": round(built, 1), **results}))


if __name__ == "__main__":
    main()
