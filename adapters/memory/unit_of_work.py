"""The mock preset's unit of work: a snapshot of the store, restored unless committed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import TracebackType
from typing import TYPE_CHECKING, Any

from adapters.memory.admin_users import MemoryAdminUserRepository
from adapters.memory.blackouts import MemoryBlackoutRepository
from adapters.memory.booking_facts import MemoryBookingFacts
from adapters.memory.bookings import MemoryBookingRepository
from adapters.memory.customers import MemoryCustomerRepository
from adapters.memory.early_refunds import MemoryEarlyRefundRepository
from adapters.memory.holds import MemoryHoldRepository
from adapters.memory.outbox import MemoryOutbox
from adapters.memory.packages import MemoryPackageRepository
from adapters.memory.sent_mail import MemorySentMailLog
from adapters.memory.store import MemoryStore
from adapters.memory.timeline import MemoryTimelineRepository
from adapters.memory.webhook_events import MemoryWebhookEventRepository
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
from application.ports.tracing import TraceContext
from application.ports.webhook_events import WebhookEventRepository
from domain.event_date import EventDate

if TYPE_CHECKING:
    from application.ports.unit_of_work import UnitOfWork


class MemoryUnitOfWork:
    """Holds the store lock from enter to exit, so memory transactions are serializable
    (what the real preset gets from PostgreSQL and advisory locks). Not re-entrant: opening
    a second one inside the first in the same task raises instead of hanging."""

    # Typed as the ports: protocol attributes are invariant, and this checks each repository.
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

    def __init__(
        self, store: MemoryStore, on_outbox_commit: Callable[[], None] | None = None,
        trace: TraceContext | None = None,
    ) -> None:
        self._store = store
        self._on_outbox_commit = on_outbox_commit
        self._saved: dict[str, Any] | None = None
        self._outbox = MemoryOutbox(store, trace)
        self._outbox_committed = 0
        self.packages = MemoryPackageRepository(store)
        self.bookings = MemoryBookingRepository(store)
        self.holds = MemoryHoldRepository(store)
        self.customers = MemoryCustomerRepository(store)
        self.early_refunds = MemoryEarlyRefundRepository(store)
        self.blackouts = MemoryBlackoutRepository(store)
        self.webhook_events = MemoryWebhookEventRepository(store)
        self.timeline = MemoryTimelineRepository(store, trace)
        self.outbox = self._outbox
        self.sent_mail = MemorySentMailLog(store)
        self.admin_users = MemoryAdminUserRepository(store)
        self.booking_facts = MemoryBookingFacts(store)

    async def __aenter__(self) -> MemoryUnitOfWork:
        await self._store.begin()
        self._saved = self._store.snapshot()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._saved is not None:
                # Back to the last committed state: drops everything written since.
                self._store.restore(self._saved)
        finally:
            self._saved = None
            self._store.end()

    async def lock_date(self, date: EventDate) -> None:
        """Nothing to do: the store lock already serializes whole transactions."""

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[None]:
        """Each write takes effect (or fails) at its call, which a batch allows."""
        yield

    async def commit(self) -> None:
        if self._saved is None:
            raise RuntimeError("commit() outside `async with`")
        self._saved = self._store.snapshot()
        if self._outbox.added > self._outbox_committed:
            self._outbox_committed = self._outbox.added
            if self._on_outbox_commit is not None:
                self._on_outbox_commit()


def memory_uow_factory(
    store: MemoryStore, on_outbox_commit: Callable[[], None] | None = None,
    trace: TraceContext | None = None,
) -> Callable[[], MemoryUnitOfWork]:
    """Units of work over `store`; a commit that wrote outbox messages calls
    `on_outbox_commit` (the relay's wake-up). Outbox messages and timeline entries keep the
    `trace` of the work that wrote them."""

    def new_unit_of_work() -> MemoryUnitOfWork:
        return MemoryUnitOfWork(store, on_outbox_commit, trace)

    return new_unit_of_work


if TYPE_CHECKING:
    # mypy proves here that the memory unit of work satisfies the port.
    def _conforms(store: MemoryStore) -> UnitOfWork:
        return MemoryUnitOfWork(store)
