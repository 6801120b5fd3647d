"""The outbox relay runs beside requests, as `elope serve` runs it: a response never waits for
an email - neither its own nor one another request caused - and a commit that wrote outbox
messages wakes the relay at once, without waiting for the periodic sweep."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from adapters.stand_ins.file_mail_sink import FileMailSink
from application.ports.mail import MailMessage
from entrypoints.bootstrap import Elope
from tests.e2e.conftest import (
    WEBHOOK,
    MakeElope,
    PaymentSide,
    http_client,
    payment_side,
    unique_email,
)
from tests.fakes.stripe_server import FakeStripe

# Far beyond any test: a message delivered during the test was delivered because of a wake.
HOURLY_SWEEP = 3600
PATIENCE = 10  # seconds a step may take before the test calls it stuck


class GatedMailer:
    """A mail server that takes each email and holds it until the test opens the gate."""

    provider = "gated"

    def __init__(self, directory: Path) -> None:
        self._sink = FileMailSink(directory, "bookings@elope.example")
        self.gate = asyncio.Event()
        self.sending = asyncio.Event()
        self.sent: list[str] = []
        self._changed = asyncio.Condition()

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        self.sending.set()
        await self.gate.wait()
        await self._sink.send(message, idempotency_key)
        async with self._changed:
            self.sent.append(idempotency_key)
            self._changed.notify_all()

    async def until(self, condition: Callable[[list[str]], bool]) -> None:
        async with asyncio.timeout(PATIENCE), self._changed:
            await self._changed.wait_for(lambda: condition(self.sent))


@pytest.fixture
def mailer(tmp_path: Path) -> GatedMailer:
    return GatedMailer(tmp_path / "gated-mail")


@pytest.fixture
async def served(make_elope: MakeElope, mailer: GatedMailer) -> AsyncIterator[Elope]:
    """An Elope whose relay runs in the background, woken by commits, swept hourly."""
    app = await make_elope(mailer=mailer)
    relay = asyncio.create_task(app.relay.run(sweep_seconds=HOURLY_SWEEP))
    try:
        yield app
    finally:
        relay.cancel()
        await asyncio.gather(relay, return_exceptions=True)


async def check_out_and_pay(
    client: httpx.AsyncClient, app: Elope, provider: PaymentSide, date: str,
) -> tuple[httpx.Response, str]:
    """The webhook's answer, and the session it paid."""
    created = await client.post("/v1/bookings/checkout", json={
        "packageSlug": "sunrise-cliffs", "eventDate": date, "coupleName": "Ada & Grace",
        "email": unique_email(), "addOnIds": []})
    assert created.status_code == 201, created.text
    session_id = created.json()["sessionId"]
    raw, signature = provider.pay(session_id)
    # Bounded: before the relay left the request path, this answer waited for the email.
    paid = await asyncio.wait_for(client.post(WEBHOOK, content=raw, headers={
        "Stripe-Signature": signature, "Content-Type": "application/json"}), PATIENCE)
    return paid, session_id


async def test_a_paid_webhook_is_answered_before_its_confirmation_is_sent(
    served: Elope, mailer: GatedMailer, fake_stripe: FakeStripe | None,
    future_date: Callable[[int], str],
) -> None:
    side = payment_side(served, fake_stripe)
    async with http_client(served) as client:
        paid, session_id = await check_out_and_pay(client, served, side, future_date(160))

        assert paid.status_code == 200, paid.text
        await asyncio.wait_for(mailer.sending.wait(), PATIENCE)  # woken, not swept
        assert mailer.sent == []  # the answer did not wait for the mail server
        booking = await served.queries.bookings.by_session(session_id)
        assert booking is not None and booking.status.value == "PAID"

        mailer.gate.set()
        await mailer.until(lambda sent: sent == [f"booking:{booking.id}:confirmation"])


async def test_a_request_does_not_wait_for_an_email_another_request_caused(
    served: Elope, mailer: GatedMailer, fake_stripe: FakeStripe | None,
    future_date: Callable[[int], str],
) -> None:
    side = payment_side(served, fake_stripe)
    async with http_client(served) as client:
        first, _ = await check_out_and_pay(client, served, side, future_date(161))
        await asyncio.wait_for(mailer.sending.wait(), PATIENCE)  # its email is stuck sending

        second, _ = await check_out_and_pay(client, served, side, future_date(162))

        assert (first.status_code, second.status_code) == (200, 200)
        assert mailer.sent == []
        mailer.gate.set()
        await mailer.until(lambda sent: len(sent) == 2)
        assert all(key.endswith(":confirmation") for key in mailer.sent)
