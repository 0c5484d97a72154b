"""A busy store: import N messages (default 200,000) while people log in, review messages and
open an incident, and measure how long each of those takes.

    python bench/concurrency.py [--count 200000] [--with-model]

Without --with-model the trained model is switched off so the import is about the store; the
import runs in its own thread, the staff actions in the main thread, in one process on SQLite
(encrypted with SQLCipher), as `civicshield serve` and an import from the dashboard would.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--with-model", action="store_true")
    args = parser.parse_args()
    from workspace import fresh_workspace

    from civicshield.domain.access import cli_actor
    from civicshield.domain.models import ReviewState, Role
    from civicshield.domain.ports import QueueFilter

    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        service, source = fresh_workspace(Path(folder), args.count, {
            "CIVICSHIELD_DISABLED_DETECTORS": "" if args.with_model else "minilm-heads"})
        admin = cli_actor()
        service.accounts.add_user(admin, "staff", Role.ANALYST, "correct horse battery")
        sample = Path(folder) / "sample.jsonl"
        sample.write_text(source.read_text(encoding="utf-8").splitlines()[0] + "\n")
        service.triage.import_file(admin, sample)
        first = service.triage.queue(QueueFilter(), limit=1)[0][0]
        incident = service.incidents.open(admin, "bench", [first.id])
        result: dict[str, object] = {}

        def run_import() -> None:
            started = time.perf_counter()
            done = service.triage.import_file(admin, source)
            result["import"] = {"added": done.added,
                                "seconds": round(time.perf_counter() - started, 1)}

        worker = threading.Thread(target=run_import)
        worker.start()
        timings: dict[str, list[float]] = {"login": [], "review": [], "incident_view": []}
        failures = 0
        actions = {
            "login": lambda: service.accounts.authenticate("staff", "correct horse battery",
                                                           "127.0.0.1"),
            "review": lambda: service.triage.set_state(admin, [first.id], ReviewState.REVIEWED),
            "incident_view": lambda: service.incidents.view(admin, incident.id)}
        time.sleep(2)  # the import is well under way
        while worker.is_alive() and min(len(v) for v in timings.values()) < 50:
            for name, action in actions.items():
                started = time.perf_counter()
                try:
                    action()
                except Exception:
                    failures += 1
                timings[name].append(time.perf_counter() - started)
            time.sleep(0.5)
        worker.join()
        summary = {name: {"n": len(v), "p50_ms": round(1000 * statistics.median(v), 1),
                          "p95_ms": round(1000 * sorted(v)[int(0.95 * (len(v) - 1))], 1),
                          "max_ms": round(1000 * max(v), 1)} for name, v in timings.items()}
        print(json.dumps({"count": args.count, "model": args.with_model, **result,
                          "failures": failures, **summary}))


if __name__ == "__main__":
    main()
