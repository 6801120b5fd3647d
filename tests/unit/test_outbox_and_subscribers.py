"""Side effects of a paid booking: the confirmation email survives a failing mail server and
goes out exactly once; a failing subscriber is logged and counted and breaks no command."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode

from adapters.settable_clock import SettableClock
from adapters.stand_ins.file_mail_sink import FileMailSink
from adapters.telemetry.otel_tracing import OtelTracing
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from application import commands as c
from application.ids import new_id
from application.messaging.event_publisher import EventPublisher
from application.messaging.outbox_relay import retry_delay
from application.ports.mail import MailMessage
from domain.booking import Booking
from domain.events import BookingPaid, DomainEvent
from domain.webhook_event import WebhookStatus
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import Elope, bootstrap
from entrypoints.settings import Settings


class FlakyMailer:
    """A mail server that is down for the first `failures` sends, then delivers."""

    provider = "flaky"

    def __init__(self, directory: Path, failures: int = 0) -> None:
        self._sink = FileMailSink(directory, "bookings@elope.example")
        self.failures = failures
        self.delivered: list[str] = []

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("mail server unreachable")
        self.delivered.append(idempotency_key)
        await self._sink.send(message, idempotency_key)


async def app_with(mailer: FlakyMailer, settings: Settings, clock: SettableClock) -> Elope:
    elope = bootstrap(settings, clock=clock, mailer=mailer)
    await prepare_mock_preset(elope)
    return elope


async def paid_booking(elope: Elope, date: str) -> tuple[Booking, WebhookStatus]:
    created = await elope.bus.handle(c.CreateCheckout(
        package_slug="forest-vows", event_date=date, couple_name="Ada & Grace",
        email="ada@example.com", phone=None, add_on_ids=()))
    raw, header = elope.payments.pay(created.session_id)  # type: ignore[attr-defined]
    ack = await elope.bus.handle(c.RecordStripeEvent(raw_body=raw, signature=header))
    await elope.relay.drain()  # as the relay beside the requests would
    async with elope.uow() as tx:
        booking = await tx.bookings.by_session(created.session_id)
    assert booking is not None
    return booking, ack.status


def pending(elope: Elope) -> list[DomainEvent]:
    assert elope.store is not None
    return elope.store.pending_outbox_events()


def failures_of(elope: Elope, subscriber: str) -> float:
    value = elope.metrics.registry.get_sample_value(
        "elope_subscriber_failures_total", {"subscriber": subscriber})
    return value or 0.0


async def test_a_booking_is_made_even_when_the_mail_server_is_down(
    settings: Settings, clock: SettableClock, future_date: Callable[[int], str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    mailer = FlakyMailer(settings.mail_sink_dir, failures=1)
    elope = await app_with(mailer, settings, clock)
    with caplog.at_level(logging.ERROR):
        booking, status = await paid_booking(elope, future_date(50))
    assert status is WebhookStatus.PROCESSED
    assert booking.holds_its_date
    assert mailer.delivered == []
    assert failures_of(elope, "email_couple") == 1
    assert any("email_couple" in r.getMessage() for r in caplog.records)


async def test_an_email_that_failed_goes_out_on_a_later_relay_exactly_once(
    settings: Settings, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    mailer = FlakyMailer(settings.mail_sink_dir, failures=1)
    elope = await app_with(mailer, settings, clock)
    booking, _ = await paid_booking(elope, future_date(51))
    assert [type(e) for e in pending(elope)] == [BookingPaid]

    await elope.relay.drain()  # too early: the retry is not due yet
    assert mailer.delivered == []

    clock.advance(retry_delay(1) + dt.timedelta(seconds=1))
    await elope.relay.drain()
    assert mailer.delivered == [f"booking:{booking.id}:confirmation"]
    assert pending(elope) == []

    clock.advance(dt.timedelta(hours=2))
    await elope.relay.drain()
    assert mailer.delivered == [f"booking:{booking.id}:confirmation"]
    assert len(list(settings.mail_sink_dir.glob("*.eml"))) == 1


async def test_a_booking_paid_event_relayed_twice_sends_one_email(
    settings: Settings, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    mailer = FlakyMailer(settings.mail_sink_dir)
    elope = await app_with(mailer, settings, clock)
    booking, _ = await paid_booking(elope, future_date(52))
    assert mailer.delivered == [f"booking:{booking.id}:confirmation"]
    assert elope.store is not None
    event = next(r.event for r in elope.store.outbox.values() if isinstance(r.event, BookingPaid))

    # As if a relay had crashed after delivering but before marking the message done.
    async with elope.uow() as tx:
        await tx.outbox.add(new_id("msg"), event, clock.now())
        await tx.commit()
    await elope.relay.drain()

    assert pending(elope) == []
    assert mailer.delivered == [f"booking:{booking.id}:confirmation"]


async def test_two_bookings_get_one_confirmation_each(
    settings: Settings, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    mailer = FlakyMailer(settings.mail_sink_dir)
    elope = await app_with(mailer, settings, clock)
    first, _ = await paid_booking(elope, future_date(53))
    second, _ = await paid_booking(elope, future_date(54))
    assert sorted(mailer.delivered) == sorted(
        [f"booking:{first.id}:confirmation", f"booking:{second.id}:confirmation"])


def confirmed(n: int) -> BookingPaid:
    return BookingPaid(correlation_id=f"corr-{n}", booking_id=f"bk_{n}", session_id=f"cs_{n}",
                       event_date="2026-06-20",
                       email="ada@example.com", couple_name="Ada & Grace", total_cents=100)


async def test_a_failing_subscriber_is_logged_and_counted_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    metrics = PrometheusMetrics()
    publisher = EventPublisher(OtelTracing(), metrics)
    seen: list[DomainEvent] = []

    async def breaks_on_purpose(event: DomainEvent) -> None:
        raise RuntimeError("calendar API said no")

    async def keeps_working(event: DomainEvent) -> None:
        seen.append(event)

    publisher.subscribe(BookingPaid, "breaks_on_purpose", breaks_on_purpose)
    publisher.subscribe(BookingPaid, "keeps_working", keeps_working)
    with caplog.at_level(logging.ERROR, logger="elope.events"):
        failures = await publisher.publish(confirmed(1))

    assert failures == ["breaks_on_purpose: RuntimeError: calendar API said no"]
    assert seen == [confirmed(1)]
    assert metrics.registry.get_sample_value(
        "elope_subscriber_failures_total", {"subscriber": "breaks_on_purpose"}) == 1
    logged = [r for r in caplog.records if r.name == "elope.events"]
    assert logged and "breaks_on_purpose" in logged[0].getMessage()
    assert logged[0].exc_info is not None


async def test_an_event_nobody_listens_to_is_published_without_failures() -> None:
    publisher = EventPublisher(OtelTracing(), PrometheusMetrics())
    assert await publisher.publish(confirmed(2)) == []


async def test_every_subscriber_has_finished_when_publish_returns() -> None:
    publisher = EventPublisher(OtelTracing(), PrometheusMetrics())
    finished: list[str] = []

    async def slow(event: DomainEvent) -> None:
        for _ in range(5):
            await asyncio.sleep(0)
        finished.append("slow")

    publisher.subscribe(BookingPaid, "slow", slow)
    await publisher.publish(confirmed(3))
    assert finished == ["slow"]


async def test_a_failing_subscriber_span_says_error_and_holds_the_exception() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    publisher = EventPublisher(OtelTracing(tracer_provider=provider), PrometheusMetrics())

    async def breaks_on_purpose(event: DomainEvent) -> None:
        raise RuntimeError("calendar API said no")

    publisher.subscribe(BookingPaid, "breaks_on_purpose", breaks_on_purpose)
    await publisher.publish(confirmed(4))

    [span] = exporter.get_finished_spans()
    assert span.name == "subscriber breaks_on_purpose"
    assert span.status.status_code is StatusCode.ERROR
    [recorded] = [e for e in span.events if e.name == "exception"]
    assert recorded.attributes is not None
    assert recorded.attributes["exception.message"] == "calendar API said no"
