"""Ingest benchmark: import and analyse N synthetic messages from a JSON Lines file.

Each size runs in a fresh process so that its peak memory (max RSS) is its own. Prints
messages per second for the import (pipeline: preflight, dedupe, detect, escalate, store) and the
peak memory, for several file sizes, to show that memory stays flat as the file grows.

    python bench/ingest.py                      # 25,000, 50,000 and 100,000 messages, SQLite
    python bench/ingest.py --sizes 100000
    python bench/ingest.py --fast-path        # without the trained model
    python bench/ingest.py --bulk --sizes 100000,1000000   # import --bulk: stored unjudged
    CIVICSHIELD_BENCH_DATABASE_URL=postgresql+psycopg://... python bench/ingest.py
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one(count: int, *, bulk: bool = False) -> dict[str, float]:
    """Import ``count`` messages into a fresh store and measure."""
    from workspace import fresh_workspace

    from civicshield.domain.access import cli_actor

    with tempfile.TemporaryDirectory() as folder:
        service, source = fresh_workspace(Path(folder), count, {
            "CIVICSHIELD_DATABASE_URL": os.environ.get("CIVICSHIELD_BENCH_DATABASE_URL", ""),
            "CIVICSHIELD_DISABLED_DETECTORS": os.environ.get("CIVICSHIELD_BENCH_DISABLED", "")})
        actor = cli_actor()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        result = service.triage.import_file(actor, source, bulk=bulk)
        seconds = time.perf_counter() - started
        assert result.added == count, result
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"messages": count, "seconds": round(seconds, 2),
            "per_second": round(count / seconds), "peak_rss_mb": round(peak / 1024, 1),
            "rss_before_import_mb": round(before / 1024, 1),
            "file_mb": 0.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="25000,50000,100000")
    parser.add_argument("--fast-path", action="store_true",
                        help="switch the trained model off (CIVICSHIELD_DISABLED_DETECTORS)")
    parser.add_argument("--bulk", action="store_true",
                        help="the bulk path: stored without being judged (import --bulk)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fast_path:
        os.environ["CIVICSHIELD_BENCH_DISABLED"] = "minilm-heads"
    if args.one:
        print(json.dumps(one(args.one, bulk=args.bulk)))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    print(f"{'messages':>9} {'seconds':>8} {'msg/s':>7} {'peak RSS MB':>12}")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size),
                              *(["--bulk"] if args.bulk else [])], check=True,
                             capture_output=True, text=True).stdout
        row = json.loads(out.strip().splitlines()[-1])
        print(f"{row['messages']:>9} {row['seconds']:>8} {row['per_second']:>7} "
              f"{row['peak_rss_mb']:>12}")


if __name__ == "__main__":
    main()
