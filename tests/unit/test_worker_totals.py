"""A worker of `elope serve --workers N` (prometheus_client's multiprocess mode, chosen when it
is imported: so each worker here is a process of its own) reports what one worker would -
the same series, labels, help and histogram buckets - with the counts of every worker that
ran, summed, those that ended too; without the directory a process keeps its own, as today."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from entrypoints.cli.worker_metrics import forget_worker
from tests.metrics_scrape import parse_samples, value

WORKER = """
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
metrics = PrometheusMetrics()
metrics.set_pool_reader(lambda: (4, 1), max_size=10)
for _ in range({times}):
    metrics.request_finished("GET", "/v1/packages", 200, 0.02)
    metrics.webhook_processed("checkout.session.completed", "processed", 0.3)
    metrics.lock_timeout()
print(metrics.render()[0].decode())
"""

# Elope has no gauge kept in the files (its gauges are read at scrape time), but one added
# later would be: the supervisor forgets a dead worker's "live" gauges, and only those.
LIVE_GAUGE = """
import os
from prometheus_client import Gauge
Gauge("elope_example_live", "A live gauge.", multiprocess_mode="livesum").set(7)
print("pid", os.getpid())
"""


def worker(times: int, shared: Path | None, *, live_gauge: bool = False) -> str:
    """The page of a process that answered `times` requests, `times` webhooks and timed out
    on `times` locks, then ended."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared)} if shared else {
        k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    code = WORKER.format(times=times) + (LIVE_GAUGE if live_gauge else "")
    return subprocess.run([sys.executable, "-c", code], env=env,
                          capture_output=True, text=True, check=True).stdout


def families(page: str) -> dict[tuple[str, str, str], set[tuple[str, frozenset[tuple[str, str]]]]]:
    """Each family with samples (name, type, help) and its samples' names and labels, less
    the `_created` timestamps, which only one process's page has."""
    return {(f.name, f.type, f.documentation): {(s.name, frozenset(s.labels.items()))
                                                for s in f.samples}
            for f in text_string_to_metric_families(page)
            if f.samples and not f.name.endswith("_created")}


def test_a_worker_reports_the_series_one_worker_would(tmp_path: Path) -> None:
    assert families(worker(3, tmp_path)) == families(worker(3, None))


def test_a_worker_reports_the_counts_of_every_worker_that_ran_summed(tmp_path: Path) -> None:
    worker(2, tmp_path)  # ended, like a worker that was killed and replaced
    worker(3, tmp_path)
    samples = parse_samples(worker(4, tmp_path))

    request = {"method": "GET", "route": "/v1/packages", "status": "200"}
    assert value(samples, "elope_http_request_duration_seconds_count", **request) == 9
    assert value(samples, "elope_http_request_duration_seconds_bucket", le="0.025", **request) == 9
    assert value(samples, "elope_http_request_duration_seconds_bucket", le="0.01", **request) == 0
    assert value(samples, "elope_webhook_outcomes_total", event_type="checkout.session.completed",
                 outcome="processed") == 9
    assert value(samples, "elope_lock_timeouts_total") == 9
    assert value(samples, "elope_refunds_total", reason="admin_cancel") == 0
    # Read at scrape time by the worker that answers, once, not once per worker.
    assert value(samples, "elope_db_pool_in_use") == 1
    assert value(samples, "elope_db_pool_max") == 10


def test_without_the_directory_a_process_reports_its_own_counts_only() -> None:
    samples = parse_samples(worker(2, None))
    assert value(samples, "elope_lock_timeouts_total") == 2
    assert value(samples, "elope_lock_timeouts_created") is not None  # as today


def test_a_worker_that_ended_is_forgotten_but_its_counts_stay(tmp_path: Path) -> None:
    output = worker(2, tmp_path, live_gauge=True)
    pid = int(output.rsplit("pid ", 1)[1])
    assert value(parse_samples(worker(0, tmp_path)), "elope_example_live") == 7

    forget_worker(tmp_path, pid)

    samples = parse_samples(worker(1, tmp_path))
    assert value(samples, "elope_example_live") is None
    assert value(samples, "elope_lock_timeouts_total") == 3
