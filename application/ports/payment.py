from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from domain.money import CURRENCY


@dataclass(frozen=True)
class LineItem:
    name: str
    amount_cents: int


@dataclass(frozen=True)
class CheckoutRequest:
    line_items: tuple[LineItem, ...]
    customer_email: str
    expires_at: dt.datetime
    # At most 50 keys of at most 40 characters, each value at most 500 characters (Stripe's
    # limits, which the stand-in enforces too).
    metadata: Mapping[str, str]
    currency: str = CURRENCY


@dataclass(frozen=True)
class CheckoutSession:
    session_id: str
    url: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class VerifiedEvent:
    """A provider event whose signature checked out. `data_object` is Stripe's `data.object`."""

    event_id: str
    event_type: str
    data_object: Mapping[str, Any]
    raw_payload: str


@dataclass(frozen=True)
class SessionState:
    """What the provider says of a checkout session now (for the reconciler)."""

    session_id: str
    status: str  # open | complete | expired
    payment_status: str  # paid | unpaid | no_payment_required
    # Stripe's session object as plain data: id, amount_total, currency, metadata,
    # payment_intent, ... - the same shape a webhook's `data.object` has.
    data_object: Mapping[str, Any]


class PaymentProvider(Protocol):
    """Stripe, or the local stand-in for it. Every call is safe to retry.

    Failures are `PaymentProviderUnavailable` (could not reach it, timed out, rate limited:
    try later) or `PaymentProviderFailed` (it refused: bad request, authentication, unknown
    session); neither carries the provider's own words into a response.
    """

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        """Open a hosted checkout: a line item per package and add-on, the couple's email,
        the metadata, closing at `expires_at`; its `url` is where the couple pays."""

    def verify_webhook(self, raw_body: bytes, signature: str | None) -> VerifiedEvent:
        """Check the signature on the exact raw bytes (300 s tolerance, past or future);
        raises `WebhookRejected`."""

    async def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        """Refund a payment; the same key never pays out twice. Returns the refund id."""

    async def expire_session(self, session_id: str) -> None:
        """Close an open session so it can no longer be paid. No-op when already closed."""

    async def retrieve_session(self, session_id: str) -> SessionState:
        """The session as the provider sees it now; an unknown id is `PaymentProviderFailed`."""
