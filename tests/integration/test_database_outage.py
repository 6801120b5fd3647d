"""The database goes away in the middle of business, and comes back."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from entrypoints.bootstrap import Elope
from tests.conftest import paid_session, sign, stripe_event
from tests.integration.conftest import WEBHOOK_SECRET
from tests.integration.outage import Outage


async def test_a_webhook_during_an_outage_gets_a_5xx_and_its_redelivery_after_recovery_books(
    elope: Elope, client: httpx.AsyncClient, outage: Outage, future_date: Callable[[int], str],
) -> None:
    async with elope.uow() as tx:
        package = await tx.packages.get_by_slug("sunrise-cliffs")
    assert package is not None
    session = paid_session(package_id=package.id, event_date=future_date(100))
    raw, headers = sign(stripe_event("checkout.session.completed", session), WEBHOOK_SECRET)

    await outage.begin()
    during = await client.post("/v1/webhooks/stripe", content=raw, headers=headers)
    ready_during = await client.get("/health/ready")
    await outage.end()
    after = await client.post("/v1/webhooks/stripe", content=raw, headers=headers)
    ready_after = await client.get("/health/ready")

    assert during.status_code >= 500, during.text
    assert during.json()["error"] in ("SERVICE_UNAVAILABLE", "WEBHOOK_PROCESSING_ERROR")
    assert "asyncpg" not in during.text and "Traceback" not in during.text
    assert ready_during.status_code == 503
    assert ready_during.json()["error"] == "SERVICE_UNAVAILABLE"
    assert after.status_code == 200, after.text
    assert ready_after.status_code == 200
    async with elope.uow() as tx:
        booking = await tx.bookings.by_session(session["id"])
    assert booking is not None and booking.status.value == "PAID"
