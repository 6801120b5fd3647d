from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Protocol

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
from application.ports.webhook_events import WebhookEventRepository
from domain.event_date import EventDate


class UnitOfWork(Protocol):
    """One transaction over every repository. Rolls back unless `commit()` was awaited."""

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

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def lock_date(self, date: EventDate) -> None:
        """Serialize this transaction with every other one touching `date`, across
        processes, until it ends. Waits while another transaction holds it; raises `DateBusy`
        when it cannot be had within the lock timeout."""

    def batch(self) -> AbstractAsyncContextManager[None]:
        """Writes made inside may be sent to the database together when the block ends (or
        before the next read): their errors (Conflict, NotFound, ...) are raised by the end of
        the block at the latest rather than by each call. Reads inside see every write."""

    async def commit(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]
