"""What an operator sees on /metrics after the request that should move it (issue 9): 409s
of checkout by reason, refused webhook signatures, refunds by reason, the outbox backlog and
its age, the dead-letter queue, and one charset in the Content-Type. Both presets, same
assertions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import stripe

from adapters.settable_clock import SettableClock
from entrypoints.bootstrap import Elope
from tests.e2e.conftest import WEBHOOK, Book, Checkout, PaymentSide
from tests.metrics_scrape import by_label, scrape, value


async def test_metrics_answer_with_exactly_one_charset(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")

    assert response.headers.get_list("content-type") == [
        "text/plain; version=0.0.4; charset=utf-8"]


async def test_the_dead_letter_queue_is_reported_empty_from_the_first_scrape(
    client: httpx.AsyncClient,
) -> None:
    # At 0 before any letter was ever kept (DEAD_LETTER_DIR not even created yet), so the
    # alert rules watch a series that exists, not one that appears with the first outage.
    samples = await scrape(client)

    assert value(samples, "elope_dead_letters_waiting") == 0
    assert value(samples, "elope_dead_letters_unreadable") == 0


async def test_each_refused_checkout_is_counted_under_its_reason(
    client: httpx.AsyncClient, checkout: Checkout, book: Book, future_date: Callable[[int], str],
) -> None:
    held, booked = future_date(90), future_date(91)
    assert (await checkout(held)).status_code == 201
    await book(booked)

    refused = [await checkout(held), await checkout(booked), await checkout(future_date(-1))]

    assert [r.status_code for r in refused] == [409, 409, 409]
    conflicts = by_label(await scrape(client), "elope_checkout_conflicts_total", "reason")
    assert conflicts == {"held": 1, "booked": 1, "past": 1, "too_far": 0, "blackout": 0,
                         "calendar": 0, "busy": 0, "other": 0}


async def test_a_webhook_refused_for_its_signature_is_counted_and_a_good_one_is_not(
    client: httpx.AsyncClient, checkout: Checkout, provider: PaymentSide,
    future_date: Callable[[int], str],
) -> None:
    created = await checkout(future_date(92))
    raw, signature = provider.pay(created.json()["sessionId"])
    forged = stripe.WebhookSignature.generate_signature_header(raw.decode(), "whsec_not_ours")

    answers = [await client.post(WEBHOOK, content=raw, headers={"Stripe-Signature": forged}),
               await client.post(WEBHOOK, content=raw),
               await client.post(WEBHOOK, content=raw, headers={"Stripe-Signature": signature})]

    assert [a.status_code for a in answers] == [422, 422, 200]
    samples = await scrape(client)
    assert value(samples, "elope_webhook_signature_failures_total") == 2
    # Refused before the inbox: no outcome recorded for them, one for the good delivery.
    assert sum(by_label(samples, "elope_webhook_outcomes_total", "outcome").values()) == 1


async def test_refunds_are_counted_by_reason_whichever_path_asked_for_them(
    client: httpx.AsyncClient, elope: Elope, clock: SettableClock, checkout: Checkout,
    book: Book, provider: PaymentSide, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    booking = await book(future_date(93))
    canceled = await client.post(f"/v1/admin/bookings/{booking['id']}/cancel",
                                 json={"refund": True}, headers=admin_headers)
    taken = future_date(94)
    created = await checkout(taken)
    raw, signature = provider.pay(created.json()["sessionId"])  # paid in time, webhook late
    clock.advance(dt.timedelta(minutes=elope.settings.checkout_hold_minutes + 1))
    await book(taken)  # another couple gets the date once the hold has lapsed
    late = await client.post(WEBHOOK, content=raw, headers={"Stripe-Signature": signature})

    assert (canceled.status_code, late.status_code) == (200, 200)
    samples = await scrape(client)
    assert by_label(samples, "elope_refunds_total", "reason") == {
        "admin_cancel": 1, "date_taken": 1, "amount_mismatch": 0, "package_withdrawn": 0,
        "unusable_details": 0}
    assert value(samples, "elope_paid_session_refunds_total", reason="date_taken") == 1


async def test_the_outbox_backlog_and_its_age_are_current_at_each_scrape(
    client: httpx.AsyncClient, elope: Elope, book: Book, clock: SettableClock,
    future_date: Callable[[int], str],
) -> None:
    before = await scrape(client)
    await book(future_date(95))  # its confirmation waits in the outbox: no relay runs here

    written = await scrape(client)
    clock.advance(dt.timedelta(minutes=10))
    waited = await scrape(client)
    await elope.relay.drain()
    delivered = await scrape(client)

    backlog, age = "elope_outbox_backlog_messages", "elope_outbox_oldest_age_seconds"
    assert (value(before, backlog), value(before, age)) == (0, 0)
    assert (value(written, backlog), value(written, age)) == (1, 0)
    assert (value(waited, backlog), value(waited, age)) == (1, 600)
    assert (value(delivered, backlog), value(delivered, age)) == (0, 0)
