"""Across instances on one database: a commit that wrote outbox messages notifies every
instance (PostgreSQL LISTEN/NOTIFY), so the relay of an instance that did not make the change
delivers it at once, not at its next sweep - and keeps doing so after its listening
connection is cut."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest

from adapters.piccolo.notification_listener import NotificationListener
from adapters.piccolo.outbox_notifications import OUTBOX_CHANNEL
from application import commands as c
from application.ports.mail import MailMessage
from entrypoints.bootstrap import Elope
from tests.conftest import paid_session, sign, stripe_event
from tests.integration.conftest import WEBHOOK_SECRET, MakeElope

HOURLY_SWEEP = 3600
PATIENCE = 10


class Inbox:
    """A mail server that records what it was given."""

    provider = "inbox"

    def __init__(self) -> None:
        self.keys: list[str] = []
        self._changed = asyncio.Condition()

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        async with self._changed:
            self.keys.append(idempotency_key)
            self._changed.notify_all()

    async def holds(self, count: int) -> None:
        async with asyncio.timeout(PATIENCE), self._changed:
            await self._changed.wait_for(lambda: len(self.keys) >= count)


class Wakes:
    """Counts the relay's wake-ups and lets a test wait for the next one."""

    def __init__(self, relay_wake: Callable[[], None]) -> None:
        self._relay_wake = relay_wake
        self.count = 0
        self._changed = asyncio.Condition()

    def __call__(self) -> None:
        self.count += 1
        self._relay_wake()
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def reach(self, count: int) -> None:
        async with asyncio.timeout(PATIENCE), self._changed:
            await self._changed.wait_for(lambda: self.count >= count)


@pytest.fixture
async def listening(make_elope: MakeElope, clean_postgres: str) -> AsyncIterator[tuple[Elope, Inbox, Wakes]]:
    """An instance whose relay runs (swept hourly) and whose listener counts its wakes."""
    inbox = Inbox()
    app = await make_elope(mailer=inbox)
    wakes = Wakes(app.relay.wake)
    # Listening to the outbox channel as bootstrap wires it: every notification and every
    # (re)connect wakes the relay.
    listener = NotificationListener(clean_postgres, {OUTBOX_CHANNEL: lambda _: wakes()},
                                    on_connect=wakes, retry_seconds=0.05)
    tasks = [asyncio.create_task(app.relay.run(sweep_seconds=HOURLY_SWEEP)),
             asyncio.create_task(listener.listen())]
    try:
        await wakes.reach(1)  # connected: the first wake is the listener's own
        yield app, inbox, wakes
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def pay_on(writer: Elope, date: str) -> None:
    async with writer.uow() as tx:
        package = await tx.packages.get_by_slug("sunrise-cliffs")
    assert package is not None
    raw, headers = sign(stripe_event("checkout.session.completed",
                                     paid_session(package_id=package.id, event_date=date)),
                        WEBHOOK_SECRET)
    await writer.bus.handle(c.RecordStripeEvent(raw_body=raw, signature=headers["Stripe-Signature"]))


async def test_a_booking_made_on_one_instance_is_emailed_by_the_relay_of_another(
    elope: Elope, listening: tuple[Elope, Inbox, Wakes], future_date: Callable[[int], str],
) -> None:
    _, inbox, wakes = listening
    await pay_on(elope, future_date(190))  # `elope` runs no relay of its own

    await wakes.reach(2)
    await inbox.holds(1)
    assert len(inbox.keys) == 1 and inbox.keys[0].endswith(":confirmation")


async def test_the_listener_reconnects_after_its_connection_is_cut_and_still_wakes_the_relay(
    elope: Elope, listening: tuple[Elope, Inbox, Wakes], clean_postgres: str,
    future_date: Callable[[int], str],
) -> None:
    _, inbox, wakes = listening
    admin = await asyncpg.connect(clean_postgres)
    try:
        cut = await admin.fetchval(
            """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
               WHERE application_name = 'elope-listener' AND datname = current_database()""")
    finally:
        await admin.close()
    assert cut == 1
    await wakes.reach(2)  # reconnected

    await pay_on(elope, future_date(191))

    await wakes.reach(3)
    await inbox.holds(1)
