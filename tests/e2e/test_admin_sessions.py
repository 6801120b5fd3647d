"""A checkout session that never became a booking - refunded because its date was taken
while its payment was on the way - is still there for the admin, by its session id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx

from adapters.settable_clock import SettableClock
from entrypoints.bootstrap import Elope
from tests.e2e.conftest import WEBHOOK, Book, Checkout, PaymentSide, assert_error


async def test_a_refunded_conflict_session_is_read_by_its_session_id(
    client: httpx.AsyncClient, admin_headers: dict[str, str], elope: Elope, clock: SettableClock,
    checkout: Checkout, book: Book, provider: PaymentSide, future_date: Callable[[int], str],
) -> None:
    date = future_date(175)
    late = await checkout(date)
    assert late.status_code == 201, late.text
    session_id = late.json()["sessionId"]
    raw, signature = provider.pay(session_id)  # paid in time; the webhook comes late
    clock.advance(dt.timedelta(minutes=elope.settings.checkout_hold_minutes + 1))
    await book(date)  # another couple takes the date meanwhile
    delivered = await client.post(WEBHOOK, content=raw, headers={
        "Stripe-Signature": signature, "Content-Type": "application/json"})
    assert delivered.status_code == 200, delivered.text
    await elope.relay.drain()  # the apology

    response = await client.get(f"/v1/admin/sessions/{session_id}/timeline",
                                headers=admin_headers)

    assert response.status_code == 200, response.text
    entries = response.json()
    kinds = [e["kind"] for e in entries]
    assert kinds[0] == "checkout"
    assert "refund" in kinds and "email" in kinds, kinds
    processed = [e for e in entries if e["kind"] == "webhook"]
    assert [e["detail"] for e in processed] == [
        "checkout.session.completed processed: refunded_conflict"]
    assert processed[0]["stripeEventId"]
    refund = next(e for e in entries if e["kind"] == "refund")
    assert date in refund["detail"] and "refunded" in refund["detail"]


async def test_the_timeline_of_an_unknown_session_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    response = await client.get("/v1/admin/sessions/cs_nobody/timeline", headers=admin_headers)
    assert_error(response, 404, "NOT_FOUND")


async def test_a_session_timeline_needs_an_admin(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/admin/sessions/cs_nobody/timeline")
    assert_error(response, 401, "UNAUTHORIZED")
