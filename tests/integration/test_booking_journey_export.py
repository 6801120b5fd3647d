"""SPEC §7, done as an operator would see it: one booking paid through `elope serve` on the
real preset, its spans exported over OTLP/HTTP to a local receiver. Every span of the checkout
trace, the webhook trace and the relay's traces - and of the admin's cancel and a replay run
from the command line - is found by the journey id, and the traces link up."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.fakes.local_server import serving
from tests.fakes.otlp_receiver import OtlpReceiver, ReceivedSpan
from tests.fakes.stripe_server import FakeStripe
from tests.integration.conftest import real_environment
from tests.integration.servers import ELOPE, ServerProcess

JOURNEY = "journey-otlp-7"
WEBHOOK_REQUEST = "webhook-otlp-7"
EMAIL = "otlp-couple@example.com"
# Each of these is a span made for the booking; the relay's spans sit in traces of their own.
BOOKING_SPANS = {
    "POST /v1/bookings/checkout", "command CreateCheckout",
    "POST /v1/webhooks/stripe", "command RecordStripeEvent", "stripe event",
    "outbox BookingPaid", "subscriber email_couple", "mail.send",
    "subscriber block_calendar_day", "calendar.block",
    "POST /v1/admin/bookings/{booking_id}/cancel", "command CancelBooking", "refund",
    "outbox BookingCanceled", "calendar.free",
    "command ReplayStripeEvent",
}


@pytest.fixture
def receiver() -> Iterator[tuple[OtlpReceiver, str]]:
    otlp = OtlpReceiver()
    with serving(otlp) as url:
        yield otlp, url


@pytest.fixture
def env(clean_postgres: str, tmp_path: Path, stripe_api_base: str,
        receiver: tuple[OtlpReceiver, str]) -> dict[str, str]:
    environment = {**real_environment(clean_postgres, tmp_path / "mail", stripe_api_base),
                   "OTEL_EXPORTER_OTLP_ENDPOINT": receiver[1],
                   # The SDK's own setting: export every 200 ms rather than every 5 s.
                   "OTEL_BSP_SCHEDULE_DELAY": "200"}
    for job in (["seed"], ["create-admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD]):
        elope(job, environment)
    return environment


def elope(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([ELOPE, *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def book_and_cancel(base: str, fake_stripe: FakeStripe, mail_dir: Path) -> tuple[str, str]:
    """Checkout, payment, confirmation, then the admin's cancel with a refund; returns the
    booking and session ids."""
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 150 * 86400))
    created = httpx.post(f"{base}/v1/bookings/checkout", headers={"X-Request-ID": JOURNEY},
                         json={"packageSlug": "sunrise-cliffs", "eventDate": day,
                               "coupleName": "Ada & Grace", "email": EMAIL}, timeout=10)
    assert created.status_code == 201, created.text
    session_id = created.json()["sessionId"]
    raw, signature = fake_stripe.pay(session_id)
    paid = httpx.post(f"{base}/v1/webhooks/stripe", content=raw, timeout=10, headers={
        "Stripe-Signature": signature, "X-Request-ID": WEBHOOK_REQUEST,
        "Content-Type": "application/json"})
    assert paid.status_code == 200, paid.text
    token = httpx.post(f"{base}/v1/admin/login", timeout=10, json={
        "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}).json()["token"]
    admin = {"Authorization": f"Bearer {token}"}
    [booking] = httpx.get(f"{base}/v1/admin/bookings", headers=admin).json()["items"]
    wait_for(lambda: len(list(mail_dir.glob("*.eml"))) >= 1, "the confirmation email")
    canceled = httpx.post(f"{base}/v1/admin/bookings/{booking['id']}/cancel", headers=admin,
                          json={"refund": True}, timeout=10)
    assert canceled.status_code == 200, canceled.text
    wait_for(lambda: len(list(mail_dir.glob("*.eml"))) >= 2, "the cancellation email")
    return booking["id"], session_id


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.05)


def journey_spans(receiver: OtlpReceiver) -> list[ReceivedSpan]:
    return [s for s in receiver.spans if s.attributes.get("booking.correlation_id") == JOURNEY]


def stopped_gracefully(server: ServerProcess) -> bool:
    # uvicorn ends the process by raising the SIGTERM again once its shutdown is done.
    return server.process is not None and server.process.returncode == -signal.SIGTERM


def spans_missing_after(receiver: OtlpReceiver, seconds: float) -> list[str]:
    """The booking's span names not received within `seconds`, waiting no longer than that."""
    deadline = time.monotonic() + seconds
    while missing := BOOKING_SPANS - {s.name for s in journey_spans(receiver)}:
        if time.monotonic() > deadline:
            return sorted(missing)
        time.sleep(0.05)
    return []


