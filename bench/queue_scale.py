"""The queue at scale: p50/p95 of the dashboard's queue pages, a deep page, the sender page
and /api/v1/queue on stores of 100,000 and 1,000,000 messages, on SQLite and PostgreSQL.

    python bench/queue_scale.py [--sizes 100000 1000000] [--repeat 30] [--no-postgres]
                                [--no-sqlite]

The store is written straight into the tables (tests/bulk_store.py: the rows an import
writes, without running the detectors over a million messages); every request goes through
the real app (FastAPI's test client: routing, session, templates), one at a time.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "correct horse battery"


def measure(url: str, size: int, repeat: int) -> dict[str, tuple[float, float]]:
    """p50 and p95 in ms of each page on a store of ``size`` messages at ``url``."""
    from fastapi.testclient import TestClient
    from tests.bulk_store import fill, settle
    from tests.conftest import PROFILE, make_settings
    from tests.web.conftest import login

    from civicshield.app import CivicShield
    from civicshield.domain.access import cli_actor
    from civicshield.domain.models import ReviewState, Role
    from civicshield.domain.ports import QueueFilter
    from civicshield.services.triage import cursor_text
    from civicshield.web.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        service, _ = CivicShield.initialise(make_settings(Path(folder) / "data", url))
        service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor", PROFILE)
        service.accounts.add_user(cli_actor(), "analyst", Role.ANALYST, PASSWORD)
        started = time.perf_counter()
        facts = fill(service.context.engine, size)
        settle(service.context.engine)
        print(f"  {size:,} messages written in {time.perf_counter() - started:.0f} s",
              flush=True)
        page = service.triage.queue_rows(QueueFilter(state=ReviewState.NEW), limit=50)
        for _ in range(19):
            assert page.next is not None
            page = service.triage.queue_rows(QueueFilter(state=ReviewState.NEW), limit=50,
                                             after=page.next)
        assert page.next is not None
        pages = {"queue (needs a person)": "/queue", "queue, every state": "/queue?state=all",
                 "queue, threats": "/queue?state=all&label=threat",
                 "queue, one sender": f"/queue?state=all&sender={facts['busy_group']}",
                 "queue, one channel": f"/queue?state=all&channel={facts['channel']}",
                 "queue, 21st page": "/queue?state=new&after=" + quote(cursor_text(page.next)),
                 "search, one word (in 9 % of messages)": "/queue?state=all&q=museum",
                 "search, two words (0.6 %)": "/queue?state=all&q=museum+harbor",
                 "sender page": f"/senders/{facts['busy_group']}",
                 "/api/v1/queue": "/api/v1/queue?limit=50"}
        client = login(TestClient(create_app(service)), "analyst")
        token = service.accounts.create_api_token(cli_actor(), "analyst", "bench")
        out = {}
        for name, address in pages.items():
            headers = {"Authorization": f"Bearer {token}"} if address.startswith("/api/") \
                else {}
            client.get(address, headers=headers)  # warm
            times = []
            for _ in range(repeat):
                begun = time.perf_counter()
                answer = client.get(address, headers=headers)
                times.append((time.perf_counter() - begun) * 1000)
                assert answer.status_code == 200, (address, answer.status_code)
            times.sort()
            out[name] = (statistics.median(times), times[int(0.95 * (len(times) - 1))])
        service.context.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    from tests.pg_server import PostgresServer, find_bin

    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    stores: list[tuple[str, str | None]] = [] if args.no_sqlite else [("SQLite (SQLCipher)", "")]
    server = None
    if not args.no_postgres and find_bin() is not None:
        server = PostgresServer(find_bin())  # type: ignore[arg-type]
        server.start()
        stores.append(("PostgreSQL", None))
    try:
        for label, url in stores:
            results = {}
            for size in args.sizes:
                print(f"{label}, {size:,} messages", flush=True)
                target = url if url is not None else server.new_database()  # type: ignore[union-attr]
                results[size] = measure(target, size, args.repeat)
            print(f"\n| {label} | " + " | ".join(f"{s:,}: p50 / p95 ms" for s in args.sizes)
                  + (" | p95 ratio |" if len(args.sizes) > 1 else " |"))
            print("|---|" + "---|" * (len(args.sizes) + (len(args.sizes) > 1)))
            for name in results[args.sizes[0]]:
                cells = [f"{results[s][name][0]:.1f} / {results[s][name][1]:.1f}"
                         for s in args.sizes]
                big, small = results[args.sizes[-1]][name][1], results[args.sizes[0]][name][1]
                ratio = f" {big / small:.2f} |" if len(args.sizes) > 1 else ""
                print(f"| {name} | " + " | ".join(cells) + " |" + ratio)
            print(flush=True)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
