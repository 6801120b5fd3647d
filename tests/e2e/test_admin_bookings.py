"""SPEC §5: the admin's bookings list, cancellation and timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from adapters.settable_clock import SettableClock
from domain.errors import DateBusy
from entrypoints.bootstrap import Elope
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.conftest import (
    Book,
    Checkout,
    MakeElope,
    Pay,
    PaymentSide,
    assert_error,
    http_client,
    pay_session,
    payment_side,
)
from tests.fakes.stripe_server import FakeStripe


async def list_bookings(client: httpx.AsyncClient, headers: dict[str, str],
                        **params: Any) -> httpx.Response:
    return await client.get("/v1/admin/bookings", headers=headers, params=params)


async def book_several(book: Book, clock: SettableClock, future_date: Callable[[int], str],
                       offsets: list[int]) -> list[dict[str, Any]]:
    made = []
    for offset in offsets:
        made.append(await book(future_date(offset)))
        clock.advance(dt.timedelta(seconds=1))
    return made


async def test_limit_two_pages_through_every_booking_newest_first(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book,
    clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    made = await book_several(book, clock, future_date, [80, 81, 82, 83, 84])

    pages, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await list_bookings(client, admin_headers, **params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert set(page) == {"items", "nextCursor"}
        pages.append([b["id"] for b in page["items"]])
        cursor = page["nextCursor"]
        if cursor is None:
            break

    newest_first = [b["id"] for b in reversed(made)]
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:5]]


async def test_bookings_made_in_the_same_instant_are_each_listed_once(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book,
    future_date: Callable[[int], str],
) -> None:
    made = {(await book(future_date(offset)))["id"] for offset in (85, 86, 87, 88)}

    first = (await list_bookings(client, admin_headers, limit=3)).json()
    rest = (await list_bookings(client, admin_headers, limit=3,
                                cursor=first["nextCursor"])).json()

    seen = [b["id"] for b in first["items"] + rest["items"]]
    assert sorted(seen) == sorted(made)
    assert rest["nextCursor"] is None


async def test_a_listed_booking_has_the_same_shape_as_the_public_one(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book,
    future_date: Callable[[int], str],
) -> None:
    booking = await book(future_date(89))
    listed = (await list_bookings(client, admin_headers)).json()
    assert listed == {"items": [booking], "nextCursor": None}


@pytest.mark.parametrize("limit", ["0", "201", "-1", "many"])
async def test_a_limit_outside_1_to_200_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str], limit: str,
) -> None:
    assert_error(await list_bookings(client, admin_headers, limit=limit), 400,
                 "VALIDATION_ERROR")


@pytest.mark.parametrize("limit", [1, 200])
async def test_the_limits_1_and_200_are_accepted(
    client: httpx.AsyncClient, admin_headers: dict[str, str], limit: int,
) -> None:
    assert (await list_bookings(client, admin_headers, limit=limit)).status_code == 200


@pytest.mark.parametrize("cursor", ["garbage!!", "bm90LWEtY3Vyc29y", "MjAyNi0wMS0wMXx4"])
async def test_a_cursor_the_api_did_not_hand_out_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str], cursor: str,
) -> None:
    assert_error(await list_bookings(client, admin_headers, cursor=cursor), 400,
                 "VALIDATION_ERROR")


async def test_the_status_filter_shows_only_bookings_in_that_status(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book,
    clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    kept, canceled = await book_several(book, clock, future_date, [90, 91])
    await client.post(f"/v1/admin/bookings/{canceled['id']}/cancel", headers=admin_headers,
                      json={"refund": False})

    paid = (await list_bookings(client, admin_headers, status="PAID")).json()["items"]
    gone = (await list_bookings(client, admin_headers, status="CANCELED")).json()["items"]
    refunded = (await list_bookings(client, admin_headers, status="REFUNDED")).json()["items"]

    assert [b["id"] for b in paid] == [kept["id"]]
    assert [(b["id"], b["status"]) for b in gone] == [(canceled["id"], "CANCELED")]
    assert refunded == []


async def test_an_unknown_status_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    assert_error(await list_bookings(client, admin_headers, status="LOST"), 400,
                 "VALIDATION_ERROR")


async def test_from_and_to_filter_on_the_event_date_inclusively(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book,
    clock: SettableClock, future_date: Callable[[int], str],
) -> None:
    made = await book_several(book, clock, future_date, [100, 101, 102, 103])

    response = await list_bookings(client, admin_headers, **{
        "from": future_date(101), "to": future_date(102)})

    assert [b["eventDate"] for b in response.json()["items"]] == [
        future_date(102), future_date(101)]
    only_from = (await list_bookings(client, admin_headers,
                                     **{"from": future_date(103)})).json()["items"]
    assert [b["id"] for b in only_from] == [made[3]["id"]]
    only_to = (await list_bookings(client, admin_headers, to=future_date(100))).json()["items"]
    assert [b["id"] for b in only_to] == [made[0]["id"]]


async def test_a_malformed_from_date_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    assert_error(await list_bookings(client, admin_headers, **{"from": "2027/01/01"}), 400,
                 "VALIDATION_ERROR")


async def test_canceling_with_a_refund_cancels_refunds_and_frees_the_date(
    provider: PaymentSide,
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book, elope: Elope,
    checkout: Checkout, future_date: Callable[[int], str],
) -> None:
    booking = await book(future_date(110), slug="city-hall-chic")

    response = await client.post(f"/v1/admin/bookings/{booking['id']}/cancel",
                                 headers=admin_headers, json={"refund": True})

    assert response.status_code == 200, response.text
    assert response.json() == {**booking, "status": "CANCELED"}
    assert (await client.get(f"/v1/bookings/{booking['id']}")).json()["status"] == "CANCELED"
    refunds = list(provider.refunds.values())
    assert [r["amount"] for r in refunds] == [95_000]
    available = await client.get("/v1/availability", params={"date": future_date(110)})
    assert available.json()["available"] is True
    assert (await checkout(future_date(110))).status_code == 201


async def test_canceling_without_a_refund_pays_nothing_back(
    provider: PaymentSide,
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book, elope: Elope,
    future_date: Callable[[int], str],
) -> None:
    booking = await book(future_date(111))
    response = await client.post(f"/v1/admin/bookings/{booking['id']}/cancel",
                                 headers=admin_headers, json={"refund": False})
    assert response.json()["status"] == "CANCELED"
    assert provider.refunds == {}


async def test_canceling_twice_is_a_conflict_and_refunds_once(
    provider: PaymentSide,
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book, elope: Elope,
    future_date: Callable[[int], str],
) -> None:
    booking = await book(future_date(112))
    url = f"/v1/admin/bookings/{booking['id']}/cancel"
    assert (await client.post(url, headers=admin_headers, json={"refund": True})).status_code == 200

    again = await client.post(url, headers=admin_headers, json={"refund": True})

    assert_error(again, 409, "CONFLICT")
    assert len(provider.refunds) == 1


async def test_canceling_an_unknown_booking_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    response = await client.post("/v1/admin/bookings/bk_nobody/cancel", headers=admin_headers,
                                 json={"refund": True})
    assert_error(response, 404, "NOT_FOUND")


async def test_the_timeline_follows_a_booking_from_checkout_to_email_in_order(
    client: httpx.AsyncClient, admin_headers: dict[str, str], checkout: Checkout, pay: Pay,
    elope: Elope, future_date: Callable[[int], str],
) -> None:
    created = await checkout(future_date(113))
    checkout_id = created.headers["x-request-id"]
    booking_id = (await pay(created.json()["sessionId"]))["id"]
    await elope.relay.drain()  # the confirmation, as the relay beside requests sends it
    await client.post(f"/v1/admin/bookings/{booking_id}/cancel", headers=admin_headers,
                      json={"refund": True})
    await elope.relay.drain()  # the cancellation notice

    response = await client.get(f"/v1/admin/bookings/{booking_id}/timeline",
                                headers=admin_headers)

    assert response.status_code == 200
    entries = response.json()
    for entry in entries:
        assert set(entry) == {"at", "kind", "detail", "correlationId", "traceId",
                              "stripeEventId"}
        assert entry["correlationId"]
        # Webhook deliveries name their Stripe event; nothing else came from one.
        assert (entry["stripeEventId"] is not None) == (entry["kind"] == "webhook"), entry
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    kinds = [e["kind"] for e in entries]
    assert kinds[0] == "checkout"
    assert entries[0]["correlationId"] == checkout_id
    for kind in ("webhook", "status", "email", "calendar"):
        assert kind in kinds, kinds
    assert kinds.index("status") < kinds.index("email")
    assert kinds.index("status") < kinds.index("calendar")
    # The cancellation, then - in either order, as its subscribers run side by side - the
    # notice to the couple and the calendar day freed.
    canceled, *after = entries[-3:]
    assert canceled["kind"] == "status" and "refund" in canceled["detail"]
    assert canceled["correlationId"] != checkout_id
    notice = next(e for e in after if e["kind"] == "email")
    assert "canceled" in notice["detail"]
    freed = next(e for e in after if e["kind"] == "calendar")
    assert "the day is free" in freed["detail"]


async def test_the_timeline_of_an_unknown_booking_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    response = await client.get("/v1/admin/bookings/bk_ghost/timeline", headers=admin_headers)
    assert_error(response, 404, "NOT_FOUND")


class DateBusyOnceUnitOfWork:
    """The preset's unit of work, whose date lock is held by another request the first time it
    is asked for after the test arms it (what `pg_try_advisory_xact_lock` answers then)."""

    def __init__(self, inner: Any, busy: list[str]) -> None:
        self._inner = inner
        self._busy = busy

    async def __aenter__(self) -> Any:
        tx = await self._inner.__aenter__()
        take_lock = tx.lock_date

        async def lock_date(date: Any) -> None:
            if self._busy:
                raise DateBusy(self._busy.pop())
            await take_lock(date)

        tx.lock_date = lock_date
        return tx

    async def __aexit__(self, *exc_info: Any) -> Any:
        return await self._inner.__aexit__(*exc_info)


async def test_a_cancel_whose_refund_went_out_waits_out_a_busy_date_and_refunds_once(
    make_elope: MakeElope, fake_stripe: FakeStripe | None, future_date: Callable[[int], str],
) -> None:
    busy: list[str] = []
    app = await make_elope(wrap_uow=lambda tx: DateBusyOnceUnitOfWork(tx, busy))
    async with http_client(app) as client:
        login = await client.post("/v1/admin/login",
                                  json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        created = await client.post("/v1/bookings/checkout", json={
            "packageSlug": "city-hall-chic", "eventDate": future_date(114),
            "coupleName": "Ada & Grace", "email": "busy@example.com", "addOnIds": []})
        side = payment_side(app, fake_stripe)
        booking = await pay_session(client, app, side, created.json()["sessionId"])
        busy.append(future_date(114))  # another request holds the date for a moment

        response = await client.post(f"/v1/admin/bookings/{booking['id']}/cancel",
                                     headers=headers, json={"refund": True})

        assert response.status_code == 200, response.text
        assert response.json()["status"] == "CANCELED"
        assert busy == []  # the busy lock was met, and waited out
        assert (await client.get(f"/v1/bookings/{booking['id']}")).json()["status"] == "CANCELED"
    assert [(key, r["amount"]) for key, r in side.refunds.items()] == [
        (f"refund:{booking['id']}", 95_000)]
