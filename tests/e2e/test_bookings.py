"""SPEC §3 and §6: a booking as the couple sees it, and the dev route that pays a session
(mock preset only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx

from adapters.settable_clock import SettableClock
from tests.e2e.conftest import (
    Book,
    Checkout,
    Pay,
    assert_error,
    demo_package,
    mock_only,
    unique_email,
)

BOOKING_FIELDS = {"id", "packageId", "coupleName", "email", "phone", "eventDate", "addOns",
                  "totalCents", "status", "createdAt"}


async def test_a_paid_booking_is_shown_with_every_documented_field(
    client: httpx.AsyncClient, checkout: Checkout, pay: Pay, clock: SettableClock,
    future_date: Callable[[int], str],
) -> None:
    package = await demo_package(client, "forest-vows")
    picnic = package["addOns"][1]
    email = unique_email("Bride")
    created = (await checkout(future_date(70), slug="forest-vows", add_on_ids=[picnic["id"]],
                              email=email, coupleName="  Kim & Lee ",
                              phone="+1 555 0100")).json()
    paid = await pay(created["sessionId"])

    response = await client.get(f"/v1/bookings/{paid['id']}")

    assert response.status_code == 200
    booking = response.json()
    assert set(booking) == BOOKING_FIELDS
    assert booking == {
        "id": paid["id"], "packageId": package["id"], "coupleName": "Kim & Lee",
        "email": email.lower(), "phone": "+1 555 0100", "eventDate": future_date(70),
        "addOns": [{"addOnId": picnic["id"], "title": "Picnic for two",
                    "unitPriceCents": 15_000}],
        "totalCents": 255_000, "status": "PAID", "createdAt": booking["createdAt"],
    }
    created_at = dt.datetime.fromisoformat(booking["createdAt"].replace("Z", "+00:00"))
    assert created_at.tzinfo is not None
    assert abs(created_at - clock.now()) < dt.timedelta(seconds=2)


async def test_a_booking_without_a_phone_shows_phone_as_null(
    client: httpx.AsyncClient, book: Book, future_date: Callable[[int], str],
) -> None:
    booking = await book(future_date(71))
    shown = (await client.get(f"/v1/bookings/{booking['id']}")).json()
    assert shown["phone"] is None
    assert shown["addOns"] == []


async def test_an_unknown_booking_is_not_found(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/bookings/bk_does_not_exist_42"), 404, "NOT_FOUND")


@mock_only
async def test_simulating_the_paid_webhook_returns_the_new_booking(
    client: httpx.AsyncClient, checkout: Checkout, future_date: Callable[[int], str],
) -> None:
    created = (await checkout(future_date(72), slug="city-hall-chic")).json()

    response = await client.post("/v1/dev/simulate-checkout-completed",
                                 json={"sessionId": created["sessionId"]})

    assert response.status_code == 200
    booking = response.json()
    assert set(booking) == BOOKING_FIELDS
    assert booking["status"] == "PAID"
    assert booking["eventDate"] == future_date(72)
    assert booking["totalCents"] == created["totalCents"]
    assert (await client.get(f"/v1/bookings/{booking['id']}")).json() == booking


@mock_only
async def test_simulating_the_same_payment_twice_gives_the_same_booking(
    client: httpx.AsyncClient, checkout: Checkout, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    created = (await checkout(future_date(73))).json()
    first = await client.post("/v1/dev/simulate-checkout-completed",
                              json={"sessionId": created["sessionId"]})

    second = await client.post("/v1/dev/simulate-checkout-completed",
                               json={"sessionId": created["sessionId"]})

    assert second.status_code == 200
    assert second.json() == first.json()
    listed = (await client.get("/v1/admin/bookings", headers=admin_headers)).json()
    assert [b["id"] for b in listed["items"]] == [first.json()["id"]]


@mock_only
async def test_simulating_an_unknown_session_is_not_found(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/dev/simulate-checkout-completed",
                                 json={"sessionId": "cs_test_unknown_123"})
    assert_error(response, 404, "NOT_FOUND")


@mock_only
async def test_simulating_without_a_session_id_is_a_validation_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/dev/simulate-checkout-completed", json={})
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_a_paid_booking_frees_its_hold_and_takes_the_date(
    client: httpx.AsyncClient, book: Book, future_date: Callable[[int], str],
) -> None:
    await book(future_date(74))
    check = await client.get("/v1/availability", params={"date": future_date(74)})
    assert check.json()["reason"] == "booked"
