"""One PostgreSQL transaction over every repository; rolls back unless committed.

Database failures are translated here, once, into the domain's terms: a busy lock is DateBusy
(409), a serialization failure or deadlock is TransientFailure (retried by the caller), a lost
or unreachable server is StorageUnavailable (503).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from types import TracebackType

import asyncpg
from piccolo.engine.postgres import PostgresTransaction

from adapters.piccolo.catalog import PiccoloPackageRepository
from adapters.piccolo.database import PiccoloDatabase
from adapters.piccolo.holds import PiccoloHoldRepository
from adapters.piccolo.inbox import PiccoloTimelineRepository, PiccoloWebhookEventRepository
from adapters.piccolo.outbox import PiccoloOutbox, PiccoloSentMailLog
from adapters.piccolo.people import PiccoloAdminUserRepository, PiccoloCustomerRepository
from adapters.piccolo.sales import (
    PiccoloBlackoutRepository,
    PiccoloBookingRepository,
    PiccoloEarlyRefundRepository,
)
from application.ports.admin_users import AdminUserRepository
from application.ports.blackouts import BlackoutRepository
from application.ports.bookings import (
    BookingRepository,
    CustomerRepository,
    EarlyRefundRepository,
    HoldRepository,
)
from application.ports.catalog import PackageRepository
from application.ports.metrics import Metrics
from application.ports.outbox import Outbox, SentMailLog
from application.ports.webhooks import TimelineRepository, WebhookEventRepository
from domain.errors import DateBusy, DomainError, StorageUnavailable, TransientFailure
from domain.event_date import EventDate

_UNREACHABLE = (
    OSError, TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError, asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError, asyncpg.QueryCanceledError,
)


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

    def __init__(self, database: PiccoloDatabase, metrics: Metrics) -> None:
        self._database = database
        self._metrics = metrics
        self._tx: PostgresTransaction | None = None

    async def __aenter__(self) -> PiccoloUnitOfWork:
        # allow_nested=False: Piccolo would otherwise turn an inner transaction into a no-op
        # whose commit() commits the outer one.
        tx = self._database.engine.transaction(allow_nested=False)
        try:
            self._tx = await tx.__aenter__()
        except (*_UNREACHABLE, asyncpg.PostgresError) as exc:
            # Any refusal before the transaction began (server down, database closed to new
            # connections, too many clients) means the same to a caller: try again later.
            raise StorageUnavailable("the database is unavailable") from exc
        connection = self._tx.connection
        self.packages = PiccoloPackageRepository(connection)
        self.bookings = PiccoloBookingRepository(connection)
        self.holds = PiccoloHoldRepository(connection)
        self.customers = PiccoloCustomerRepository(connection)
        self.early_refunds = PiccoloEarlyRefundRepository(connection)
        self.blackouts = PiccoloBlackoutRepository(connection)
        self.webhook_events = PiccoloWebhookEventRepository(connection)
        self.timeline = PiccoloTimelineRepository(connection)
        self.outbox = PiccoloOutbox(connection)
        self.sent_mail = PiccoloSentMailLog(connection)
        self.admin_users = PiccoloAdminUserRepository(connection)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        tx = self._tx
        assert tx is not None
        self._tx = None
        try:
            if exc is None and not tx._rolled_back:
                # Whatever ran since the last commit() (or all of it, if none) is dropped.
                await tx.rollback()
            # Piccolo's own exit rolls back on an exception and always releases the connection.
            await tx.__aexit__(exc_type, exc, tb)
        except _UNREACHABLE:
            if exc is None:
                raise StorageUnavailable("the database is unavailable") from None
        if exc is not None and not isinstance(exc, DomainError):
            self._translate(exc)

    def _translate(self, exc: BaseException) -> None:
        if isinstance(exc, asyncpg.LockNotAvailableError):
            self._metrics.lock_timeout()
            raise DateBusy("the date") from exc
        if isinstance(exc, asyncpg.SerializationError | asyncpg.DeadlockDetectedError):
            raise TransientFailure("the transaction lost a race; try again") from exc
        if isinstance(exc, _UNREACHABLE):
            raise StorageUnavailable("the database is unavailable") from exc

    async def lock_date(self, date: EventDate) -> None:
        assert self._tx is not None
        locked = await self._tx.connection.fetchval(
            "SELECT pg_try_advisory_xact_lock($1)", date_lock_key(date))
        if not locked:
            self._metrics.lock_timeout()
            raise DateBusy(str(date))

    async def commit(self) -> None:
        """Commit, and go on in a new transaction on the same connection.

        A commit is a checkpoint, as in the memory set: work after it is rolled back at exit
        unless committed again. Left at Piccolo's commit alone, later statements would run in
        autocommit mode (kept without a commit), a second commit() would fail, and an
        exception after a commit would make Piccolo's exit roll back a finished transaction,
        raise before releasing the connection, and leak it from the pool.
        """
        tx = self._tx
        assert tx is not None
        try:
            await tx.commit()
        except _UNREACHABLE as exc:
            raise StorageUnavailable("the database is unavailable") from exc
        try:
            tx.transaction = tx.connection.transaction()
            await tx.begin()
            tx._committed = False
        except _UNREACHABLE:
            # The commit stands; only the next transaction could not begin (the server went
            # away). Nothing is left to roll back: the exit just hands the connection back,
            # and a statement run meanwhile fails on the dead connection by itself.
            tx._rolled_back = True


def piccolo_uow_factory(database: PiccoloDatabase, metrics: Metrics) -> Callable[[], PiccoloUnitOfWork]:
    return lambda: PiccoloUnitOfWork(database, metrics)
