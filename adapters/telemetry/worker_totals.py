"""GET /metrics when one instance is several worker processes (`elope serve --workers N`):
the counters and histograms of every worker that ran, summed, read from the files that
prometheus_client's multiprocess mode keeps them in. Whichever worker answers a scrape then
reports the same totals, and a worker that died and was replaced leaves its counts in them -
a total that went down would look like a counter reset to Prometheus.

prometheus_client chooses where a process keeps its values once, when it is first imported:
in files under PROMETHEUS_MULTIPROC_DIR when that is in the environment, else in memory.
entrypoints/cli/worker_metrics.py sets it for `serve`'s workers only, so one worker - and a
test process with many apps, each with its own registry - keeps its values in memory."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, values
from prometheus_client.multiprocess import MultiProcessCollector

from adapters.telemetry.scrape_gauges import ScrapeGauges


def kept_in_shared_files() -> bool:
    """Whether this process's metrics are kept in the directory its sibling workers share.
    Asked of prometheus_client itself, so it cannot disagree with where the values went."""
    return bool(getattr(values.ValueClass, "_multiprocess", False))


def instance_registry(scrape_gauges: ScrapeGauges) -> CollectorRegistry:
    """What GET /metrics exposes in a worker: every worker's counters and histograms, summed
    from the directory prometheus_client writes to, and the gauges this worker reads at
    scrape time (they live in no file; scrape_gauges.py says why this worker's are right)."""
    registry = CollectorRegistry()
    # The directory prometheus_client was imported with; unannotated upstream.
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(scrape_gauges)
    return registry
