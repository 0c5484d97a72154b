"""Detector benchmark: full stack and fast path throughput, latency, cold start and memory.

- full stack: every built-in detector, the trained model included, over batches of 256 messages;
- fast path: the same without the model (CIVICSHIELD_DISABLED_DETECTORS=minilm-heads);
- single message: median and 95th percentile latency of one message at a time (full stack);
- cold start: a fresh process importing civicshield, loading the detectors and the model, and
  classifying its first message;
- peak memory: the full-stack run's max RSS.

The texts are the demo generator's synthetic messages (about 78 % distinct, 117 characters on
average); "all distinct" numbers every text so the model's duplicate cache never helps.

    python bench/detect.py                  # 5,000 messages
    python bench/detect.py --count 20000
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

COLD_START = """
import time
started = time.perf_counter()
from civicshield.app import build_registry
from civicshield.config import load_settings
from civicshield.domain.detection import DetectionInput, verdict
registry, _ = build_registry(load_settings({}))
verdict(registry.detect([DetectionInput("I know where you live.")])[0])
print(time.perf_counter() - started)
"""


def texts(count: int, *, distinct: bool) -> list[str]:
    """Synthetic message texts."""
    from civicshield.demo.generate import synthetic_records

    out = [r["text"] for r in synthetic_records(count)]
    return [f"{t} (#{i})" for i, t in enumerate(out)] if distinct else out


def throughput(batch: list[str], disabled: tuple[str, ...]) -> float:
    """Messages per second through the registry, in batches of 256."""
    from civicshield.app import build_registry
    from civicshield.config import load_settings
    from civicshield.domain.detection import DetectionInput, verdict

    settings = load_settings({"CIVICSHIELD_DISABLED_DETECTORS": ",".join(disabled)})
    registry, _ = build_registry(settings)
    registry.detect([DetectionInput("warm up")])
    started = time.perf_counter()
    for i in range(0, len(batch), 256):
        for found in registry.detect([DetectionInput(t) for t in batch[i:i + 256]]):
            verdict(found)
    return len(batch) / (time.perf_counter() - started)


def latency(batch: list[str], runs: int = 300) -> tuple[float, float]:
    """Median and 95th percentile milliseconds for one message at a time (full stack)."""
    from civicshield.app import build_registry
    from civicshield.config import load_settings
    from civicshield.domain.detection import DetectionInput, verdict

    registry, _ = build_registry(load_settings({}))
    registry.detect([DetectionInput("warm up")])
    times = []
    for text in batch[:runs]:
        started = time.perf_counter()
        verdict(registry.detect([DetectionInput(text)])[0])
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def model_reads(batch: list[str]) -> list[str]:
    """The texts the model's gate passes on to the model (all of them without a gate)."""
    from civicshield.detectors.model import ModelDetector

    gate = ModelDetector().gate
    return [t for t, ok in zip(batch, gate.passes(batch), strict=True) if ok] if gate else batch


def cold_start() -> float:
    """Seconds from a fresh interpreter to its first classified message (best of 3)."""
    return min(float(subprocess.run([sys.executable, "-c", COLD_START], check=True,
                                    capture_output=True, text=True).stdout) for _ in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}")
    mix = texts(args.count, distinct=False)
    distinct = texts(args.count, distinct=True)
    print(f"messages: {args.count}, {len(set(mix))} distinct in the mix, "
          f"{sum(map(len, mix)) / len(mix):.0f} characters on average")
    print(f"full stack, realistic mix:   {throughput(mix, ()):8.0f} msg/s")
    print(f"full stack, all distinct:    {throughput(distinct, ()):8.0f} msg/s")
    print(f"fast path (no model), mix:   {throughput(mix, ('minilm-heads',)):8.0f} msg/s")
    # Texts not seen yet in this process: the model's duplicate cache must not answer for it.
    fresh = [f"{t} (latency {i})" for i, t in enumerate(mix)]
    median, p95 = latency(fresh)
    print(f"single message latency:      {median:8.1f} ms median, {p95:.1f} ms p95")
    read = model_reads([f"{t} (read {i})" for i, t in enumerate(mix)])
    median, p95 = latency(read)
    print(f"  ... of those the model reads: {median:5.1f} ms median, {p95:.1f} ms p95 "
          f"({len(read)} of {len(distinct)} pass the gate)")
    print(f"cold start to first verdict: {cold_start():8.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (this process):  {peak:8.0f} MB")


if __name__ == "__main__":
    main()
