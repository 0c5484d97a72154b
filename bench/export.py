"""Evidence export benchmark: an incident of N messages written as a packet (ZIP with PDF report).

Imports N synthetic messages, opens one incident holding all of them (capture is timed apart),
then times `Incidents.export`, `evidence verify` of the whole store and `verify --packet` of the
unpacked packet, and reports the packet's size and this process's peak memory. Each size runs in
a fresh process so that its peak memory is its own.

    python bench/export.py                  # 2,000 and 10,000 messages
    python bench/export.py --sizes 10000
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
import zipfile
from pathlib import Path


def one(count: int) -> dict[str, float]:
    """Capture and export an incident of ``count`` messages in a fresh store."""
    from workspace import fresh_workspace

    from civicshield.domain.access import cli_actor
    from civicshield.domain.ports import QueueFilter
    from civicshield.reports.packet import verify_packet

    with tempfile.TemporaryDirectory() as folder:
        service, source = fresh_workspace(Path(folder), count,
                                          {"CIVICSHIELD_DISABLED_DETECTORS": "minilm-heads"})
        actor = cli_actor()
        service.triage.import_file(actor, source)
        ids = [m.id for m in service.triage.queue(QueueFilter(state=None), limit=count)[0]]
        started = time.perf_counter()
        incident = service.incidents.open(actor, "Benchmark incident", ids)
        captured = time.perf_counter() - started
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        packet = service.incidents.export(actor, incident.id, Path(folder) / "packet.zip")
        seconds = time.perf_counter() - started
        size = packet.stat().st_size
        started = time.perf_counter()
        store_ok = service.incidents.verify(actor).ok
        verify_store_s = time.perf_counter() - started
        unpacked = Path(folder) / "unpacked"
        with zipfile.ZipFile(packet) as archive:
            archive.extractall(unpacked)
        started = time.perf_counter()
        packet_ok = verify_packet(unpacked).ok
        verify_packet_s = time.perf_counter() - started
        if not (store_ok and packet_ok):
            raise SystemExit("verification failed: the benchmark measured a broken export")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"messages": len(ids), "capture_s": round(captured, 2), "export_s": round(seconds, 2),
            "verify_store_s": round(verify_store_s, 2),
            "verify_packet_s": round(verify_packet_s, 2),
            "packet_mb": round(size / 1e6, 1), "rss_before_export_mb": round(before / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one)))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    print(" messages  capture s  export s  verify s  verify packet s  packet MB  peak RSS MB")
    for size in (int(s) for s in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--one", str(size)], check=True,
                             capture_output=True, text=True).stdout
        r = json.loads(out)
        print(f"{r['messages']:>9} {r['capture_s']:>10} {r['export_s']:>9} "
              f"{r['verify_store_s']:>9} {r['verify_packet_s']:>16} {r['packet_mb']:>10} "
              f"{r['peak_rss_mb']:>12}")


if __name__ == "__main__":
    main()
