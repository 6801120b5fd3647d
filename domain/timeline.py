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
    correlation_id: str
