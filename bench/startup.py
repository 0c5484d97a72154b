"""How long a command takes to start: `civicshield queue` and `civicshield --help` in a fresh
process each time, on a store made for the purpose (no detector or model is loaded by either).

    python bench/startup.py [--repeat 15]

Byte code is written as an installed package's would be (PYTHONDONTWRITEBYTECODE is unset),
and one unmeasured run of each fills the caches first.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {"civicshield queue": ["queue"], "civicshield users list": ["users", "list"],
            "civicshield --help": ["--help"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    print(f"# {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["CIVICSHIELD_DATA_DIR"] = str(Path(folder) / "data")
        subprocess.run([sys.executable, "-m", "civicshield", "init"], env=env, check=True,
                       capture_output=True)
        print("| command | p50 ms | p95 ms |\n|---|---|---|")
        for name, argv in COMMANDS.items():
            subprocess.run([sys.executable, "-m", "civicshield", *argv], env=env, check=True,
                           capture_output=True)
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                subprocess.run([sys.executable, "-m", "civicshield", *argv], env=env,
                               check=True, capture_output=True)
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            print(f"| {name} | {statistics.median(times):.0f} | "
                  f"{times[int(0.95 * (len(times) - 1))]:.0f} |")


if __name__ == "__main__":
    main()