async def test_one_search_by_journey_id_finds_the_whole_booking_across_linked_traces(
    env: dict[str, str], receiver: tuple[OtlpReceiver, str], fake_stripe: FakeStripe,
    clean_postgres: str,
) -> None:
    otlp = receiver[0]
    server = ServerProcess(env).start()
    try:
        booking_id, session_id = book_and_cancel(server.url, fake_stripe,
                                                 Path(env["MAIL_SINK_DIR"]))
    finally:
        server.stop(timeout=30)  # a graceful stop flushes the spans still queued
    # A stop that had to be forced would lose the last batch: say so rather than a missing span.
    assert stopped_gracefully(server), server.errors()
    replayed = elope(["webhooks", "replay", "--status", "PROCESSED"], env)
    assert "PROCESSED" in replayed
    # Generous: the CLI's spans leave at its exit, and a loaded 2-core machine (the suite runs
    # in parallel) has taken over 15 s to deliver them.
    missing = spans_missing_after(otlp, seconds=60)
    assert not missing, f"after 60 s these spans never arrived: {missing}"

    spans = journey_spans(otlp)
    by_name = {s.name: s for s in spans}
    checkout = by_name["POST /v1/bookings/checkout"]
    webhook = by_name["POST /v1/webhooks/stripe"]
    # Whole traces, not picked spans: everything in the checkout's and the webhook's trace
    # was made for this booking and carries its journey id.
    for request in (checkout, webhook):
        trace = [s for s in otlp.spans if s.trace_id == request.trace_id]
        assert trace and all(s in spans for s in trace), [s.name for s in trace]
    assert checkout.attributes["correlation.id"] == JOURNEY
    assert webhook.attributes["correlation.id"] == WEBHOOK_REQUEST
    # The webhook's processing links back to the checkout and says what it came to.
    event = next(s for s in spans if s.name == "stripe event" and s.trace_id == webhook.trace_id)
    assert event.links == (checkout.trace_id,)
    assert event.attributes["webhook.outcome"] == "booked"
    assert event.attributes["booking.id"] == booking_id
    assert event.attributes["stripe.session_id"] == session_id
    # The relay's span for the confirmation links to the webhook's trace; the subscriber,
    # the email and the calendar write are under it.
    relay = by_name["outbox BookingPaid"]
    assert relay.links == (webhook.trace_id,)
    under_relay = {s.name for s in spans if s.trace_id == relay.trace_id}
    assert {"subscriber email_couple", "mail.send", "subscriber block_calendar_day",
            "calendar.block"} <= under_relay
    mail = next(s for s in spans if s.name == "mail.send" and s.trace_id == relay.trace_id)
    assert {k: mail.attributes[k] for k in ("mail.template", "mail.provider", "booking.id",
                                             "stripe.session_id")} == {
        "mail.template": "confirmation", "mail.provider": "file", "booking.id": booking_id,
        "stripe.session_id": session_id}
    # The cancel's refund and its notice are the same booking's, found by the same search.
    cancel = by_name["POST /v1/admin/bookings/{booking_id}/cancel"]
    assert by_name["refund"].trace_id == cancel.trace_id
    assert by_name["outbox BookingCanceled"].links == (cancel.trace_id,)
    # The replay ran in `elope webhooks replay`, a process of its own, exporting as serve does.
    replay = by_name["command ReplayStripeEvent"]
    replayed_event = next(s for s in spans
                          if s.name == "stripe event" and s.trace_id == replay.trace_id)
    assert replayed_event.attributes["webhook.outcome"] == "already_done"
    # Nothing exported names the couple's address.
    assert not [s.name for s in otlp.spans if any(EMAIL in v for v in s.attributes.values())]

    # The id travels with the data too: the booking row, the outbox messages (with the
    # traceparent of the work that wrote them) and the timeline's trace ids.
    connection = await asyncpg.connect(clean_postgres)
    try:
        row = await connection.fetchrow("SELECT correlation_id FROM booking WHERE id = $1",
                                        booking_id)
        outbox = await connection.fetch(
            "SELECT event_type, traceparent FROM outbox_message ORDER BY seq")
        timeline = await connection.fetch(
            "SELECT kind, trace_id, stripe_event_id FROM timeline_entry WHERE session_id = $1"
            " ORDER BY id", session_id)
    finally:
        await connection.close()
    assert row is not None and row["correlation_id"] == JOURNEY
    assert [(r["event_type"], r["traceparent"].split("-")[1]) for r in outbox] == [
        ("BookingPaid", webhook.trace_id), ("BookingCanceled", cancel.trace_id)]
    traced = {s.trace_id for s in spans}
    assert all(entry["trace_id"] in traced for entry in timeline), timeline
    assert timeline[0]["kind"] == "checkout" and timeline[0]["trace_id"] == checkout.trace_id
    assert {entry["stripe_event_id"] for entry in timeline if entry["kind"] == "webhook"} == {
        event.attributes["stripe.event_id"]}


def test_a_graceful_stop_exports_the_spans_still_queued(
    env: dict[str, str], receiver: tuple[OtlpReceiver, str],
) -> None:
    # Nothing leaves on the schedule within this test: only the flush at shutdown can send it.
    server = ServerProcess({**env, "OTEL_BSP_SCHEDULE_DELAY": "600000"}).start()
    try:
        answered = httpx.get(f"{server.url}/v1/packages", timeout=10,
                             headers={"X-Request-ID": "flushed-at-stop"})
        assert answered.status_code == 200
    finally:
        server.stop(timeout=30)
    assert stopped_gracefully(server), server.errors()
    names = {s.name for s in receiver[0].spans
             if s.attributes.get("correlation.id") == "flushed-at-stop"}
    assert names == {"GET /v1/packages"}
