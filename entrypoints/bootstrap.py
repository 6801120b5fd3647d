"""The composition root: the one place a preset's adapters are wired into the bus.

`bootstrap(settings)` gives the preset's real adapters; tests pass fakes for any port by its
name (uow, payments, mailer, calendar, clock, hasher, limiter, metrics, tracing). Handlers
and subscribers get their ports by parameter name (cosmicpython's bootstrap), from one table.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from adapters.argon2_hasher import Argon2Hasher
from adapters.files.dead_letters import FileDeadLetters
from adapters.memory.processors import MemoryProcessors
from adapters.memory.rate_limits import MemoryRateLimiter
from adapters.memory.store import MemoryStore
from adapters.memory.taken_dates import MemoryTakenDates
from adapters.memory.unit_of_work import memory_uow_factory
from adapters.piccolo.cached_taken_dates import CachedTakenDates
from adapters.piccolo.change_notifications import CATALOG, CHANGES_CHANNEL, DATES, ChangeNotifications
from adapters.piccolo.database import PiccoloDatabase
from adapters.piccolo.notification_listener import NotificationListener
from adapters.piccolo.outbox_notifications import OUTBOX_CHANNEL
from adapters.piccolo.processor_lock import ProcessorLock
from adapters.piccolo.rate_limits import PiccoloRateLimiter
from adapters.piccolo.taken_dates import PiccoloTakenDates
from adapters.piccolo.unit_of_work import piccolo_uow_factory
from adapters.stand_ins.local_checkout import LocalCheckout
from adapters.system_clock import SystemClock
from adapters.telemetry.otel_tracing import OtelTracing
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from application.booking_policy import BookingPolicy
from application.cached_read import CachedRead
from application.handlers import COMMAND_HANDLERS
from application.messaging.bus import MessageBus
from application.messaging.event_publisher import EventPublisher
from application.messaging.outbox_relay import OutboxRelay
from application.payments.event_effects import StripeEventEffects
from application.payments.inbox import WebhookInbox
from application.payments.paid_session import PaidSessionCompleter
from application.ports.calendar import CalendarProvider
from application.ports.clock import Clock
from application.ports.mail import Mailer
from application.ports.password_hasher import PasswordHasher
from application.ports.payment import PaymentProvider
from application.ports.processors import Processors
from application.ports.rate_limits import RateLimiter
from application.ports.taken_dates import TakenDatesSource
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWorkFactory
from application.queries.admins import AdminQueries
from application.queries.availability import AvailabilityQueries
from application.queries.blackouts import BlackoutQueries
from application.queries.bookings import BookingQueries
from application.queries.catalog import CatalogQueries
from application.queries.dead_letters import dead_letter_counts
from application.queries.outbox import outbox_lag
from application.queries.webhooks import WebhookQueries
from application.serial_lanes import SerialLanes
from application.subscribers import EVENT_HANDLERS
from domain.catalog import HTTP_OR_HTTPS, HTTPS_ONLY, Package
from entrypoints.integrations import Integrations
from entrypoints.settings import Settings


@dataclass(frozen=True)
class Queries:
    """The read side, as controllers receive it."""

    availability: AvailabilityQueries
    blackouts: BlackoutQueries
    bookings: BookingQueries
    catalog: CatalogQueries
    webhooks: WebhookQueries
    admins: AdminQueries


@dataclass(frozen=True)
class Elope:
    """Everything an entry point needs: the bus for commands, queries for reads, the relay to
    run beside requests, and what the preset must open and close."""

    settings: Settings
    bus: MessageBus
    queries: Queries
    relay: OutboxRelay
    uow: UnitOfWorkFactory
    payments: PaymentProvider
    metrics: PrometheusMetrics
    clock: Clock
    # The real preset's database; None in the mock preset.
    database: PiccoloDatabase | None
    # The mock preset's in-memory store; None in the real preset.
    store: MemoryStore | None
    # Real preset: the one LISTEN connection - wakes the relay for outbox messages other
    # instances commit, and empties the read caches on their changes.
    notifications: NotificationListener | None
    # Stripe, mail and calendar: which adapter each uses, and why.
    integrations: Integrations
    # Per-client budgets (logins, checkouts, webhooks): in PostgreSQL in the real preset, so
    # they hold across instances.
    limiter: RateLimiter

    async def start(self) -> None:
        """Open what the preset needs open (the database pool) before serving."""
        if self.database is not None:
            await self.database.open()

    async def stop(self) -> None:
        await self.integrations.close()
        if self.database is not None:
            await self.database.close()

    async def ready(self) -> bool:
        """Whether the service can do its work: its database answers (always, in memory)."""
        return await self.database.ping() if self.database is not None else True

    @property
    def local_checkout(self) -> LocalCheckout | None:
        """The local Stripe stand-in, when this preset uses it (dev routes need it)."""
        return self.payments if isinstance(self.payments, LocalCheckout) else None


def bootstrap(
    settings: Settings, *, uow: UnitOfWorkFactory | None = None,
    payments: PaymentProvider | None = None, mailer: Mailer | None = None,
    calendar: CalendarProvider | None = None, clock: Clock | None = None,
    hasher: PasswordHasher | None = None, limiter: RateLimiter | None = None,
    metrics: PrometheusMetrics | None = None, tracing: Tracing | None = None,
) -> Elope:
    metrics = metrics or PrometheusMetrics()
    clock = clock or SystemClock()
    tracing = tracing or OtelTracing()
    integrations = Integrations.of(settings, payments=payments, mailer=mailer, calendar=calendar)
    payments = integrations.payments.adapter
    publisher = EventPublisher(tracing, metrics)
    # The relay's wake-up exists before the unit of work that rings it, and the relay needs
    # the unit of work: a late-bound call ties the knot.
    wake: Callable[[], None] = lambda: relay.wake()  # noqa: E731
    policy = BookingPolicy(settings.timezone, settings.booking_horizon_days,
                           settings.checkout_hold_minutes)
    database = store = notifications = None
    catalog_cache: CachedRead[tuple[Package, ...]] | None = None
    taken: TakenDatesSource
    processors: Processors
    if settings.is_mock:
        store = MemoryStore()
        processors = MemoryProcessors(store)
        uow = uow or memory_uow_factory(store, on_outbox_commit=wake, trace=tracing)
        taken = MemoryTakenDates(uow)
        limiter = limiter or MemoryRateLimiter()
    else:
        database = _database(settings)
        metrics.set_pool_reader(database.pool_usage, max_size=settings.db_pool_max)
        processors = lock = ProcessorLock()
        limiter = limiter or PiccoloRateLimiter(database)
        taken, catalog_cache, notifications, changed_here = _kept_reads(settings, database,
                                                                        policy, wake, lock)
        uow = uow or piccolo_uow_factory(database, metrics, on_outbox_commit=wake,
                                         on_change=changed_here, trace=tracing)
    relay = OutboxRelay(uow, publisher, clock, tracing,
                        dt.timedelta(seconds=settings.outbox_lease_seconds))
    metrics.set_outbox_reader(functools.partial(outbox_lag, uow, clock))
    dead_letters = dead_letters_of(settings)
    metrics.set_dead_letter_reader(functools.partial(dead_letter_counts, dead_letters))

    lanes = SerialLanes()
    calendar = integrations.calendar.adapter
    availability = AvailabilityQueries(taken, calendar, clock, policy, metrics)
    completer = PaidSessionCompleter(uow, payments, lanes, clock, metrics, tracing)
    inbox = WebhookInbox(uow, StripeEventEffects(uow, completer, clock, tracing), lanes, clock,
                         policy, metrics, tracing, processors)
    ports: dict[str, Any] = {
        "uow": uow, "payments": payments, "clock": clock, "metrics": metrics, "tracing": tracing,
        "calendar": calendar, "policy": policy, "lanes": lanes, "availability": availability,
        "completer": completer, "inbox": inbox,
        # Photo links an admin may set: https, and plain http only for local trials.
        "photo_schemes": HTTP_OR_HTTPS if settings.is_mock else HTTPS_ONLY,
        "mailer": integrations.mail.adapter, "dead_letters": dead_letters,
        "hasher": hasher or Argon2Hasher(),
        "limiter": limiter, "holds_per_client": settings.holds_per_client,
    }
    for event_type, subscribers in EVENT_HANDLERS.items():
        for subscriber in subscribers:
            publisher.subscribe(event_type, subscriber.__name__, _bind(subscriber, ports))
    bus = MessageBus({command: _bind(handler, ports)
                      for command, handler in COMMAND_HANDLERS.items()}, tracing)
    queries = Queries(availability, BlackoutQueries(uow), BookingQueries(uow),
                      CatalogQueries(uow, catalog_cache), WebhookQueries(uow), AdminQueries(uow))
    return Elope(settings, bus, queries, relay, uow, payments, metrics, clock, database, store,
                 notifications, integrations, limiter)


def _kept_reads(
    settings: Settings, database: PiccoloDatabase, policy: BookingPolicy,
    wake: Callable[[], None], processor: ProcessorLock,
) -> tuple[TakenDatesSource, CachedRead[tuple[Package, ...]] | None, NotificationListener,
           Callable[[], None]]:
    """The real preset's read caches (taken dates, catalog), the one listening connection
    that empties them, wakes the relay and holds this process's liveness lock, and what this
    process's own commits call to empty them at once; a cache of 0 seconds is none at all."""
    source = PiccoloTakenDates(database)
    taken: TakenDatesSource = source
    caches: dict[str, CachedRead[Any]] = {}
    if settings.availability_cache_seconds > 0:
        caches[DATES] = CachedRead(settings.availability_cache_seconds)
        taken = CachedTakenDates(source, policy, caches[DATES])
    catalog: CachedRead[tuple[Package, ...]] | None = None
    if settings.catalog_cache_seconds > 0:
        caches[CATALOG] = catalog = CachedRead(settings.catalog_cache_seconds)
    changes = ChangeNotifications(caches)

    def connected() -> None:
        wake()  # what was committed while nobody listened waits for no sweep
        changes.listening()

    def lost() -> None:
        changes.deaf()
        processor.lost()

    # Its own connection, to PostgreSQL itself: LISTEN and the lock live as long as a session.
    assert settings.session_database_url is not None  # the real preset has DATABASE_URL
    listener = NotificationListener(
        settings.session_database_url,
        {OUTBOX_CHANNEL: lambda _: wake(), CHANGES_CHANNEL: changes.changed},
        on_connect=connected, on_lost=lost, on_session=processor.take)
    # What this process commits (or is refused by a conflict) empties its caches at once;
    # every instance's commits (this one's included) also come back as notifications.
    return taken, catalog, listener, changes.changed_here


