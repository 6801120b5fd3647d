"""SPEC §3: what the payment provider is asked for at checkout; SPEC §6: no dev routes in the
real preset."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

import httpx

from entrypoints.bootstrap import Elope
from tests.e2e.conftest import (
    Checkout,
    Pay,
    PaymentSide,
    assert_error,
    demo_package,
    real_only,
    unique_email,
)


async def test_the_checkout_session_carries_line_items_email_expiry_and_metadata(
    provider: PaymentSide,
    client: httpx.AsyncClient, elope: Elope, checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    package = await demo_package(client, "forest-vows")
    makeup, _, drone = package["addOns"]
    email = unique_email()
    created = await checkout(future_date(170), slug="forest-vows", email=email,
                             coupleName="Noor & Ines", phone="+44 20 7946 0000",
                             add_on_ids=[drone["id"], makeup["id"]])
    body = created.json()

    session = provider.sessions[body["sessionId"]]

    assert session["line_items"] == [
        {"name": "Vows in the Old Forest", "amount": 240_000},
        {"name": "Drone footage", "amount": 60_000},
        {"name": "Hair and makeup", "amount": 45_000},
    ]
    assert session["customer_email"] == email
    expires = int(dt.datetime.fromisoformat(body["expiresAt"].replace("Z", "+00:00")).timestamp())
    # The session closes with the hold - or, where Stripe's 30-minute minimum (counted from
    # when it receives the request) is later, up to a couple of minutes after it.
    assert 0 <= session["expires_at"] - expires <= 120
    metadata = session["metadata"]
    assert {k: metadata[k] for k in ("packageId", "eventDate", "email", "coupleName", "phone",
                                     "addOnIds", "totalCents", "correlationId")} == {
        "packageId": package["id"], "eventDate": future_date(170), "email": email,
        "coupleName": "Noor & Ines", "phone": "+44 20 7946 0000",
        "addOnIds": f"{drone['id']},{makeup['id']}", "totalCents": "345000",
        "correlationId": created.headers["x-request-id"],
    }
    assert "traceparent" in metadata


async def test_the_checkout_carries_the_callers_request_id_as_correlation_id(
    provider: PaymentSide,
    client: httpx.AsyncClient, elope: Elope, future_date: Callable[[int], str],
) -> None:
    created = await client.post("/v1/bookings/checkout", headers={"X-Request-ID": "cid-777"},
                                json={"packageSlug": "city-hall-chic",
                                      "eventDate": future_date(171), "coupleName": "A & B",
                                      "email": unique_email(), "addOnIds": []})
    session = provider.sessions[created.json()["sessionId"]]
    assert session["metadata"]["correlationId"] == "cid-777"


@real_only
async def test_the_dev_routes_do_not_exist_in_the_real_preset(
    client: httpx.AsyncClient, elope: Elope, checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    session_id = (await checkout(future_date(172))).json()["sessionId"]

    simulate = await client.post("/v1/dev/simulate-checkout-completed",
                                 json={"sessionId": session_id})
    page = await client.get(f"/v1/dev/checkout/{session_id}")
    pay_button = await client.post(f"/v1/dev/checkout/{session_id}/pay")

    for response in (simulate, page, pay_button):
        assert_error(response, 404, "NOT_FOUND")
    # Nothing was paid: the date is still only held, and no booking exists for the session.
    held = (await client.get("/v1/availability", params={"date": future_date(172)})).json()
    assert (held["available"], held["reason"]) == (False, "held")
    async with elope.uow() as tx:
        assert await tx.bookings.by_session(session_id) is None


async def test_simultaneous_checkouts_for_one_date_give_one_hold_and_conflicts(
    provider: PaymentSide,
    client: httpx.AsyncClient, elope: Elope, checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    answers = await asyncio.gather(*(checkout(future_date(173)) for _ in range(8)))

    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    assert len(provider.sessions) == 1


async def test_a_package_a_couple_is_paying_for_cannot_be_deleted_from_under_them(
    client: httpx.AsyncClient, admin_headers: dict[str, str], checkout: Checkout, pay: Pay,
    future_date: Callable[[int], str],
) -> None:
    # The memory adapter mirrors a bookings -> packages foreign key ("a sold package stays");
    # a package with an open checkout is about to be sold, so deleting it would leave the
    # paid booking pointing at nothing.
    created = await client.post("/v1/admin/packages", headers=admin_headers, json={
        "slug": "meadow-vows", "title": "Meadow Vows", "description": "", "priceCents": 50_000})
    package = created.json()
    session_id = (await checkout(future_date(174), slug="meadow-vows")).json()["sessionId"]

    deleted = await client.delete(f"/v1/admin/packages/{package['id']}", headers=admin_headers)

    assert_error(deleted, 409, "CONFLICT")
    paid = await pay(session_id)
    assert paid["packageId"] == package["id"]
    assert (await client.get("/v1/packages/meadow-vows")).status_code == 200
