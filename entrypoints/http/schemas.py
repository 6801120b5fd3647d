"""Wire types: msgspec Structs, camelCase on the wire, separate read and write types."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from domain.blackout import Blackout
from domain.booking import Booking
from domain.catalog import AddOn, Package
from domain.timeline import TimelineEntry
from domain.webhook_event import WebhookEvent
from entrypoints.http.input_types import (
    Cents,
    Date,
    Description,
    PhotoUrl,
    Slug,
    Title,
    WholeNumber,
    WireInput,
    text,
)


class Wire(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    pass


def utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


# ---- reads ---------------------------------------------------------------------------------


class AddOnRead(Wire):
    id: str
    package_id: str
    title: str
    description: str
    price_cents: int
    photo_url: str | None

    @classmethod
    def of(cls, a: AddOn) -> AddOnRead:
        return cls(a.id, a.package_id, a.title, a.description, a.price.cents, a.photo_url)


class PackageRead(Wire):
    id: str
    slug: str
    title: str
    description: str
    price_cents: int
    photo_url: str | None
    version: int
    add_ons: list[AddOnRead]

    @classmethod
    def of(cls, p: Package) -> PackageRead:
        return cls(
            p.id,
            p.slug,
            p.title,
            p.description,
            p.price.cents,
            p.photo_url,
            p.version,
            [AddOnRead.of(a) for a in p.active_add_ons],
        )


class BookedAddOnRead(Wire):
    add_on_id: str
    title: str
    unit_price_cents: int


class BookingRead(Wire):
    id: str
    package_id: str
    couple_name: str
    email: str
    phone: str | None
    event_date: str
    add_ons: list[BookedAddOnRead]
    total_cents: int
    status: str
    created_at: str

    @classmethod
    def of(cls, b: Booking) -> BookingRead:
        return cls(
            b.id,
            b.package_id,
            b.couple_name,
            b.email,
            b.phone,
            str(b.event_date),
            [BookedAddOnRead(a.add_on_id, a.title, a.unit_price.cents) for a in b.add_ons],
            b.total.cents,
            b.status.value,
            utc(b.created_at),
        )


class BookingPageRead(Wire):
    items: list[BookingRead]
    next_cursor: str | None


class AvailabilityRead(Wire):
    date: str
    available: bool
    reason: str | None


class UnavailableDateRead(Wire):
    date: str
    reason: str


class CheckoutRead(Wire):
    checkout_url: str
    session_id: str
    expires_at: str
    total_cents: int


class WebhookAckRead(Wire):
    received: bool
    event_id: str
    status: str


class TokenRead(Wire):
    token: str


class BlackoutRead(Wire):
    id: str
    date: str
    reason: str | None

    @classmethod
    def of(cls, b: Blackout) -> BlackoutRead:
        return cls(b.id, str(b.date), b.reason)


class TimelineEntryRead(Wire):
    at: str
    kind: str
    detail: str
    correlation_id: str
    # The trace to open in a tracing UI (null when nothing was traced), and the Stripe event
    # whose delivery the entry records.
    trace_id: str | None
    stripe_event_id: str | None

    @classmethod
    def of(cls, e: TimelineEntry) -> TimelineEntryRead:
        return cls(utc(e.at), e.kind.value, e.detail, e.correlation_id, e.trace_id,
                   e.stripe_event_id)


class WebhookEventRead(Wire):
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_error: str | None
    created_at: str
    processed_at: str | None

    @classmethod
    def of(cls, e: WebhookEvent) -> WebhookEventRead:
        return cls(
            e.event_id,
            e.event_type,
            e.status.value,
            e.attempts,
            e.last_error,
            utc(e.created_at),
            utc(e.processed_at) if e.processed_at else None,
        )


class WebhookPageRead(Wire):
    items: list[WebhookEventRead]
    next_cursor: str | None


class HealthRead(Wire):
    status: str


# ---- writes --------------------------------------------------------------------------------


class CheckoutCreate(WireInput, forbid_unknown_fields=False):
    package_slug: Slug
    event_date: Date
    couple_name: Annotated[str, text(1, 200)]
    email: Annotated[str, text(3, 254)]
    phone: Annotated[str, text(0, 40)] | None = None
    add_on_ids: list[Annotated[str, text(1, 255)]] = msgspec.field(default_factory=list)


class LoginCreate(WireInput):
    email: Annotated[str, text(0, 254)]
    password: Annotated[str, text(0, 1024)]


class CancelCreate(WireInput):
    refund: bool = False


class BlackoutCreate(WireInput):
    date: Date
    reason: Annotated[str, text(0, 500, paragraphs=True)] | None = None


class PackageCreate(WireInput):
    slug: Slug
    title: Title
    description: Description
    price_cents: Cents
    photo_url: PhotoUrl | None = None


class PackageUpdate(WireInput):
    slug: Slug
    title: Title
    description: Description
    price_cents: Cents
    version: WholeNumber
    photo_url: PhotoUrl | None = None
    active: bool = True


class AddOnWrite(WireInput):
    title: Title
    description: Description
    price_cents: Cents
    photo_url: PhotoUrl | None = None
    active: bool = True


class SimulateCheckoutCreate(WireInput):
    session_id: Annotated[str, text(1, 255)]
