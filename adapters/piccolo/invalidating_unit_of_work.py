"""A unit of work that says so when it commits - or finds, by a Conflict, that the data moved
on since it was read - so this process's read caches forget at once what may have changed,
without waiting for the database's notification to come back."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType

from application.ports.admin_users import AdminUserRepository
from application.ports.blackouts import BlackoutRepository
from application.ports.booking_facts import BookingFactsReader
from application.ports.bookings import BookingRepository
from application.ports.customers import CustomerRepository
from application.ports.early_refunds import EarlyRefundRepository
from application.ports.holds import HoldRepository
from application.ports.outbox import Outbox
from application.ports.packages import PackageRepository
from application.ports.sent_mail import SentMailLog
from application.ports.timeline import TimelineRepository
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.ports.webhook_events import WebhookEventRepository
from domain.errors import Conflict
from domain.event_date import EventDate


class InvalidatingUnitOfWork:
    packages: PackageRepository
    bookings: BookingRepository
    holds: HoldRepository
    customers: CustomerRepository
    early_refunds: EarlyRefundRepository
    blackouts: BlackoutRepository
    webhook_events: WebhookEventRepository
    timeline: TimelineRepository
    outbox: Outbox
    sent_mail: SentMailLog
    admin_users: AdminUserRepository
    booking_facts: BookingFactsReader

    def __init__(self, inner: UnitOfWork, on_change: Callable[[], None]) -> None:
        self._inner = inner
        self._on_change = on_change
        self._entered: UnitOfWork | None = None

    async def __aenter__(self) -> InvalidatingUnitOfWork:
        # What entering returns is the unit of work to use (not always `inner` itself), and
        # it has its repositories only from then on.
        self._entered = tx = await self._inner.__aenter__()
        self.packages, self.bookings, self.holds = tx.packages, tx.bookings, tx.holds
        self.customers, self.early_refunds = tx.customers, tx.early_refunds
        self.blackouts, self.webhook_events = tx.blackouts, tx.webhook_events
        self.timeline, self.outbox, self.sent_mail = tx.timeline, tx.outbox, tx.sent_mail
        self.admin_users, self.booking_facts = tx.admin_users, tx.booking_facts
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._entered = None
        try:
            await self._inner.__aexit__(exc_type, exc, tb)
        finally:
            if isinstance(exc, Conflict):
                # E.g. a checkout refused under the date lock: another instance took the date,
                # and the couple who was just told so must not see it offered on reload.
                self._on_change()

    def _current(self) -> UnitOfWork:
        if self._entered is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._entered

    async def lock_date(self, date: EventDate) -> None:
        await self._current().lock_date(date)

    def batch(self) -> AbstractAsyncContextManager[None]:
        return self._current().batch()

    async def commit(self) -> None:
        try:
            await self._current().commit()
        finally:
            # Also when the answer to COMMIT was lost: the server may have applied it.
            self._on_change()


def invalidating_uow_factory(
    inner: UnitOfWorkFactory, on_change: Callable[[], None],
) -> UnitOfWorkFactory:
    """Units of work of `inner` that call `on_change` after each commit, and at the end of
    one that raised a Conflict."""
    return lambda: InvalidatingUnitOfWork(inner(), on_change)
