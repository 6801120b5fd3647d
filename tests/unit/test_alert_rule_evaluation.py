"""Each alert rule of deploy/prometheus/elope-alerts.yml, evaluated over two scrapes of the
service's own exporter taken one range apart: it fires on the trouble it is named for and
stays quiet on a normal day. (`for:` is Prometheus' to apply; here, one evaluation.)"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from tests.alert_rules import AlertRule, load_rules
from tests.metrics_scrape import Samples, parse_samples
from tests.promql_eval import Window, evaluate

RULES = {rule.alert: rule for rule in load_rules()}
Scenario = Callable[[PrometheusMetrics], None]


async def scraped(metrics: PrometheusMetrics) -> Samples:
    await metrics.refresh()
    return parse_samples(metrics.render()[0].decode())


async def fires(rule: AlertRule, before: Scenario, during: Scenario) -> bool:
    """Whether `rule` fires after `during` happened, `before` having happened earlier."""
    metrics = PrometheusMetrics()
    before(metrics)
    start = await scraped(metrics)
    during(metrics)
    result = evaluate(rule.expr, Window(start, await scraped(metrics), seconds=600))
    assert isinstance(result, dict), f"{rule.alert} is not a vector expression"
    return bool(result)


def webhooks(booked: int = 0, failed: int = 0, rejected: int = 0, bad_signatures: int = 0,
             ) -> Scenario:
    def happen(metrics: PrometheusMetrics) -> None:
        for outcome, times in (("booked", booked), ("failed", failed), ("rejected", rejected)):
            for _ in range(times):
                metrics.webhook_processed("checkout.session.completed", outcome, 0.01)
        for _ in range(bad_signatures):
            metrics.webhook_signature_failed()
    return happen


def nothing(metrics: PrometheusMetrics) -> None:
    pass


@pytest.mark.parametrize(("during", "expected"), [
    (webhooks(booked=50, failed=5), True),        # 5 of 55: 9 %
    (webhooks(booked=50, rejected=2, failed=1), True),
    (webhooks(bad_signatures=5), True),           # a rotated secret: every delivery refused
    (webhooks(booked=100, failed=1), False),      # 1 %
    (nothing, False),                             # no deliveries, no rate
], ids=['failed 9%', 'failed and rejected', 'bad signatures only', 'failed 1%', 'no deliveries'])
async def test_the_webhook_failure_rate_alert(during: Scenario, expected: bool) -> None:
    # The outcome series exist from before (Prometheus needs two samples for a rate).
    before = webhooks(booked=100, failed=1, rejected=1)
    assert await fires(RULES["ElopeWebhookFailureRateHigh"], before, during) is expected


def locks(asked: int, timed_out: int) -> Scenario:
    def happen(metrics: PrometheusMetrics) -> None:
        for _ in range(asked):
            metrics.date_lock_requested()
        for _ in range(timed_out):
            metrics.lock_timeout()
    return happen


@pytest.mark.parametrize(("during", "expected"), [
    (locks(asked=100, timed_out=11), True),
    (locks(asked=100, timed_out=10), False),      # exactly 10 %: not more
    (locks(asked=100, timed_out=0), False),
    (nothing, False),
], ids=['11%', '10%', 'none', 'no locks'])
async def test_the_lock_timeout_rate_alert(during: Scenario, expected: bool) -> None:
    assert await fires(RULES["ElopeLockTimeoutRateHigh"], nothing, during) is expected


def pool(size: int, in_use: int, max_size: int) -> Scenario:
    def happen(metrics: PrometheusMetrics) -> None:
        metrics.set_pool_reader(lambda: (size, in_use), max_size=max_size)
    return happen


@pytest.mark.parametrize(("during", "expected"), [
    (pool(size=10, in_use=10, max_size=10), True),
    (pool(size=10, in_use=9, max_size=10), False),
    (pool(size=4, in_use=4, max_size=10), False),  # all open ones busy, but it may grow
    (nothing, False),                              # the memory preset: no pool at all
], ids=['all of max in use', 'one left', 'full but may grow', 'no pool'])
async def test_the_pool_exhaustion_alert(during: Scenario, expected: bool) -> None:
    assert await fires(RULES["ElopeDbPoolExhausted"], nothing, during) is expected


def outbox(messages: int, oldest_age_seconds: float) -> Scenario:
    def happen(metrics: PrometheusMetrics) -> None:
        async def read() -> tuple[int, float]:
            return messages, oldest_age_seconds
        metrics.set_outbox_reader(read)
    return happen


@pytest.mark.parametrize(("during", "expected"), [
    (outbox(3, oldest_age_seconds=20 * 60), True),
    (outbox(3, oldest_age_seconds=10 * 60), False),
    (outbox(0, oldest_age_seconds=0), False),
], ids=['20 min', '10 min', 'empty'])
async def test_the_outbox_age_alert(during: Scenario, expected: bool) -> None:
    assert await fires(RULES["ElopeOutboxStuck"], nothing, during) is expected


def reconciler(failed_holds: int = 0, failed_rounds: int = 0, released: int = 0) -> Scenario:
    def happen(metrics: PrometheusMetrics) -> None:
        for action, times in (("failed", failed_holds), ("released", released)):
            for _ in range(times):
                metrics.reconcile_action(action)
        for _ in range(failed_rounds):
            metrics.reconcile_run("failed")
    return happen


@pytest.mark.parametrize(("during", "expected"), [
    (reconciler(failed_holds=3), True),
    (reconciler(failed_rounds=3), True),          # the database down for every round
    (reconciler(failed_holds=2, failed_rounds=1), True),
    (reconciler(failed_holds=2, released=40), False),
    (nothing, False),
], ids=['failed holds', 'failed rounds', 'both', 'two failed holds', 'idle'])
async def test_the_reconciler_failure_alert(during: Scenario, expected: bool) -> None:
    # Nothing before: the series are exported at 0 from the start, so even the first
    # failures show an increase.
    assert await fires(RULES["ElopeReconcilerFailing"], nothing, during) is expected


def dead_letters(waiting: int, unreadable: int) -> Scenario:
    def happen(metrics: PrometheusMetrics) -> None:
        async def read() -> tuple[int, int]:
            return waiting, unreadable
        metrics.set_dead_letter_reader(read)
    return happen


@pytest.mark.parametrize(("during", "waiting_fires", "unreadable_fires"), [
    (dead_letters(waiting=1, unreadable=0), True, False),   # the database still down
    (dead_letters(waiting=0, unreadable=1), False, True),   # sealed under an old secret
    (dead_letters(waiting=2, unreadable=3), True, True),
    (dead_letters(waiting=0, unreadable=0), False, False),  # replayed, or none ever kept
], ids=['waiting', 'unreadable', 'both', 'empty'])
async def test_the_dead_letter_alerts(
    during: Scenario, waiting_fires: bool, unreadable_fires: bool,
) -> None:
    assert await fires(RULES["ElopeDeadLettersWaiting"], nothing, during) is waiting_fires
    assert await fires(RULES["ElopeDeadLettersUnreadable"], nothing, during) is unreadable_fires
