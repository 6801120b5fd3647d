"""The Metrics port on prometheus_client, one registry per app; under `serve --workers N` the
page sums the workers' counts (worker_totals.py)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from adapters.telemetry.scrape_gauges import (
    DeadLetterReader,
    OutboxReader,
    PoolReader,
    ScrapeGauges,
)
from adapters.telemetry.worker_totals import instance_registry, kept_in_shared_files
from domain.availability import UnavailableReason
from domain.paid_session import RefundReason

# Label values known in advance are exported at 0 from the start: a counter series born at 1
# shows no increase() to Prometheus, so the first reconciler failure, calendar error or
# refund would pass unseen by the alert rules.
PAID_SESSION_REFUND_REASONS = tuple(r.value for r in RefundReason)
REFUND_REASONS = (*PAID_SESSION_REFUND_REASONS, "admin_cancel")
CHECKOUT_CONFLICT_REASONS = (*(r.value for r in UnavailableReason), "busy", "other")
CALENDAR_OPERATIONS = ("read", "block", "free")
RECONCILE_ACTIONS = ("completed", "released", "kept", "failed")  # reconcile.py's outcomes
RECONCILE_RUN_OUTCOMES = ("ok", "failed")


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
        self._reconcile_runs = Counter(
            "elope_reconciler_runs_total",
            "Periodic reconciler rounds, by outcome (failed: the round raised as a whole).",
            ["outcome"],
            registry=r,
        )
        self._checkout_conflicts = Counter(
            "elope_checkout_conflicts_total",
            "Checkouts answered 409, by reason (the date's reason, busy, other).",
            ["reason"],
            registry=r,
        )
        self._signature_failures = Counter(
            "elope_webhook_signature_failures_total",
            "Webhook deliveries refused before recording: missing, bad or stale signature.",
            registry=r,
        )
        self._refunds = Counter(
            "elope_refunds_total",
            "Refunds asked of the payment provider, by reason.",
            ["reason"],
            registry=r,
        )
        self._date_locks = Counter(
            "elope_date_locks_total",
            "Date locks asked for (each may wait up to DB_LOCK_TIMEOUT_MS).",
            registry=r,
        )
        for counter, values in ((self._paid_refunds, PAID_SESSION_REFUND_REASONS),
                                (self._refunds, REFUND_REASONS),
                                (self._checkout_conflicts, CHECKOUT_CONFLICT_REASONS),
                                (self._calendar_failures, CALENDAR_OPERATIONS),
                                (self._reconcile_actions, RECONCILE_ACTIONS),
                                (self._reconcile_runs, RECONCILE_RUN_OUTCOMES)):
            for value in values:
                counter.labels(value)
        self._gauges = ScrapeGauges()
        r.register(self._gauges)
        self._request_seconds = Histogram(
            "elope_http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        # One worker of several: the page reports the instance's totals, not this worker's.
        self._exposed = instance_registry(self._gauges) if kept_in_shared_files() else r

    def set_pool_reader(self, fn: PoolReader, max_size: int = 0) -> None:
        """Called at scrape time, so the gauges are never stale (memory preset keeps (0, 0));
        `max_size` is what "exhausted" means (in use == size is not, while the pool may grow)."""
        self._gauges.pool_reader = fn
        self._gauges.pool_max = max_size

    def set_outbox_reader(self, fn: OutboxReader) -> None:
        """Read by `refresh` before each scrape."""
        self._gauges.outbox_reader = fn

    def set_dead_letter_reader(self, fn: DeadLetterReader) -> None:
        """Read by `refresh` before each scrape, like the outbox."""
        self._gauges.dead_letter_reader = fn

    async def refresh(self) -> None:
        """Read what needs I/O (the outbox backlog, the dead-letter queue); GET /metrics
        awaits it before `render`."""
        await self._gauges.refresh()

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
        self._refunds.labels(reason=reason).inc()  # every refund, whatever path asked for it

    def mail_rejected(self) -> None:
        self._mail_rejected.inc()

    def calendar_failed(self, operation: str) -> None:
        self._calendar_failures.labels(operation=operation).inc()

    def reconcile_action(self, action: str) -> None:
        self._reconcile_actions.labels(action=action).inc()

    def reconcile_run(self, outcome: str) -> None:
        self._reconcile_runs.labels(outcome=outcome).inc()

    def checkout_conflict(self, reason: str) -> None:
        self._checkout_conflicts.labels(reason=reason).inc()

    def webhook_signature_failed(self) -> None:
        self._signature_failures.inc()

    def refund_issued(self, reason: str) -> None:
        self._refunds.labels(reason=reason).inc()

    def date_lock_requested(self) -> None:
        self._date_locks.inc()

    def render(self) -> tuple[bytes, str]:
        """Body and Content-Type for GET /metrics. generate_latest() writes the classic text
        format, so advertise 0.0.4 (CONTENT_TYPE_LATEST now says 1.0.0, which older
        Prometheus servers do not recognise)."""
        return generate_latest(self._exposed), CONTENT_TYPE_PLAIN_0_0_4

    def request_finished(self, method: str, route: str, status: int, seconds: float) -> None:
        self._request_seconds.labels(method=method, route=route, status=str(status)).observe(seconds)
