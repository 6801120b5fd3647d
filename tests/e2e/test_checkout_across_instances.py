"""Two instances of Elope on the same data (two API processes behind a load balancer): a date
the other instance books or closes while this one is opening a checkout is not held here.

The second instance shares the first one's storage but has its own in-process lanes, as a
separate process has; only the date lock in storage stands between them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from adapters.stand_ins.local_checkout import LocalCheckout
from application.ports.payment import CheckoutRequest, CheckoutSession
from entrypoints.bootstrap import Elope
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, paid_session, sign, stripe_event
from tests.e2e.conftest import WEBHOOK, MakeElope, assert_error, http_client


class SlowToOpen(LocalCheckout):
    """The local checkout, which lets the test act while a session is being opened - after
    the availability check, before the hold."""

    meanwhile: Callable[[], Awaitable[None]] | None = None

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        if self.meanwhile is not None:
            await self.meanwhile()
        return await super().create_checkout_session(request)


async def admin(client: httpx.AsyncClient) -> dict[str, str]:
    login = await client.post("/v1/admin/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    return {"Authorization": f"Bearer {login.json()['token']}"}


async def sunrise_id(client: httpx.AsyncClient) -> str:
    return str((await client.get("/v1/packages/sunrise-cliffs")).json()["id"])


async def book_it(other: httpx.AsyncClient, app: Elope, date: str) -> None:
    session = paid_session(package_id=await sunrise_id(other), event_date=date)
    raw, headers = sign(stripe_event("checkout.session.completed", session), app.settings.webhook_secret)
    assert (await other.post(WEBHOOK, content=raw, headers=headers)).status_code == 200


async def close_it(other: httpx.AsyncClient, app: Elope, date: str) -> None:
    response = await other.post("/v1/admin/blackouts", headers=await admin(other),
                                json={"date": date, "reason": "closed meanwhile"})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(("taken_by", "reason"), [(book_it, "booked"), (close_it, "blackout")])
async def test_a_date_the_other_instance_takes_during_a_checkout_is_not_held(
    make_elope: MakeElope, future_date: Callable[[int], str],
    taken_by: Callable[[httpx.AsyncClient, Elope, str], Awaitable[Any]], reason: str,
) -> None:
    first = await make_elope()
    slow = SlowToOpen(first.settings.webhook_secret, first.settings.base_url)
    second = await make_elope(uow=first.uow, payments=slow)
    date = future_date(180)
    async with http_client(first) as other, http_client(second) as client:

        async def the_other_instance_takes_the_date() -> None:
            slow.meanwhile = None
            await taken_by(other, first, date)

        slow.meanwhile = the_other_instance_takes_the_date
        response = await client.post("/v1/bookings/checkout", json={
            "packageSlug": "sunrise-cliffs", "eventDate": date, "coupleName": "Ada & Grace",
            "email": "second@example.com", "addOnIds": []})

        body = assert_error(response, 409, "CONFLICT")
        assert reason in body["message"]
        [session] = slow.sessions.values()
        assert session["status"] == "expired"  # nobody can pay for it
        for instance in (other, client):
            shown = (await instance.get(f"/v1/availability?date={date}")).json()
            assert (shown["available"], shown["reason"]) == (False, reason)
