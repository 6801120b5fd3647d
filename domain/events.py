"""Domain events: facts in the past tense. Each carries the correlation id it was born under."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DomainEvent:
    correlation_id: str


@dataclass(frozen=True)
class HoldPlaced(DomainEvent):
    event_date: str
    session_id: str
    expires_at: str


@dataclass(frozen=True)
class HoldReleased(DomainEvent):
    event_date: str
    session_id: str
    why: str


@dataclass(frozen=True)
class BookingPaid(DomainEvent):
    booking_id: str
    event_date: str
    email: str
    couple_name: str
    total_cents: int


@dataclass(frozen=True)
class PaidDateConflictRefunded(DomainEvent):
    """A couple paid for a date that was taken meanwhile; their money went back."""

    session_id: str
    event_date: str
    email: str
    couple_name: str
    amount_cents: int
    refund_id: str


@dataclass(frozen=True)
class BookingRefunded(DomainEvent):
    booking_id: str
    event_date: str


@dataclass(frozen=True)
class BookingCanceled(DomainEvent):
    booking_id: str
    event_date: str
    refunded: bool


EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        HoldPlaced, HoldReleased, BookingPaid, PaidDateConflictRefunded, BookingRefunded,
        BookingCanceled,
    )
}
