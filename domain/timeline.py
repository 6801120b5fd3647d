"""What happened to one checkout and its booking, for the admin's timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class TimelineKind(StrEnum):
    CHECKOUT = "checkout"
    WEBHOOK = "webhook"
    STATUS = "status"
    EMAIL = "email"
    REFUND = "refund"
    HOLD = "hold"
    CALENDAR = "calendar"


@dataclass(frozen=True)
class TimelineEntry:
    session_id: str
    at: dt.datetime
    kind: TimelineKind
    detail: str
    # The request (or job) that did it; its trace, to open the entry in a tracing UI; the
    # Stripe event whose delivery it records, where there is one.
    correlation_id: str
    trace_id: str | None = None
    stripe_event_id: str | None = None
