"""SPEC §5: blackout dates."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from adapters.settable_clock import SettableClock
from tests.e2e.conftest import Book, Checkout, assert_error

URL = "/v1/admin/blackouts"


async def is_available(client: httpx.AsyncClient, date: str) -> bool:
    return bool((await client.get("/v1/availability", params={"date": date})).json()["available"])


async def test_a_blackout_is_created_with_its_id_date_and_reason(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    response = await client.post(URL, headers=admin_headers,
                                 json={"date": future_date(120), "reason": "Family wedding"})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "date", "reason"}
    assert body["date"] == future_date(120)
    assert body["reason"] == "Family wedding"
    assert not await is_available(client, future_date(120))


async def test_a_blackout_without_a_reason_has_a_null_reason(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    response = await client.post(URL, headers=admin_headers, json={"date": future_date(121)})
    assert response.status_code == 201
    assert response.json()["reason"] is None


async def test_the_list_shows_the_demo_blackout_and_new_ones_by_date(
    client: httpx.AsyncClient, admin_headers: dict[str, str], clock: SettableClock,
    future_date: Callable[[int], str],
) -> None:
    late = (await client.post(URL, headers=admin_headers, json={"date": future_date(123)})).json()
    early = (await client.post(URL, headers=admin_headers,
                               json={"date": future_date(122), "reason": "r"})).json()

    response = await client.get(URL, headers=admin_headers)

    assert response.status_code == 200
    listed = response.json()
    christmas = f"{clock.now().year + 1}-12-25"
    assert [b["date"] for b in listed] == [future_date(122), future_date(123), christmas]
    assert listed[:2] == [early, late]
    assert all(set(b) == {"id", "date", "reason"} for b in listed)


async def test_a_second_blackout_on_the_same_date_is_a_conflict(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    await client.post(URL, headers=admin_headers, json={"date": future_date(124)})

    again = await client.post(URL, headers=admin_headers,
                              json={"date": future_date(124), "reason": "twice"})

    assert_error(again, 409, "CONFLICT")
    listed = (await client.get(URL, headers=admin_headers)).json()
    assert [b["date"] for b in listed].count(future_date(124)) == 1


async def test_a_blackout_on_a_booked_date_is_a_conflict(
    client: httpx.AsyncClient, admin_headers: dict[str, str], book: Book,
    future_date: Callable[[int], str],
) -> None:
    await book(future_date(125))

    response = await client.post(URL, headers=admin_headers, json={"date": future_date(125)})

    assert_error(response, 409, "CONFLICT")
    check = await client.get("/v1/availability", params={"date": future_date(125)})
    assert check.json()["reason"] == "booked"


async def test_a_blackout_on_a_date_a_couple_is_paying_for_is_a_conflict(
    client: httpx.AsyncClient, admin_headers: dict[str, str], checkout: Checkout,
    future_date: Callable[[int], str],
) -> None:
    assert (await checkout(future_date(126))).status_code == 201

    response = await client.post(URL, headers=admin_headers, json={"date": future_date(126)})

    assert_error(response, 409, "CONFLICT")
    check = await client.get("/v1/availability", params={"date": future_date(126)})
    assert check.json()["reason"] == "held"


async def test_deleting_a_blackout_puts_the_date_back_on_sale(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
    future_date: Callable[[int], str],
) -> None:
    created = (await client.post(URL, headers=admin_headers,
                                 json={"date": future_date(126)})).json()

    response = await client.delete(f"{URL}/{created['id']}", headers=admin_headers)

    assert response.status_code == 204
    assert response.content == b""
    assert await is_available(client, future_date(126))
    listed = (await client.get(URL, headers=admin_headers)).json()
    assert created["id"] not in [b["id"] for b in listed]


async def test_deleting_an_unknown_blackout_is_not_found(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    response = await client.delete(f"{URL}/blk_never_was", headers=admin_headers)
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize("body", [{"date": "2027-02-29"}, {"date": "31/12/2027"},
                                  {"date": 20271231}, {"reason": "no date"}])
async def test_a_blackout_with_a_bad_date_is_a_validation_error(
    client: httpx.AsyncClient, admin_headers: dict[str, str], body: dict[str, object],
) -> None:
    before = (await client.get(URL, headers=admin_headers)).json()
    response = await client.post(URL, headers=admin_headers, json=body)
    assert_error(response, 400, "VALIDATION_ERROR")
    assert (await client.get(URL, headers=admin_headers)).json() == before