def dead_letters_of(settings: Settings) -> FileDeadLetters:
    """The dead-letter queue, sealed with a key derived from the webhook secret: only this
    service (or one that can verify Stripe's signatures anyway) can write a letter replay
    trusts. A letter kept before the secret was rotated is reported, not replayed."""
    key = hashlib.sha256(b"elope dead letters\0" + settings.webhook_secret.encode()).digest()
    return FileDeadLetters(settings.dead_letter_dir, key)


def _database(settings: Settings) -> PiccoloDatabase:
    assert settings.database_url is not None  # the settings refuse the real preset without it
    return PiccoloDatabase(
        settings.database_url.get_secret_value(), pool_min=settings.db_pool_min,
        pool_max=settings.db_pool_max, statement_timeout_ms=settings.db_statement_timeout_ms,
        lock_timeout_ms=settings.db_lock_timeout_ms,
        transaction_pooling=settings.transaction_pooling,
    )


def _bind(function: Callable[..., Awaitable[Any]], ports: dict[str, Any]) -> Any:
    """Inject a handler's or subscriber's ports by keyword-only parameter name."""
    wanted = [name for name, p in inspect.signature(function).parameters.items()
              if p.kind is inspect.Parameter.KEYWORD_ONLY]
    return functools.partial(function, **{name: ports[name] for name in wanted})
