"""SPEC §3 and §6: checkout, the hold it places, and the mock pay page (mock preset only)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from adapters.settable_clock import SettableClock
from entrypoints.bootstrap import Elope
from tests.e2e.conftest import (
    Checkout,
    MakeElope,
    MakeSettings,
    Pay,
    PaymentSide,
    assert_error,
    demo_package,
    http_client,
    mock_only,
    unique_email,
)


async def is_available(client: httpx.AsyncClient, date: str) -> bool:
    response = await client.get("/v1/availability", params={"date": date})
    return bool(response.json()["available"])


async def test_a_checkout_answers_with_a_url_a_session_an_expiry_and_the_server_total(
    client: httpx.AsyncClient, checkout: Checkout, clock: SettableClock,
    future_date: Callable[[int], str],
) -> None:
    package = await demo_package(client, "sunrise-cliffs")
    add_ons = [a["id"] for a in package["addOns"]]

    response = await checkout(future_date(50), add_on_ids=add_ons, totalCents=1)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"checkoutUrl", "sessionId", "expiresAt", "totalCents"}
    assert body["totalCents"] == 180_000 + 35_000 + 9_000
    assert body["sessionId"] in body["checkoutUrl"]
    expires = dt.datetime.fromisoformat(body["expiresAt"].replace("Z", "+00:00"))
    assert abs(expires - (clock.now() + dt.timedelta(minutes=30))) < dt.timedelta(seconds=2)


async def test_a_checkout_without_add_ons_costs_the_package_price(
    checkout: Checkout, future_date: Callable[[int], str],
) -> None:
    response = await checkout(future_date(51), slug="city-hall-chic")
    assert response.json()["totalCents"] == 95_000


def _valid_body(date: str) -> dict[str, Any]:
    return {"packageSlug": "forest-vows", "eventDate": date, "coupleName": "Mo & Jo",
            "email": unique_email(), "addOnIds": []}


@pytest.mark.parametrize(("field", "value"), [
    ("email", "not-an-email"),
    ("email", "two@@example.com"),
    ("coupleName", ""),
    ("coupleName", "   "),
    ("coupleName", "x" * 201),
    ("eventDate", "2027-02-30"),
    ("eventDate", "next friday"),
    ("addOnIds", "not-a-list"),
    ("eventDate", 20270101),
    ("email", None),
    ("addOnIds", [1, 2]),
])
async def test_malformed_checkout_input_is_a_validation_error_and_changes_nothing(
    provider: PaymentSide,
    client: httpx.AsyncClient, elope: Elope, future_date: Callable[[int], str],
    field: str, value: object,
) -> None:
    body = {**_valid_body(future_date(52)), field: value}
    sessions_before = len(provider.sessions)

    response = await client.post("/v1/bookings/checkout", json=body)

    assert_error(response, 400, "VALIDATION_ERROR")
    assert await is_available(client, future_date(52))
    assert len(provider.sessions) == sessions_before


async def test_a_missing_required_field_is_a_validation_error(
    client: httpx.AsyncClient, future_date: Callable[[int], str],
) -> None:
    body = _valid_body(future_date(53))
    del body["coupleName"]
    assert_error(await client.post("/v1/bookings/checkout", json=body), 400, "VALIDATION_ERROR")


async def test_a_name_of_exactly_200_characters_is_accepted(
    checkout: Checkout, future_date: Callable[[int], str],
) -> None:
    assert (await checkout(future_date(54), coupleName="y" * 200)).status_code == 201


async def test_an_add_on_of_another_package_is_refused_and_holds_nothing(
    client: httpx.AsyncClient, checkout: Checkout, future_date: Callable[[int], str],
) -> None:
    other = await demo_package(client, "forest-vows")

    response = await checkout(future_date(55), slug="sunrise-cliffs",
                              add_on_ids=[other["addOns"][0]["id"]])

    assert_error(response, 400, "VALIDATION_ERROR")
    assert await is_available(client, future_date(55))
    assert (await checkout(future_date(55))).status_code == 201


async def test_an_unknown_package_is_not_found(
    checkout: Checkout, future_date: Callable[[int], str],
) -> None:
    response = await checkout(future_date(56), slug="moon-landing-9c1")
    assert_error(response, 404, "NOT_FOUND")


async def test_a_second_checkout_for_a_held_date_is_a_conflict_naming_the_hold(
    provider: PaymentSide,
    client: httpx.AsyncClient, elope: Elope, checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    assert (await checkout(future_date(57))).status_code == 201
    sessions_before = len(provider.sessions)

    response = await checkout(future_date(57), slug="forest-vows")

    body = assert_error(response, 409, "CONFLICT")
    assert "held" in body["message"]
    assert len(provider.sessions) == sessions_before


async def test_a_checkout_for_a_past_date_is_a_conflict_naming_the_reason(
    checkout: Checkout, future_date: Callable[[int], str],
) -> None:
    body = assert_error(await checkout(future_date(-3)), 409, "CONFLICT")
    assert "past" in body["message"]


async def test_a_checkout_for_a_booked_date_is_a_conflict_naming_the_reason(
    checkout: Checkout, pay: Pay, future_date: Callable[[int], str],
) -> None:
    created = (await checkout(future_date(58))).json()
    await pay(created["sessionId"])

    body = assert_error(await checkout(future_date(58)), 409, "CONFLICT")
    assert "booked" in body["message"]


async def test_a_checkout_for_a_blacked_out_date_is_a_conflict_and_the_blackout_stays(
    client: httpx.AsyncClient, checkout: Checkout, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    await client.post("/v1/admin/blackouts", headers=admin_headers,
                      json={"date": future_date(59)})

    body = assert_error(await checkout(future_date(59)), 409, "CONFLICT")

    assert "blackout" in body["message"]
    check = await client.get("/v1/availability", params={"date": future_date(59)})
    assert check.json()["reason"] == "blackout"


async def test_a_hold_lapses_when_its_session_expires(
    client: httpx.AsyncClient, checkout: Checkout, clock: SettableClock,
    future_date: Callable[[int], str],
) -> None:
    assert (await checkout(future_date(60))).status_code == 201
    clock.advance(dt.timedelta(minutes=29))
    assert not await is_available(client, future_date(60))

    clock.advance(dt.timedelta(minutes=2))

    assert await is_available(client, future_date(60))
    assert (await checkout(future_date(60))).status_code == 201


async def test_the_booking_keeps_the_prices_of_the_moment_of_checkout(
    client: httpx.AsyncClient, checkout: Checkout, pay: Pay, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    package = await demo_package(client, "city-hall-chic")
    car = package["addOns"][0]
    created = (await checkout(future_date(61), slug="city-hall-chic",
                              add_on_ids=[car["id"]])).json()
    raised = await client.put(f"/v1/admin/add-ons/{car['id']}", headers=admin_headers, json={
        "title": car["title"], "description": car["description"], "priceCents": 99_000})
    assert raised.status_code == 200, raised.text

    booking = await pay(created["sessionId"])

    assert booking["totalCents"] == 95_000 + 30_000
    assert booking["addOns"] == [
        {"addOnId": car["id"], "title": car["title"], "unitPriceCents": 30_000}]


@mock_only
async def test_the_mock_checkout_page_has_a_pay_button_that_completes_the_booking(
    client: httpx.AsyncClient, elope: Elope, checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    created = (await checkout(future_date(62), coupleName="Lin & Sam")).json()

    page = await client.get(urlsplit(created["checkoutUrl"]).path)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Lin &amp; Sam" in page.text
    assert re.search(r"<button[^>]*>Pay</button>", page.text)
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action is not None

    paid = await client.post(action.group(1))

    # Like Stripe: back to STRIPE_SUCCESS_URL (default: the service's own success page, on
    # the port it runs on), with the session id filled in.
    assert paid.status_code == 303
    location = urlsplit(paid.headers["location"])
    assert (location.scheme, location.netloc, location.path) == (
        "http", "localhost:3001", "/checkout/success")
    assert location.query == f"session_id={created['sessionId']}"
    success = await client.get(f"{location.path}?{location.query}")
    assert success.status_code == 200
    assert success.headers["content-type"].startswith("text/html")
    cents = created["totalCents"]
    assert future_date(62) in success.text
    assert f"USD {cents // 100:,}.{cents % 100:02d}" in success.text
    async with elope.uow() as tx:
        made = await tx.bookings.by_session(created["sessionId"])
    assert made is not None and made.status.value == "PAID" and made.couple_name == "Lin & Sam"
    assert made.id in success.text
    # The session is paid now: its page offers nothing to pay.
    again = await client.get(urlsplit(created["checkoutUrl"]).path)
    assert "<button" not in again.text and "paid" in again.text


@mock_only
async def test_the_mock_checkout_pages_cancel_link_leads_to_a_page_that_exists(
    client: httpx.AsyncClient, checkout: Checkout, future_date: Callable[[int], str],
) -> None:
    created = (await checkout(future_date(64))).json()
    page = await client.get(urlsplit(created["checkoutUrl"]).path)
    cancel = re.search(r'<a href="([^"]+)">Cancel</a>', page.text)
    assert cancel is not None
    assert cancel.group(1) == (
        f"http://localhost:3001/checkout/canceled?session_id={created['sessionId']}")
    link = urlsplit(html.unescape(cancel.group(1)))
    canceled = await client.get(f"{link.path}?{link.query}")
    assert canceled.status_code == 200
    assert "No payment was taken, and the date is free again" in canceled.text


@mock_only
async def test_the_pay_pages_defaults_follow_the_port_the_service_runs_on(
    make_settings: MakeSettings, make_elope: MakeElope, future_date: Callable[[int], str],
) -> None:
    app = await make_elope(make_settings(api_port=4321))
    async with http_client(app) as client:
        created = (await client.post("/v1/bookings/checkout", json={
            "packageSlug": "city-hall-chic", "eventDate": future_date(65),
            "coupleName": "A & B", "email": unique_email(), "addOnIds": []})).json()
        assert created["checkoutUrl"].startswith("http://localhost:4321/v1/dev/checkout/")
        page = await client.get(urlsplit(created["checkoutUrl"]).path)
        assert ('href="http://localhost:4321/checkout/canceled?session_id='
                f'{created["sessionId"]}"') in page.text
        paid = await client.post(f"/v1/dev/checkout/{created['sessionId']}/pay")
    assert paid.headers["location"].startswith("http://localhost:4321/checkout/success?")


@mock_only
async def test_the_mock_checkout_page_of_an_unknown_session_is_not_found(
    client: httpx.AsyncClient,
) -> None:
    assert_error(await client.get("/v1/dev/checkout/cs_test_nope"), 404, "NOT_FOUND")
