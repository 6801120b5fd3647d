"""deploy/prometheus/elope-alerts.yml against the service itself (issue 9 item 8), as
promtool's `check rules` would and more: every rule parses, names only series this service
exports (a typo in a metric name fails here), picks real series with each of its selectors,
and evaluates over two real scrapes to the answer the traffic between them calls for."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import promql_parser as pp

from entrypoints.bootstrap import Elope
from tests.alert_rules import AlertRule, load_rules, metric_names
from tests.conftest import paid_session, sign, stripe_event
from tests.e2e.conftest import WEBHOOK, Book, Checkout
from tests.metrics_scrape import Samples, scrape
from tests.promql_eval import Window, evaluate, select, selectors

ALERTS = {"ElopeWebhookFailureRateHigh", "ElopeLockTimeoutRateHigh", "ElopeDbPoolExhausted",
          "ElopeOutboxStuck", "ElopeReconcilerFailing", "ElopeDeadLettersWaiting",
          "ElopeDeadLettersUnreadable"}


def missing_names(rule: AlertRule, samples: Samples) -> set[str]:
    """The metric names `rule` reads that the scrape does not have."""
    return metric_names(rule) - {name for name, _ in samples}


async def traffic(client: httpx.AsyncClient, elope: Elope, book: Book, checkout: Checkout,
                  date: str, free_date: str) -> None:
    """A booking, a refused checkout, a rejected and a forged webhook."""
    await book(date)
    assert (await checkout(date)).status_code == 409
    never_sold = paid_session(package_id="pkg_never_sold", event_date=free_date)
    raw, headers = sign(stripe_event("checkout.session.completed", never_sold),
                        elope.settings.webhook_secret)
    assert (await client.post(WEBHOOK, content=raw, headers=headers)).status_code == 422
    forged = {**headers, "Stripe-Signature": "t=1,v1=00"}
    assert (await client.post(WEBHOOK, content=raw, headers=forged)).status_code == 422


def test_the_rules_file_has_the_alerts_the_seed_asks_for_each_saying_what_to_do() -> None:
    rules = load_rules()

    assert {rule.alert for rule in rules} == ALERTS
    for rule in rules:
        assert rule.labels.get("severity") in ("page", "warning"), rule.alert
        assert rule.annotations.get("summary") and rule.annotations.get("description")
        if rule.duration is not None:
            pp.parse_duration(rule.duration)  # promtool refuses a malformed `for:`


async def test_every_metric_the_rules_read_is_exported_with_the_series_they_select(
    client: httpx.AsyncClient, elope: Elope, book: Book, checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    await traffic(client, elope, book, checkout, future_date(180), future_date(190))
    samples = await scrape(client)

    for rule in load_rules():
        assert missing_names(rule, samples) == set(), rule.alert
        for selector in selectors(rule.expr):
            assert select(samples, selector), f"{rule.alert}: {selector} selects nothing"


async def test_a_misspelt_metric_name_would_fail_the_check(client: httpx.AsyncClient) -> None:
    typo = AlertRule("Typo", pp.parse("rate(elope_webhook_outcome_total[5m]) > 0"), {}, {}, None)
    assert missing_names(typo, await scrape(client)) == {"elope_webhook_outcome_total"}


async def test_over_two_real_scrapes_only_the_webhook_failure_alert_fires(
    client: httpx.AsyncClient, elope: Elope, book: Book, checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    await traffic(client, elope, book, checkout, future_date(181), future_date(191))  # every series born
    start = await scrape(client)
    await traffic(client, elope, book, checkout, future_date(182), future_date(192))
    end = await scrape(client)

    firing = {rule.alert for rule in load_rules()
              if evaluate(rule.expr, Window(start, end, seconds=900))}
    # Of the three deliveries since the first scrape, one was rejected and one forged.
    assert firing == {"ElopeWebhookFailureRateHigh"}
