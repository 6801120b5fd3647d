"""The real preset against Stripe, Postmark and Google Calendar - each a local server speaking
the service's HTTP API - end to end: sessions opened, bookings made from signed webhooks,
confirmation mail through Postmark, the day blocked in the calendar, a conflict refunded, a
cancel that refunds and frees the day, and a paid session whose webhook never came."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from adapters.settable_clock import SettableClock
from application import commands as c
from entrypoints.bootstrap import Elope
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.conftest import WEBHOOK, MakeElope, MakeSettings, http_client, real_only, unique_email
from tests.fakes.google_server import FakeGoogle, fake_google
from tests.fakes.postmark_server import FakePostmark, fake_postmark
from tests.fakes.stripe_server import FakeStripe

POSTMARK_TOKEN = "pm-server-token-e2e"

pytestmark = real_only


@dataclass
class World:
    app: Elope
    client: httpx.AsyncClient
    stripe: FakeStripe
    postmark: FakePostmark
    google: FakeGoogle
    admin: dict[str, str]

    async def checkout(self, date: str, email: str | None = None) -> dict[str, str]:
        response = await self.client.post("/v1/bookings/checkout", json={
            "packageSlug": "city-hall-chic", "eventDate": date, "coupleName": "Ada & Grace",
            "email": email or unique_email(), "addOnIds": []})
        assert response.status_code == 201, response.text
        return dict(response.json())

    async def deliver(self, signed: tuple[bytes, str]) -> httpx.Response:
        raw, signature = signed
        return await self.client.post(WEBHOOK, content=raw, headers={
            "Stripe-Signature": signature, "Content-Type": "application/json"})

    async def booking_of(self, session_id: str) -> dict[str, str] | None:
        found = await self.app.queries.bookings.by_session(session_id)
        if found is None:
            return None
        return dict((await self.client.get(f"/v1/bookings/{found.id}")).json())


@pytest.fixture
def google() -> Iterator[tuple[FakeGoogle, str, dict[str, str]]]:
    with fake_google() as served:
        yield served


@pytest.fixture
def postmark() -> Iterator[tuple[FakePostmark, str]]:
    with fake_postmark(POSTMARK_TOKEN) as served:
        yield served


@pytest.fixture
async def world(
    make_settings: MakeSettings, make_elope: MakeElope, fake_stripe: FakeStripe | None,
    google: tuple[FakeGoogle, str, dict[str, str]], postmark: tuple[FakePostmark, str],
) -> AsyncIterator[World]:
    assert fake_stripe is not None
    calendar, calendar_base, key = google
    mail, mail_base = postmark
    settings = make_settings(
        postmark_server_token=POSTMARK_TOKEN, postmark_api_base=mail_base,
        postmark_from_email="bookings@elope.test",
        google_calendar_id=calendar.calendar_id, google_calendar_api_base=calendar_base,
        google_service_account_json_base64=base64.b64encode(json.dumps(key).encode()).decode(),
        business_timezone="America/New_York")
    app = await make_elope(settings)
    names = [type(i.adapter).__name__ for i in app.integrations]
    assert names == ["StripeCheckout", "PostmarkMailer", "GoogleCalendar"]
    async with http_client(app) as client:
        login = await client.post("/v1/admin/login",
                                  json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        admin = {"Authorization": f"Bearer {login.json()['token']}"}
        yield World(app, client, fake_stripe, mail, calendar, admin)


def sent_to(world: World, address: str) -> list[dict[str, str]]:
    return [e for e in world.postmark.emails() if e["To"] == address]


async def test_a_couple_books_pays_gets_the_email_and_the_day_is_blocked_then_canceled_and_freed(
    world: World, future_date: Callable[[int], str],
) -> None:
    date, email = future_date(200), unique_email("ada")
    created = await world.checkout(date, email)

    session = world.stripe.sessions[created["sessionId"]]
    assert created["checkoutUrl"] == session["url"]
    assert (session["customer_email"], session["metadata"]["eventDate"]) == (email, date)
    paid = await world.deliver(world.stripe.pay(created["sessionId"]))
    assert paid.status_code == 200, paid.text
    booking = await world.booking_of(created["sessionId"])
    assert booking is not None and booking["status"] == "PAID"
    await world.app.relay.drain()

    [confirmation] = sent_to(world, email)
    assert confirmation["Subject"] == f"Your elopement on {date} is booked"
    assert booking["id"] in confirmation["TextBody"] and booking["id"] in confirmation["HtmlBody"]
    assert confirmation["MessageStream"] == "outbound"
    [event] = world.google.events.values()
    assert event["start"] == {"date": date}
    async with world.app.uow() as tx:
        assert await tx.bookings.calendar_event(booking["id"]) == event["id"]

    canceled = await world.client.post(f"/v1/admin/bookings/{booking['id']}/cancel",
                                       headers=world.admin, json={"refund": True})
    assert canceled.status_code == 200, canceled.text
    await world.app.relay.drain()

    assert [(k, r["amount"]) for k, r in world.stripe.refunds.items()] == [
        (f"refund:{booking['id']}", booking["totalCents"])]
    assert not any(e.get("status") != "cancelled" for e in world.google.events.values())
    notices = [e["Subject"] for e in sent_to(world, email)]
    assert notices == [confirmation["Subject"], f"Your elopement on {date} is canceled"]
    available = (await world.client.get(f"/v1/availability?date={date}")).json()
    assert available["available"] is True


async def test_a_second_payment_for_a_taken_date_is_refunded_through_stripe_with_an_apology(
    world: World, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    date = future_date(201)
    first = await world.checkout(date)
    clock.advance(dt.timedelta(minutes=31))  # the first hold lapsed, a second couple came
    second = await world.checkout(date, unique_email("late"))
    assert (await world.deliver(world.stripe.pay(second["sessionId"]))).status_code == 200
    late = await world.deliver(world.stripe.pay(first["sessionId"]))

    assert late.status_code == 200 and late.json()["status"] == "PROCESSED"
    assert await world.booking_of(first["sessionId"]) is None
    assert list(world.stripe.refunds) == [f"refund:{first['sessionId']}"]
    await world.app.relay.drain()
    apology = [e for e in world.postmark.emails() if "refunded" in e["Subject"]]
    assert len(apology) == 1 and "could not book" in apology[0]["Subject"]
    assert len(world.google.events) == 1  # only the booked couple's day


async def test_a_session_paid_whose_webhook_never_came_is_booked_by_the_reconciler_once(
    world: World, clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    paid_quietly, abandoned, pending, broken = [
        await world.checkout(future_date(d)) for d in range(210, 214)]
    signed = world.stripe.pay(paid_quietly["sessionId"])  # Stripe's webhook is lost
    world.stripe.complete_unpaid(pending["sessionId"])  # a bank debit, still pending
    clock.advance(dt.timedelta(minutes=31))
    world.stripe.fail_next(500, "api_error", count=3)  # the first hold asked about fails

    report = await world.app.bus.handle(c.ReconcileHolds(correlation_id="reconcile-e2e"))

    expected = {paid_quietly["sessionId"]: "completed", abandoned["sessionId"]: "released",
                pending["sessionId"]: "kept", broken["sessionId"]: "released"}
    actions = {h.session_id: h.action for h in report.holds}
    # Whichever hold was asked about first met the failures; the others went on regardless.
    [failed] = [s for s, a in actions.items() if a == "failed"]
    assert actions == {**expected, failed: "failed"}
    # The next round (once the failed hold's claim has lapsed) settles it as well.
    clock.advance(dt.timedelta(minutes=6))
    again = await world.app.bus.handle(c.ReconcileHolds(correlation_id="reconcile-e2e-2"))
    assert {h.session_id: h.action for h in again.holds}[failed] == expected[failed]
    booking = await world.booking_of(paid_quietly["sessionId"])
    assert booking is not None and booking["status"] == "PAID"
    for session_id in (abandoned["sessionId"], broken["sessionId"]):
        assert world.stripe.sessions[session_id]["status"] == "expired"
    late = await world.deliver(signed)
    assert late.status_code == 200 and late.json()["status"] == "DUPLICATE"
    await world.app.relay.drain()
    assert len([e for e in world.postmark.emails() if "is booked" in e["Subject"]]) == 1
