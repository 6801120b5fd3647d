"""GET /metrics of `elope serve --workers 2` reports the instance, whichever worker answers the
scrape: counters and histograms summed over both workers - and over a worker that was killed
and replaced - so a total never goes down between scrapes (Prometheus would take that for a
counter reset and the alert rules' rates for garbage)."""

from __future__ import annotations

import http.client
from pathlib import Path

import psutil

from tests.integration.supervised_server import Served, wait_until
from tests.metrics_scrape import Samples, parse_samples, value

LIVE = "/health/live"
WEBHOOK = "/v1/webhooks/stripe"


def ask(served: Served, times: int) -> set[int]:
    """`times` GETs of /health/live, each on a connection of its own (so the kernel spreads
    them over the workers' sockets); the workers that answered them."""
    connections = [served.connect_and_ask(LIVE) for _ in range(times)]
    assert [status for _, status in connections] == [200] * times
    answered = {served.answering_worker(c.sock.getsockname()[1]) for c, _ in connections}
    for connection, _ in connections:
        connection.close()
    return answered


def forge_webhooks(served: Served, times: int) -> None:
    """`times` webhook deliveries with a signature Stripe never made, each on a connection of
    its own: refused, and counted in elope_webhook_signature_failures_total."""
    for _ in range(times):
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        connection.request("POST", WEBHOOK, body=b"{}", headers={
            "Content-Type": "application/json", "Stripe-Signature": "t=1,v1=forged"})
        response = connection.getresponse()
        response.read()
        connection.close()
        assert 400 <= response.status < 500, response.status


def scrape_each_worker(served: Served, times: int) -> tuple[list[Samples], set[int]]:
    """`times` scrapes, each on a connection of its own: what each reported, in order, and
    the workers that answered them."""
    pages, answered = [], set()
    for _ in range(times):
        connection, status, body = served.connect_and_read("/metrics")
        assert status == 200, body
        answered.add(served.answering_worker(connection.sock.getsockname()[1]))
        connection.close()
        pages.append(parse_samples(body))
    return pages, answered


def live_requests(samples: Samples) -> float | None:
    """The GET /health/live requests answered 200, as the histogram's count; its +Inf bucket
    (summed bucket by bucket) must agree."""
    labels = {"method": "GET", "route": LIVE, "status": "200"}
    count = value(samples, "elope_http_request_duration_seconds_count", **labels)
    assert value(samples, "elope_http_request_duration_seconds_bucket", le="+Inf",
                 **labels) == count
    return count


def forged(samples: Samples) -> float | None:
    return value(samples, "elope_webhook_signature_failures_total")


def test_every_scrape_reports_what_both_workers_did(served: Served, tmp_path: Path) -> None:
    wait_until(lambda: len(served.workers()) == 2, "two workers listening")
    # 16 connections all hashed to one socket of two: odds of 1 in 32,768.
    assert ask(served, 16) == served.workers()
    forge_webhooks(served, 16)

    pages, answered = scrape_each_worker(served, 16)

    assert answered == served.workers()
    assert [live_requests(page) for page in pages] == [16] * 16
    assert [forged(page) for page in pages] == [16] * 16
    for page in pages:  # the rest of the page as one worker reports it
        assert value(page, "elope_refunds_total", reason="admin_cancel") == 0
        assert value(page, "elope_db_pool_max") == 10
        assert value(page, "elope_outbox_backlog_messages") == 0
        assert value(page, "elope_dead_letters_waiting") == 0
        assert value(page, "elope_dead_letters_unreadable") == 0

    # Where the workers kept their counts: one directory for the run, gone once it stopped.
    assert len(list((tmp_path / "tmp").glob("elope-metrics-*"))) == 1
    assert served.stop() == 0
    assert list((tmp_path / "tmp").iterdir()) == []


def test_what_a_killed_worker_counted_stays_in_the_totals(served: Served) -> None:
    wait_until(lambda: len(served.workers()) == 2, "two workers listening")
    answered = ask(served, 16)
    assert answered == served.workers()
    forge_webhooks(served, 8)

    victim = psutil.Process(min(answered))
    victim.kill()
    wait_until(lambda: not victim.is_running(), "the parent to collect the killed worker")
    wait_until(lambda: len(served.workers() - answered) == 1, "a replacement worker")
    pages, _ = scrape_each_worker(served, 8)
    assert [live_requests(page) for page in pages] == [16] * 8
    assert [forged(page) for page in pages] == [8] * 8

    assert ask(served, 16) == served.workers()  # the replacement answers its share
    pages, answered_scrapes = scrape_each_worker(served, 16)
    assert answered_scrapes == served.workers()
    assert [live_requests(page) for page in pages] == [32] * 16
    assert [forged(page) for page in pages] == [8] * 16
    assert served.stop() == 0
