"""SPEC §5: the webhook inbox as the admin sees it, and replays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from adapters.settable_clock import SettableClock
from entrypoints.settings import Settings
from tests.conftest import paid_session, sign, stripe_event
from tests.e2e.conftest import (
    Book,
    FlakyRefunds,
    MakeElope,
    assert_error,
    demo_package,
    http_client,
)

URL = "/v1/admin/webhooks"
EVENT_FIELDS = {"eventId", "eventType", "status", "attempts", "lastError", "createdAt",
                "processedAt"}


async def deliver(client: httpx.AsyncClient, settings: Settings,
                  event: dict[str, Any]) -> httpx.Response:
    raw, headers = sign(event, settings.webhook_secret)
    return await client.post("/v1/webhooks/stripe", content=raw, headers=headers)


async def list_events(client: httpx.AsyncClient, headers: dict[str, str],
                      **params: Any) -> dict[str, Any]:
    response = await client.get(URL, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_inbox_lists_a_processed_payment_with_every_field(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book,
    future_date: Callable[[int], str],
) -> None:
    await book(future_date(140))

    page = await list_events(client, admin_headers)

    assert page["nextCursor"] is None
    [event] = page["items"]
    assert set(event) == EVENT_FIELDS
    assert event["eventType"] == "checkout.session.completed"
    assert (event["status"], event["attempts"], event["lastError"]) == ("PROCESSED", 1, None)
    assert event["processedAt"] is not None


async def test_the_status_filter_shows_only_failed_events_with_their_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings,
) -> None:
    ignored = stripe_event("customer.created", {"id": "cus_1"})
    broken = stripe_event("checkout.session.completed", {
        "id": "cs_test_broken", "payment_status": "paid", "metadata": {"eventDate": "nope"}})
    assert (await deliver(client, settings, ignored)).status_code == 200
    assert (await deliver(client, settings, broken)).status_code == 422

    failed = await list_events(client, admin_headers, status="FAILED")
    processed = await list_events(client, admin_headers, status="PROCESSED")

    assert [e["eventId"] for e in failed["items"]] == [broken["id"]]
    assert failed["items"][0]["lastError"]
    assert failed["items"][0]["processedAt"] is None
    assert [e["eventId"] for e in processed["items"]] == [ignored["id"]]


async def test_limit_two_pages_through_the_inbox_newest_first(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings,
    clock: SettableClock,
) -> None:
    sent = []
    for n in range(5):
        event = stripe_event("invoice.created", {"id": f"in_{n}"})
        assert (await deliver(client, settings, event)).status_code == 200
        sent.append(event["id"])
        clock.advance(dt.timedelta(seconds=1))

    seen, cursor = [], None
    while True:
        page = await list_events(client, admin_headers, limit=2,
                                 **({"cursor": cursor} if cursor else {}))
        seen.append([e["eventId"] for e in page["items"]])
        cursor = page["nextCursor"]
        if cursor is None:
            break

    newest = list(reversed(sent))
    assert seen == [newest[0:2], newest[2:4], newest[4:5]]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"status": "LOST"},
                                    {"cursor": "not-a-cursor"}])
async def test_bad_inbox_query_parameters_are_validation_errors(
    client: httpx.AsyncClient, admin_headers: dict[str, str], params: dict[str, Any],
) -> None:
    response = await client.get(URL, headers=admin_headers, params=params)
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_replaying_a_processed_event_acknowledges_it_without_a_second_effect(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book,
    future_date: Callable[[int], str],
) -> None:
    booking = await book(future_date(141))
    [event] = (await list_events(client, admin_headers))["items"]

    response = await client.post(f"{URL}/{event['eventId']}/replay", headers=admin_headers)

    assert response.status_code == 200
    assert response.json() == {"received": True, "eventId": event["eventId"],
                               "status": "PROCESSED"}
    [after] = (await list_events(client, admin_headers))["items"]
    assert after["attempts"] == 2
    bookings = (await client.get("/v1/admin/bookings", headers=admin_headers)).json()["items"]
    assert [b["id"] for b in bookings] == [booking["id"]]


async def test_replaying_an_unknown_event_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    response = await client.post(f"{URL}/evt_never_seen/replay", headers=admin_headers)
    assert_error(response, 404, "NOT_FOUND")


async def test_replaying_a_failed_event_processes_it_again(
    settings: Settings, make_elope: MakeElope, future_date: Callable[[int], str],
) -> None:
    payments = FlakyRefunds(settings.webhook_secret, settings.base_url)
    app = await make_elope(payments=payments)
    async with http_client(app) as client:
        login = await client.post("/v1/admin/login", json={
            "email": settings.admin_email,
            "password": settings.admin_password.get_secret_value()})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        package = await demo_package(client)
        date = future_date(142)
        assert (await deliver(client, settings, stripe_event("checkout.session.completed", paid_session(
            package_id=package["id"], event_date=date)))).status_code == 200
        late = stripe_event("checkout.session.completed", paid_session(
            package_id=package["id"], event_date=date, total_cents=180_000))
        failed = await deliver(client, settings, late)
        assert_error(failed, 500, "WEBHOOK_PROCESSING_ERROR")
        stored = (await list_events(client, headers, status="FAILED"))["items"]
        assert [e["eventId"] for e in stored] == [late["id"]]
        payments.down = False

        replayed = await client.post(f"{URL}/{late['id']}/replay", headers=headers)

        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["status"] == "PROCESSED"
        assert [r["amount"] for r in payments.refunds.values()] == [180_000]
        assert (await list_events(client, headers, status="FAILED"))["items"] == []
