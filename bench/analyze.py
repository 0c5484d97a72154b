"""Re-analysis of a whole store: in this process, then on a Dask LocalCluster of two worker
processes, with messages per second for each and a check that both wrote the same findings.

    python bench/analyze.py [--count 100000] [--batch-size 500]

The store is built with the trained model switched off (so that building it is quick); both
runs then analyse every message with every detector, the model included.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def fingerprint(service: object) -> str:
    """A digest of every finding and message verdict in the store."""
    from sqlalchemy import select

    from civicshield.storage import tables

    digest = hashlib.sha256()
    with service.context.engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            select(tables.findings.c.message_id, tables.findings.c.detector,
                   tables.findings.c.label, tables.findings.c.score,
                   tables.findings.c.span_start, tables.findings.c.span_end,
                   tables.findings.c.why).order_by(tables.findings.c.message_id,
                                                   tables.findings.c.detector,
                                                   tables.findings.c.label,
                                                   tables.findings.c.span_start))
        for row in rows:
            digest.update(repr(tuple(row)).encode())
        for row in conn.execute(select(tables.messages.c.id, tables.messages.c.flags,
                                       tables.messages.c.priority)
                                .order_by(tables.messages.c.id)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()
    from distributed import LocalCluster
    from workspace import fresh_workspace

    from civicshield.app import CivicShield
    from civicshield.config import load_settings
    from civicshield.domain.access import cli_actor

    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        quick, source = fresh_workspace(Path(folder), args.count,
                                        {"CIVICSHIELD_DISABLED_DETECTORS": "minilm-heads"})
        quick.triage.import_file(cli_actor(), source)
        print(f"store of {args.count:,} messages built in {time.perf_counter() - started:.0f} s")
        service = CivicShield.open(load_settings({"CIVICSHIELD_DATA_DIR": str(Path(folder) /
                                                                              "data")}))
        runs: dict[str, tuple[float, str]] = {}
        started = time.perf_counter()
        done = service.triage.analyse(cli_actor(), redo_all=True, batch_size=args.batch_size)
        runs["in-process"] = (time.perf_counter() - started, fingerprint(service))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=40) as cluster:
            started = time.perf_counter()
            again = service.triage.analyse(cli_actor(), redo_all=True,
                                           batch_size=args.batch_size,
                                           cluster=cluster.scheduler_address)
            runs["LocalCluster, 2 workers"] = (time.perf_counter() - started,
                                               fingerprint(service))
        assert done == again == args.count, (done, again)
        for name, (seconds, _) in runs.items():
            print(f"{name:26} {args.count:,} messages in {seconds:7.1f} s = "
                  f"{args.count / seconds:6.0f} messages/s")
        same = len({digest for _, digest in runs.values()}) == 1
        print(f"findings identical in both runs: {same} ({runs['in-process'][1][:16]})")
        if not same:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
