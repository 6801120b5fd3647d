"""The Metrics port on prometheus_client, one registry per instance."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

_log = logging.getLogger(__name__)

PoolReader = Callable[[], tuple[int, int]]
"""Returns (pool size, connections in use)."""


class PrometheusMetrics:
    """Own registry (not prometheus_client's global one) so several apps in one test process
    do not raise "Duplicated timeseries"."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self._webhook_seconds = Histogram(
            "elope_webhook_processing_seconds",
            "Time to process one Stripe webhook event.",
            ["event_type", "outcome"],
            registry=r,
        )
        self._webhook_outcomes = Counter(
            "elope_webhook_outcomes_total",
            "Stripe webhook events by type and outcome.",
            ["event_type", "outcome"],
            registry=r,
        )
        self._booking_seconds = Histogram(
            "elope_booking_creation_seconds",
            "Time to create a booking.",
            registry=r,
        )
        self._conflicts = Counter(
            "elope_booking_conflicts_total",
            "Booking/hold conflicts by where they were caught.",
            ["where"],
            registry=r,
        )
        self._lock_timeouts = Counter(
            "elope_lock_timeouts_total",
            "Row locks that could not be taken in time.",
            registry=r,
        )
        self._subscriber_failures = Counter(
            "elope_subscriber_failures_total",
            "Event subscribers that raised.",
            ["subscriber"],
            registry=r,
        )
        self._paid_refunds = Counter(
            "elope_paid_session_refunds_total",
            "Paid sessions refunded instead of booked, by reason.",
            ["reason"],
            registry=r,
        )
        self._mail_rejected = Counter(
            "elope_mail_rejected_total",
            "Emails the mail service refused for good (not retried).",
            registry=r,
        )
        self._calendar_failures = Counter(
            "elope_calendar_failures_total",
            "Calendar reads and writes that failed, by operation.",
            ["operation"],
            registry=r,
        )
        self._reconcile_actions = Counter(
            "elope_reconciler_actions_total",
            "What the reconciler did with each hold it looked at.",
            ["action"],
            registry=r,
        )
        self._pool_reader: PoolReader = _no_pool
        r.register(_PoolCollector(self))
        self._request_seconds = Histogram(
            "elope_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )

    def set_pool_reader(self, fn: PoolReader) -> None:
        """Called at scrape time, so the gauges are never stale (memory preset keeps (0, 0))."""
        self._pool_reader = fn

    def webhook_processed(self, event_type: str, outcome: str, seconds: float) -> None:
        self._webhook_seconds.labels(event_type=event_type, outcome=outcome).observe(seconds)
        self._webhook_outcomes.labels(event_type=event_type, outcome=outcome).inc()

    def booking_created(self, seconds: float) -> None:
        self._booking_seconds.observe(seconds)

    def booking_conflict(self, where: str) -> None:
        self._conflicts.labels(where=where).inc()

    def lock_timeout(self) -> None:
        self._lock_timeouts.inc()

    def subscriber_failed(self, subscriber: str) -> None:
        self._subscriber_failures.labels(subscriber=subscriber).inc()

    def paid_session_refunded(self, reason: str) -> None:
        self._paid_refunds.labels(reason=reason).inc()

    def mail_rejected(self) -> None:
        self._mail_rejected.inc()

    def calendar_failed(self, operation: str) -> None:
        self._calendar_failures.labels(operation=operation).inc()

    def reconcile_action(self, action: str) -> None:
        self._reconcile_actions.labels(action=action).inc()

    def render(self) -> tuple[bytes, str]:
        """Body and Content-Type for GET /metrics. generate_latest() writes the classic text
        format, so advertise 0.0.4 (CONTENT_TYPE_LATEST now says 1.0.0, which older
        Prometheus servers do not recognise)."""
        return generate_latest(self.registry), CONTENT_TYPE_PLAIN_0_0_4

    def read_pool(self) -> tuple[int, int]:
        return self._pool_reader()

    def request_finished(self, method: str, route: str, status: int, seconds: float) -> None:
        self._request_seconds.labels(method=method, route=route, status=str(status)).observe(seconds)


def _no_pool() -> tuple[int, int]:
    return (0, 0)


class _PoolCollector:
    """Custom collector: reads the pool once per scrape so size and in-use are consistent."""

    def __init__(self, metrics: PrometheusMetrics) -> None:
        self._metrics = metrics

    def describe(self) -> Iterable[Metric]:
        # Names only, so the registry can check for duplicates without calling the reader.
        return [_gauge("elope_db_pool_size", None), _gauge("elope_db_pool_in_use", None)]

    def collect(self) -> Iterable[Metric]:
        try:
            size, in_use = self._metrics.read_pool()
        except Exception:
            # A closed/broken pool must not take the whole /metrics page down with it.
            _log.warning("db pool reader failed; pool gauges omitted", exc_info=True)
            return []
        return [_gauge("elope_db_pool_size", size), _gauge("elope_db_pool_in_use", in_use)]


def _gauge(name: str, value: float | None) -> GaugeMetricFamily:
    doc = "Connections in the DB pool." if name.endswith("size") else "DB connections checked out."
    return GaugeMetricFamily(name, doc, value=value)
