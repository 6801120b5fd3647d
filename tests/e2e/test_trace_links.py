"""SPEC §7: a booking can be followed end to end - the webhook's trace links back to the
checkout that started it and carries its correlation id."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_ON

from adapters.telemetry.otel_tracing import OtelTracing
from adapters.telemetry.span_processor import CorrelationIdSampler
from entrypoints.http.app import create_asgi
from tests.e2e.conftest import MakeElope, payment_side
from tests.fakes.stripe_server import FakeStripe


async def test_the_webhook_span_links_to_the_checkout_trace_and_carries_its_correlation_id(
    make_elope: MakeElope, fake_stripe: FakeStripe | None, future_date: Callable[[int], str],
) -> None:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider(sampler=CorrelationIdSampler(ALWAYS_ON))
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = await make_elope(tracing=OtelTracing(tracer_provider=tracer_provider))
    transport = httpx.ASGITransport(app=create_asgi(app, run_background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://elope.test") as client:
        checkout = await client.post(
            "/v1/bookings/checkout", headers={"X-Request-ID": "checkout-req-1"},
            json={"packageSlug": "sunrise-cliffs", "eventDate": future_date(140),
                  "coupleName": "Ada & Grace", "email": "trace@example.com"})
        assert checkout.status_code == 201, checkout.text
        raw, signature = payment_side(app, fake_stripe).pay(checkout.json()["sessionId"])
        paid = await client.post("/v1/webhooks/stripe", content=raw,
                                 headers={"Stripe-Signature": signature,
                                          "X-Request-ID": "webhook-req-1"})
        assert paid.status_code == 200, paid.text
    await app.relay.drain()

    spans = exporter.get_finished_spans()
    checkout_span = next(s for s in spans if s.name == "command CreateCheckout")
    webhook_span = next(s for s in spans if s.name == "stripe event")
    assert checkout_span.context is not None and webhook_span.context is not None
    assert webhook_span.context.trace_id != checkout_span.context.trace_id
    assert [link.context.trace_id for link in webhook_span.links] == [
        checkout_span.context.trace_id]
    assert webhook_span.attributes is not None
    assert webhook_span.attributes["booking.correlation_id"] == "checkout-req-1"
    assert webhook_span.attributes["correlation.id"] == "webhook-req-1"
    email_span = next(s for s in spans if s.name == "subscriber email_couple")
    assert email_span.attributes is not None
    assert email_span.attributes["correlation.id"] == "webhook-req-1"
