"""Re-analysis spread over a Dask distributed cluster.

The coordinator (``civicshield analyze --cluster``) reads batches from the store and hands
them out; each worker builds the detectors once (from the same settings, so the same model and
rules) and returns findings; the coordinator writes each batch's results once, in batch order.
A worker lost mid-run has its batches run again elsewhere (Dask reschedules them; a batch that
raises is retried ``RETRIES`` times); results are keyed by batch, so nothing is written twice.

Batches carry message text and the protected person's profile: run workers on machines you
trust, and use a ``tls://`` scheduler address with Dask's TLS settings across a network.
"""

from __future__ import annotations

import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from civicshield.domain.detection import DetectorRegistry
from civicshield.domain.errors import ConfigError
from civicshield.domain.pipeline import AnalysisBatch, analyse_batch
from civicshield.domain.ports import AnalysedMessage

#: A batch that fails (not a lost worker) is tried this many more times.
RETRIES = 3
#: Batches handed out ahead per worker thread, so no worker waits for the coordinator.
AHEAD = 2
Results = Iterator[tuple[AnalysisBatch, tuple[AnalysedMessage, ...]]]
_REGISTRIES: dict[str, DetectorRegistry] = {}
_LOCK = threading.Lock()


def _analyse_on_worker(key: str, factory: Callable[[], DetectorRegistry],
                       batch: AnalysisBatch) -> tuple[AnalysedMessage, ...]:
    """Run on a worker: the detectors are built once per worker process and kept."""
    with _LOCK:
        registry = _REGISTRIES.get(key)
        if registry is None:
            registry = _REGISTRIES[key] = factory()
    if registry.signature != key:
        raise ConfigError(f"this worker's detectors ({registry.signature}) are not the "
                          f"coordinator's ({key}): install the same civicshield version there")
    return analyse_batch(registry, batch)


class InProcess:
    """Re-analysis in this process (the default)."""

    def __init__(self, registry: DetectorRegistry) -> None:
        self.registry = registry

    def run(self, batches: Iterable[AnalysisBatch]) -> Results:
        """Each batch's results, in order."""
        for batch in batches:
            yield batch, analyse_batch(self.registry, batch)

    def close(self) -> None:
        """Nothing to release."""


class OnCluster:
    """Re-analysis on the Dask scheduler at ``address`` (``tcp://host:8786``)."""

    def __init__(self, address: str, factory: Callable[[], DetectorRegistry],
                 signature: str) -> None:
        from distributed import Client

        try:
            self.client: Any = Client(address, timeout="10s",  # type: ignore[no-untyped-call]
                                      set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.factory = factory
        self.signature = signature
        self.run_id = secrets.token_hex(6)

    def run(self, batches: Iterable[AnalysisBatch]) -> Results:
        """Each batch's results, in batch order, with a bounded number handed out ahead."""
        threads = sum(self.client.nthreads().values()) or 1
        pending: deque[tuple[AnalysisBatch, Any]] = deque()
        source = iter(batches)

        def hand_out() -> None:
            while len(pending) < threads * AHEAD:
                batch = next(source, None)
                if batch is None:
                    return
                pending.append((batch, self.client.submit(
                    _analyse_on_worker, self.signature, self.factory, batch,
                    key=f"civicshield-analysis-{self.run_id}-{batch.index}",
                    retries=RETRIES, pure=False)))

        hand_out()
        while pending:
            batch, future = pending.popleft()
            result = future.result()
            future.release()
            hand_out()
            yield batch, result

    def close(self) -> None:
        """Disconnect from the scheduler."""
        self.client.close()
