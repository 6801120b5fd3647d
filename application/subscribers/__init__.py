"""What happens after an event: `async def (event, *, ports...)` functions whose ports
bootstrap binds by name, as it binds handlers. Each is idempotent: the outbox may deliver an
event more than once. EVENT_HANDLERS lists, for each event type, the subscribers it wakes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from application.subscribers.calendar import block_calendar_day, free_calendar_day
from application.subscribers.email_couple import email_couple
from domain.events import BookingCanceled, BookingPaid, BookingRefunded, DomainEvent, PaidSessionRefunded

EVENT_HANDLERS: dict[type[DomainEvent], list[Callable[..., Any]]] = {
    BookingPaid: [email_couple, block_calendar_day],
    BookingCanceled: [email_couple, free_calendar_day],
    BookingRefunded: [email_couple, free_calendar_day],
    PaidSessionRefunded: [email_couple],
}
