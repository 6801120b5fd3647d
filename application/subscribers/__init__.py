"""What happens after an event: `async def (event, *, ports...)` functions whose ports
bootstrap binds by name, as it binds handlers. Each is idempotent: the outbox may deliver an
event more than once. EVENT_HANDLERS lists, for each event type, the subscribers it wakes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from application.subscribers.calendar import mark_calendar_busy
from application.subscribers.email_couple import email_couple
from domain.events import BookingCanceled, BookingPaid, BookingRefunded, DomainEvent, PaidSessionRefunded

EVENT_HANDLERS: dict[type[DomainEvent], list[Callable[..., Any]]] = {
    BookingPaid: [email_couple, mark_calendar_busy],
    BookingCanceled: [email_couple],
    BookingRefunded: [email_couple],
    PaidSessionRefunded: [email_couple],
}
