"""A transaction is all or nothing on real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from adapters.piccolo.database import PiccoloDatabase
from adapters.piccolo.unit_of_work import PiccoloUnitOfWork
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from application.commands import WebhookAck
from domain.errors import WebhookProcessingFailed
from domain.events import DomainEvent
from entrypoints.bootstrap import Elope
from entrypoints.settings import Settings
from tests.conftest import paid_session, stripe_event
from tests.integration.conftest import MakeElope
from tests.integration.deliveries import deliver_once


class OutboxWriteFails(PiccoloUnitOfWork):
    """Everything works until the last write of the booking transaction, the outbox."""

    async def __aenter__(self) -> PiccoloUnitOfWork:
        tx = await super().__aenter__()
        real_outbox = tx.outbox

        class Failing:
            async def add(self, message_id: str, event: DomainEvent, now: Any) -> None:
                raise RuntimeError("the outbox write failed mid-transaction")

            def __getattr__(self, name: str) -> Any:
                return getattr(real_outbox, name)

        tx.outbox = Failing()  # type: ignore[assignment]
        return tx


async def rows(dsn: str, sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


async def test_a_booking_transaction_that_fails_halfway_leaves_no_row_behind(
    elope: Elope, make_elope: MakeElope, real_settings: Settings, clean_postgres: str,
    future_date: Callable[[int], str],
) -> None:
    assert real_settings.database_url is not None
    database = PiccoloDatabase(real_settings.database_url.get_secret_value())
    metrics = PrometheusMetrics()
    faulty = await make_elope(uow=lambda: OutboxWriteFails(database, metrics))
    async with elope.uow() as tx:
        package = await tx.packages.get_by_slug("forest-vows")
    assert package is not None
    session = paid_session(package_id=package.id, event_date=future_date(95),
                           email="halfway@example.com", add_on_ids=package.add_ons[0].id,
                           add_on_prices=str(package.add_ons[0].price.cents))
    event = stripe_event("checkout.session.completed", session)

    answer = await deliver_once(faulty, event)

    assert isinstance(answer, WebhookProcessingFailed)
    assert await rows(clean_postgres, "SELECT 1 FROM booking") == []
    assert await rows(clean_postgres, "SELECT 1 FROM booking_add_on") == []
    assert await rows(clean_postgres, "SELECT 1 FROM customer") == []
    assert await rows(clean_postgres, "SELECT 1 FROM outbox_message") == []
    stored = await rows(clean_postgres,
                        "SELECT status, last_error FROM webhook_event WHERE event_id = $1",
                        event["id"])
    assert stored[0]["status"] == "FAILED"
    assert "outbox write failed" in stored[0]["last_error"]

    retried = await deliver_once(elope, event)

    assert isinstance(retried, WebhookAck)
    booked = await rows(clean_postgres, "SELECT status FROM booking WHERE session_id = $1",
                        session["id"])
    assert [r["status"] for r in booked] == ["PAID"]
    assert len(await rows(clean_postgres, "SELECT 1 FROM booking_add_on")) == 1
