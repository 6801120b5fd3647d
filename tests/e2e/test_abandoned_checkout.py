"""SPEC §3: a couple who leaves the payment page (the provider sends them to the cancel URL)
frees their date at once - the session is closed first, so it cannot be paid afterwards. A
paid session's cancel URL changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from entrypoints.bootstrap import Elope
from tests.e2e.conftest import Checkout, Pay, PaymentSide

Dates = Callable[[int], str]


def cancel_path(provider: PaymentSide, session_id: str) -> str:
    """Where the provider sends the couple who gives up: the session's cancel URL, with the
    session id filled in as Stripe fills it in."""
    url = provider.sessions[session_id]["cancel_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def reason(client: httpx.AsyncClient, date: str) -> str | None:
    return (await client.get(f"/v1/availability?date={date}")).json()["reason"]


async def test_leaving_the_payment_page_frees_the_date_at_once(
    client: httpx.AsyncClient, checkout: Checkout, provider: PaymentSide, elope: Elope,
    future_date: Dates,
) -> None:
    date = future_date(80)
    session_id = (await checkout(date)).json()["sessionId"]
    assert await reason(client, date) == "held"

    page = await client.get(cancel_path(provider, session_id))

    assert page.status_code == 200
    assert "the date is free again" in page.text
    assert await reason(client, date) is None
    assert provider.sessions[session_id]["status"] == "expired"
    async with elope.uow() as tx:
        hold = await tx.holds.get(session_id)
    assert hold is not None and hold.released_at is not None and hold.settled
    # Another couple may have it now; the first couple's back button changes nothing.
    assert (await checkout(date)).status_code == 201
    again = await client.get(cancel_path(provider, session_id))
    assert again.status_code == 200 and await reason(client, date) == "held"


async def test_the_cancel_url_of_a_paid_session_keeps_its_booking(
    client: httpx.AsyncClient, checkout: Checkout, pay: Pay, provider: PaymentSide,
    future_date: Dates,
) -> None:
    date = future_date(81)
    session_id = (await checkout(date)).json()["sessionId"]
    await pay(session_id)

    page = await client.get(cancel_path(provider, session_id))

    assert page.status_code == 200 and "free again" not in page.text
    assert await reason(client, date) == "booked"


async def test_a_cancel_page_with_an_unknown_or_odd_session_changes_nothing(
    client: httpx.AsyncClient, checkout: Checkout, future_date: Dates,
) -> None:
    date = future_date(82)
    assert (await checkout(date)).status_code == 201
    for query in ("", "?session_id=cs_test_nope", "?session_id=%7BCHECKOUT_SESSION_ID%7D",
                  "?session_id=" + "x" * 300):
        page = await client.get(f"/checkout/canceled{query}")
        assert page.status_code == 200, query
    assert await reason(client, date) == "held"
