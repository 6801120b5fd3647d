"""SPEC §7: a booking can be followed end to end - every span made for it carries its journey
id (the checkout's correlation id), the webhook's trace links back to the checkout, and the
relay's trace for the confirmation links back to the webhook. Here with an in-memory exporter
on both presets; tests/integration/test_booking_journey_export.py does it over OTLP/HTTP."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON
from opentelemetry.trace import format_trace_id

from adapters.telemetry.otel_tracing import OtelTracing
from adapters.telemetry.span_processor import CorrelationIdSampler
from application.commands import ReconcileHolds
from entrypoints.http.app import create_asgi
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.conftest import MakeElope, payment_side
from tests.fakes.stripe_server import FakeStripe


def trace_of(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.trace_id


def attribute(span: ReadableSpan, key: str) -> object:
    return (span.attributes or {}).get(key)


async def test_every_span_of_a_booking_carries_its_journey_and_the_traces_link_up(
    make_elope: MakeElope, fake_stripe: FakeStripe | None, future_date: Callable[[int], str],
) -> None:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(sampler=CorrelationIdSampler(ALWAYS_ON))
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = await make_elope(tracing=OtelTracing(tracer_provider=tracer_provider))
    transport = httpx.ASGITransport(app=create_asgi(app, run_background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://elope.test") as client:
        token = (await client.post("/v1/admin/login", json={
            "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})).json()["token"]
        await app.relay.drain()
        exporter.clear()  # from here on, everything is the booking's
        checkout = await client.post(
            "/v1/bookings/checkout", headers={"X-Request-ID": "checkout-req-1"},
            json={"packageSlug": "sunrise-cliffs", "eventDate": future_date(140),
                  "coupleName": "Ada & Grace", "email": "trace@example.com"})
        assert checkout.status_code == 201, checkout.text
        session_id = checkout.json()["sessionId"]
        raw, signature = payment_side(app, fake_stripe).pay(session_id)
        paid = await client.post("/v1/webhooks/stripe", content=raw,
                                 headers={"Stripe-Signature": signature,
                                          "X-Request-ID": "webhook-req-1"})
        assert paid.status_code == 200, paid.text
        await app.relay.drain()
        spans = exporter.get_finished_spans()
        timeline = await client.get(f"/v1/admin/sessions/{session_id}/timeline",
                                    headers={"Authorization": f"Bearer {token}"})

    assert {s.name for s in spans} >= {
        "command CreateCheckout", "command RecordStripeEvent", "stripe event",
        "outbox BookingPaid", "subscriber email_couple", "mail.send",
        "subscriber block_calendar_day", "calendar.block"}
    assert [s.name for s in spans if attribute(s, "booking.correlation_id") != "checkout-req-1"
            ] == []
    by_name = {s.name: s for s in spans}
    checkout_span, webhook_span = by_name["command CreateCheckout"], by_name["stripe event"]
    assert trace_of(webhook_span) != trace_of(checkout_span)
    assert [link.context.trace_id for link in webhook_span.links] == [trace_of(checkout_span)]
    assert attribute(webhook_span, "correlation.id") == "webhook-req-1"
    assert attribute(webhook_span, "webhook.outcome") == "booked"
    assert attribute(webhook_span, "stripe.session_id") == session_id
    relay_span = by_name["outbox BookingPaid"]
    assert [link.context.trace_id for link in relay_span.links] == [trace_of(webhook_span)]
    for name in ("subscriber email_couple", "mail.send", "calendar.block"):
        assert trace_of(by_name[name]) == trace_of(relay_span), name
    mail = by_name["mail.send"]
    assert attribute(mail, "booking.id") == attribute(webhook_span, "booking.id")
    assert attribute(mail, "stripe.session_id") == session_id
    # The timeline says which trace each step is in: the admin opens it in the tracing UI.
    assert timeline.status_code == 200, timeline.text
    traces = {e["kind"]: e["traceId"] for e in timeline.json()}
    assert traces["checkout"] == format_trace_id(trace_of(checkout_span))
    assert traces["status"] == format_trace_id(trace_of(webhook_span))
    assert traces["email"] == format_trace_id(trace_of(relay_span))


async def test_a_reconciler_round_that_finds_nothing_exports_no_span(
    make_elope: MakeElope,
) -> None:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(sampler=CorrelationIdSampler(ALWAYS_ON))
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = await make_elope(tracing=OtelTracing(tracer_provider=tracer_provider))
    await app.relay.drain()
    exporter.clear()

    for _ in range(3):
        report = await app.bus.handle(ReconcileHolds(correlation_id="reconcile-poll"))
        assert report.holds == ()
    assert await app.relay.drain() == 0

    assert exporter.get_finished_spans() == ()
