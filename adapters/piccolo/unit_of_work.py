"""One PostgreSQL transaction over every repository; rolls back unless committed.

It owns its pool connection and its transaction (rather than Piccolo's engine-wide current
transaction), so the repositories run every statement on exactly that connection; the
transaction begins only when a statement needs it (see LazyTransaction).

Database failures are translated here, once, into the domain's terms: a busy lock is DateBusy
(409), a serialization failure or deadlock is TransientFailure (retried by the caller), a lost
or unreachable server is StorageUnavailable (503).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType

import asyncpg

from adapters.piccolo.admin_users import PiccoloAdminUserRepository
from adapters.piccolo.blackouts import PiccoloBlackoutRepository
from adapters.piccolo.booking_facts import PiccoloBookingFacts
from adapters.piccolo.bookings import PiccoloBookingRepository
from adapters.piccolo.customers import PiccoloCustomerRepository
from adapters.piccolo.database import UNREACHABLE, PiccoloDatabase
from adapters.piccolo.early_refunds import PiccoloEarlyRefundRepository
from adapters.piccolo.holds import PiccoloHoldRepository
from adapters.piccolo.lazy_transaction import LazyTransaction
from adapters.piccolo.outbox import PiccoloOutbox
from adapters.piccolo.outbox_notifications import OUTBOX_CHANNEL
from adapters.piccolo.packages import PiccoloPackageRepository
from adapters.piccolo.sent_mail import PiccoloSentMailLog
from adapters.piccolo.timeline import PiccoloTimelineRepository
from adapters.piccolo.webhook_events import PiccoloWebhookEventRepository
from application.ports.admin_users import AdminUserRepository
from application.ports.blackouts import BlackoutRepository
from application.ports.booking_facts import BookingFactsReader
from application.ports.bookings import BookingRepository
from application.ports.customers import CustomerRepository
from application.ports.early_refunds import EarlyRefundRepository
from application.ports.holds import HoldRepository
from application.ports.metrics import Metrics
from application.ports.outbox import Outbox
from application.ports.packages import PackageRepository
from application.ports.sent_mail import SentMailLog
from application.ports.timeline import TimelineRepository
from application.ports.tracing import TraceContext
from application.ports.webhook_events import WebhookEventRepository
from domain.errors import (
    Conflict,
    DateBusy,
    DomainError,
    StorageUnavailable,
    TransientFailure,
    Unstorable,
)
from domain.event_date import EventDate


def date_lock_key(date: EventDate) -> int:
    """A stable signed 64-bit advisory-lock key per date (same in every process)."""
    digest = hashlib.blake2b(f"elope:date:{date}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class PiccoloUnitOfWork:
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
        self, database: PiccoloDatabase, metrics: Metrics,
        on_outbox_commit: Callable[[], None] | None = None,
        on_change: Callable[[], None] | None = None, trace: TraceContext | None = None,
    ) -> None:
        self._database = database
        self._trace = trace
        self._metrics = metrics
        self._on_outbox_commit = on_outbox_commit
        self._on_change = on_change
        self._outbox: PiccoloOutbox | None = None
        self._outbox_committed = 0
        self._transaction: LazyTransaction | None = None

    async def __aenter__(self) -> PiccoloUnitOfWork:
        connection = await self._database.acquire()
        # No BEGIN yet: the first statement that needs a transaction starts it.
        self._transaction = transaction = LazyTransaction(connection, self._database.begin_sql)
        self.packages = PiccoloPackageRepository(transaction)
        self.bookings = PiccoloBookingRepository(transaction)
        self.holds = PiccoloHoldRepository(transaction)
        self.customers = PiccoloCustomerRepository(transaction)
        self.early_refunds = PiccoloEarlyRefundRepository(transaction)
        self.blackouts = PiccoloBlackoutRepository(transaction)
        self.webhook_events = PiccoloWebhookEventRepository(transaction)
        self.timeline = PiccoloTimelineRepository(transaction, self._trace)
        self.outbox = self._outbox = PiccoloOutbox(transaction, self._trace)
        self.sent_mail = PiccoloSentMailLog(transaction)
        self.admin_users = PiccoloAdminUserRepository(transaction)
        self.booking_facts = PiccoloBookingFacts(transaction)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, Conflict) and self._on_change is not None:
            # E.g. a checkout refused under the date lock: another instance took the date, and
            # the couple just told so must not see it offered again by this process's caches.
            self._on_change()
        try:
            # Whatever ran since the last commit() (or all of it, if none) is dropped. On a
            # dead connection the rollback fails; the server has dropped the work already.
            if self._transaction is not None:
                await self._transaction.rollback()
        except (*UNREACHABLE, asyncpg.PostgresError):
            pass
        finally:
            # Always: a connection that never returns to the pool hangs its close() forever.
            await self._hand_back()
        if isinstance(exc, UNREACHABLE):
            await self._database.connections_lost()
        if exc is not None and not isinstance(exc, DomainError):
            self._translate(exc)

    async def _hand_back(self) -> None:
        transaction, self._transaction = self._transaction, None
        if transaction is not None:
            await self._database.release(transaction.connection)

    def _translate(self, exc: BaseException) -> None:
        if isinstance(exc, asyncpg.LockNotAvailableError):
            self._metrics.lock_timeout()
            raise DateBusy("the date") from exc
        if isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError):
            raise TransientFailure("the transaction lost a race; try again") from exc
        if isinstance(exc, UNREACHABLE):
            raise StorageUnavailable("the database is unavailable") from exc
        # Class 22 (a NUL, a value too long for its column, ...) or text UTF-8 cannot encode:
        # refused for good, whatever a retry does. The memory set raises the same error.
        if isinstance(exc, asyncpg.DataError | UnicodeEncodeError):
            raise Unstorable("a value cannot be stored (a control character, or too long)") from exc

    def _current(self) -> LazyTransaction:
        if self._transaction is None:
            raise RuntimeError("the unit of work is used outside `async with`")
        return self._transaction

    async def lock_date(self, date: EventDate) -> None:
        self._metrics.date_lock_requested()  # the denominator of the lock-timeout rate
        try:
            await self._current().lock(date_lock_key(date))
        except asyncpg.LockNotAvailableError as exc:
            # Held by another process's transaction for longer than DB_LOCK_TIMEOUT_MS.
            self._metrics.lock_timeout()
            raise DateBusy(str(date)) from exc

    def batch(self) -> AbstractAsyncContextManager[None]:
        return self._current().batch()

    async def commit(self) -> None:
        """Commit; work after it runs in a new transaction, begun by its first statement - a
        commit is a checkpoint, as in the memory set: later work is rolled back at exit unless
        committed again."""
        wrote_outbox = self._outbox is not None and self._outbox.added > self._outbox_committed
        try:
            # Delivered at COMMIT, and only if it commits: every instance's relay wakes.
            # (PostgreSQL folds repeats into one.)
            await self._current().commit(OUTBOX_CHANNEL if wrote_outbox else None)
        except UNREACHABLE as exc:
            raise StorageUnavailable("the database is unavailable") from exc
        finally:
            # Also when the answer to COMMIT was lost: the server may have applied it.
            if self._on_change is not None:
                self._on_change()
        if wrote_outbox and self._outbox is not None:
            self._outbox_committed = self._outbox.added
            if self._on_outbox_commit is not None:
                self._on_outbox_commit()


def piccolo_uow_factory(
    database: PiccoloDatabase, metrics: Metrics, on_outbox_commit: Callable[[], None] | None = None,
    on_change: Callable[[], None] | None = None, trace: TraceContext | None = None,
) -> Callable[[], PiccoloUnitOfWork]:
    """Units of work on `database`; a commit that wrote outbox messages notifies every
    instance's relay (LISTEN/NOTIFY) and calls `on_outbox_commit` in this one at once. Every
    commit, and a unit of work ended by a Conflict, calls `on_change` (this process's read
    caches forget what may have changed, before the notification comes back). Outbox
    messages and timeline entries keep the `trace` of the work that wrote them."""
    return lambda: PiccoloUnitOfWork(database, metrics, on_outbox_commit, on_change, trace)
