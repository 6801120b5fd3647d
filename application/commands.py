"""Commands: what a caller asks Elope to do, each followed by the result its handler returns
(commands without one return nothing, or the domain object they made). Each command carries
the correlation id it was born under."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar

from domain.webhook_event import WebhookStatus


@dataclass(frozen=True)
class Command:
    correlation_id: str = field(default="", kw_only=True)
    # A command that starts a booking: its correlation id becomes the booking's journey id.
    starts_journey: ClassVar[bool] = False
    # A periodic job that mostly finds nothing: no span of its own (its handler makes one
    # for each piece of work it finds), so an idle service exports no trace per poll.
    traced: ClassVar[bool] = True


@dataclass(frozen=True)
class CreateCheckout(Command):
    starts_journey = True

    package_slug: str
    event_date: str
    couple_name: str
    email: str
    phone: str | None
    add_on_ids: tuple[str, ...]
    # Who asked (entrypoints/http/client_address.py): open holds are limited per client.
    client: str = ""


@dataclass(frozen=True)
class CheckoutCreated:
    checkout_url: str
    session_id: str
    expires_at: dt.datetime
    total_cents: int


@dataclass(frozen=True)
class AbandonCheckout(Command):
    """The couple left the provider's checkout page without paying (its cancel URL)."""

    session_id: str


@dataclass(frozen=True)
class RecordStripeEvent(Command):
    raw_body: bytes
    signature: str | None


@dataclass(frozen=True)
class ReplayStripeEvent(Command):
    event_id: str


@dataclass(frozen=True)
class WebhookAck:
    """What a delivery (or a replay) of a Stripe event came to."""

    event_id: str
    status: WebhookStatus
    outcome: str


@dataclass(frozen=True)
class ReplayDeadLetters(Command):
    traced = False  # polled every few seconds; each letter it finds gets its own span


@dataclass(frozen=True)
class DeadLetterReplayed:
    """What became of one entry of the dead-letter queue: `action` is delivered (into the
    inbox, and removed from the queue), kept (to be tried again) or left (unreadable, for a
    person to look at); `detail` says why, in words fit for a log line."""

    name: str
    action: str
    detail: str


@dataclass(frozen=True)
class DeadLetterReport:
    letters: tuple[DeadLetterReplayed, ...] = ()

    def count(self, action: str) -> int:
        return sum(1 for letter in self.letters if letter.action == action)


@dataclass(frozen=True)
class ReconcileHolds(Command):
    traced = False


@dataclass(frozen=True)
class HoldReconciled:
    """What the reconciler did with one hold: `action` is completed, released, kept or
    failed; `detail` says why, in words fit for a log line."""

    session_id: str
    event_date: str
    action: str
    detail: str


@dataclass(frozen=True)
class ReconcileReport:
    holds: tuple[HoldReconciled, ...] = ()

    def count(self, action: str) -> int:
        return sum(1 for h in self.holds if h.action == action)

    @property
    def completed(self) -> int:
        return self.count("completed")

    @property
    def released(self) -> int:
        return self.count("released")

    @property
    def failed(self) -> int:
        return self.count("failed")


@dataclass(frozen=True)
class LogIn(Command):
    email: str
    password: str
    client: str


@dataclass(frozen=True)
class CreateAdmin(Command):
    email: str
    password: str


@dataclass(frozen=True)
class CancelBooking(Command):
    booking_id: str
    refund: bool


@dataclass(frozen=True)
class AddBlackout(Command):
    date: str
    reason: str | None


@dataclass(frozen=True)
class RemoveBlackout(Command):
    blackout_id: str


@dataclass(frozen=True)
class CreatePackage(Command):
    slug: str
    title: str
    description: str
    price_cents: int
    photo_url: str | None


@dataclass(frozen=True)
class RevisePackage(Command):
    package_id: str
    version: int
    slug: str
    title: str
    description: str
    price_cents: int
    photo_url: str | None
    active: bool


@dataclass(frozen=True)
class RemovePackage(Command):
    package_id: str


@dataclass(frozen=True)
class AddAddOn(Command):
    package_id: str
    title: str
    description: str
    price_cents: int
    photo_url: str | None


@dataclass(frozen=True)
class ReviseAddOn(Command):
    add_on_id: str
    title: str
    description: str
    price_cents: int
    photo_url: str | None
    active: bool


@dataclass(frozen=True)
class RemoveAddOn(Command):
    add_on_id: str
