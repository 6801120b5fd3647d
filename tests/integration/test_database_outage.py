"""The database goes away in the middle of business, and comes back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import asyncpg
import httpx
import pytest

from entrypoints.bootstrap import Elope
from entrypoints.http.app import create_asgi
from tests.conftest import paid_session, sign, stripe_event
from tests.integration.conftest import WEBHOOK_SECRET


class Outage:
    """Refuses new connections to one database and cuts the open ones, as a stopped server
    looks to the application; the rest of the PostgreSQL server is untouched."""

    def __init__(self, admin_dsn: str, database: str) -> None:
        self._admin_dsn = admin_dsn
        self._database = database

    async def _run(self, sql: str) -> None:
        connection = await asyncpg.connect(self._admin_dsn)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def begin(self) -> None:
        await self._run(f'ALTER DATABASE "{self._database}" WITH ALLOW_CONNECTIONS false')
        await self._run(f"""SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                            WHERE datname = '{self._database}' AND pid <> pg_backend_pid()""")

    async def end(self) -> None:
        await self._run(f'ALTER DATABASE "{self._database}" WITH ALLOW_CONNECTIONS true')


@pytest.fixture
async def outage(postgres_admin_dsn: str, clean_postgres: str) -> AsyncIterator[Outage]:
    database = clean_postgres.rsplit("/", 1)[1].split("?", 1)[0]
    control = Outage(postgres_admin_dsn, database)
    try:
        yield control
    finally:
        await control.end()


@pytest.fixture
async def client(elope: Elope) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_asgi(elope, run_background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://elope.test") as http:
        yield http


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
