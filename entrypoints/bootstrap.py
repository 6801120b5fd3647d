"""The composition root: the one place a preset's adapters are wired into the bus.

Tests call the same function with fakes in `overrides` (by port name: uow, payments, mailer,
calendar, clock, hasher, throttle, metrics, tracing).
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from dataclasses import dataclass
from typing import Any

from adapters.argon2_hasher import Argon2Hasher
from adapters.memory.login_throttle import MemoryLoginThrottle
from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import memory_uow_factory
from adapters.piccolo.database import PiccoloDatabase
from adapters.piccolo.unit_of_work import piccolo_uow_factory
from adapters.stand_ins.file_mail_sink import FileMailSink
from adapters.stand_ins.local_checkout import LocalCheckout
from adapters.stand_ins.mock_calendar import MockCalendar
from adapters.system_clock import SystemClock
from adapters.telemetry.otel_tracing import OtelTracing
from adapters.telemetry.prometheus_metrics import PrometheusMetrics
from application.booking_policy import BookingPolicy
from application.handlers import COMMAND_HANDLERS
from application.messaging.bus import MessageBus
from application.messaging.event_publisher import EventPublisher
from application.messaging.outbox_relay import OutboxRelay
from application.payments.event_effects import StripeEventEffects
from application.payments.inbox import WebhookInbox
from application.payments.paid_session import PaidSessionCompleter
from application.ports.clock import Clock
from application.ports.payment import PaymentProvider
from application.ports.unit_of_work import UnitOfWorkFactory
from application.queries.availability import AvailabilitySources
from application.serial_lanes import SerialLanes
from application.subscribers import booking_subscribers
from entrypoints.settings import Settings


@dataclass
class Elope:
    """Everything an entry point needs: the bus for commands, the rest for reads."""

    settings: Settings
    bus: MessageBus
    uow: UnitOfWorkFactory
    availability: AvailabilitySources
    payments: PaymentProvider
    metrics: PrometheusMetrics
    clock: Clock
    adapters: dict[str, Any]

    async def start(self) -> None:
        """Open what the preset needs open (the database pool) before serving."""
        database = self.adapters.get("database")
        if database is not None:
            await database.open()

    async def stop(self) -> None:
        database = self.adapters.get("database")
        if database is not None:
            await database.close()

    @property
    def local_checkout(self) -> LocalCheckout | None:
        """The local Stripe stand-in, when this preset uses it (dev routes need it)."""
        return self.payments if isinstance(self.payments, LocalCheckout) else None


def _shared_adapters(settings: Settings) -> dict[str, Any]:
    """What both presets use today. Payment, mail and calendar keep their local stand-ins
    until their real adapters land; nothing in the wiring assumes which one it gets."""
    return {
        "payments": LocalCheckout(settings.webhook_secret, settings.base_url),
        "mailer": FileMailSink(settings.mail_sink_dir, settings.postmark_from_email),
        "calendar": MockCalendar(settings.mock_busy_dates),
        "clock": SystemClock(),
        "hasher": Argon2Hasher(),
        "throttle": MemoryLoginThrottle(max_failures=5, window_seconds=15 * 60),
        "tracing": OtelTracing(),
    }


def _mock_adapters(settings: Settings) -> dict[str, Any]:
    store = MemoryStore()
    return {**_shared_adapters(settings), "store": store, "uow": memory_uow_factory(store)}


def _real_adapters(settings: Settings, metrics: PrometheusMetrics) -> dict[str, Any]:
    assert settings.database_url is not None  # the settings refuse the real preset without it
    database = PiccoloDatabase(
        settings.database_url.get_secret_value(), pool_min=settings.db_pool_min,
        pool_max=settings.db_pool_max, statement_timeout_ms=settings.db_statement_timeout_ms,
        lock_timeout_ms=settings.db_lock_timeout_ms,
    )
    metrics.set_pool_reader(database.pool_usage)
    return {
        **_shared_adapters(settings),
        "database": database,
        "readiness": database.ping,
        "uow": piccolo_uow_factory(database, metrics),
    }


def bootstrap(settings: Settings, **overrides: Any) -> Elope:
    metrics = overrides.get("metrics") or PrometheusMetrics()
    preset = _mock_adapters(settings) if settings.is_mock else _real_adapters(settings, metrics)
    ports = {**preset, "metrics": metrics, **overrides}
    policy = BookingPolicy(settings.timezone, settings.booking_horizon_days,
                           settings.checkout_hold_minutes)
    lanes = SerialLanes()
    availability = AvailabilitySources(ports["uow"], ports["calendar"], ports["clock"], policy)
    completer = PaidSessionCompleter(ports["uow"], ports["payments"], lanes, ports["clock"],
                                     ports["metrics"])
    effects = StripeEventEffects(ports["uow"], completer, ports["clock"])
    inbox = WebhookInbox(ports["uow"], effects, lanes, ports["clock"], policy,
                         ports["metrics"], ports["tracing"])
    dependencies = {**ports, "policy": policy, "lanes": lanes, "availability": availability,
                    "completer": completer, "inbox": inbox}

    publisher = EventPublisher(ports["tracing"], ports["metrics"])
    subscribers = booking_subscribers(ports["uow"], ports["mailer"], ports["calendar"],
                                      ports["clock"])
    for event_type, listeners in subscribers.items():
        for subscriber in listeners:
            publisher.subscribe(event_type, subscriber)
    relay = OutboxRelay(ports["uow"], publisher, ports["clock"],
                        dt.timedelta(seconds=settings.outbox_lease_seconds))
    handlers = {command: _bind(handler, dependencies)
                for command, handler in COMMAND_HANDLERS.items()}
    bus = MessageBus(handlers, relay, ports["tracing"])
    return Elope(settings, bus, ports["uow"], availability, ports["payments"],
                 ports["metrics"], ports["clock"], ports)


def _bind(handler: Any, dependencies: dict[str, Any]) -> Any:
    """Inject a handler's ports by parameter name (cosmicpython's bootstrap)."""
    wanted = [name for name, p in inspect.signature(handler).parameters.items()
              if p.kind is inspect.Parameter.KEYWORD_ONLY]
    return functools.partial(handler, **{name: dependencies[name] for name in wanted})
