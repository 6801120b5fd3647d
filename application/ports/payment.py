from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class LineItem:
    name: str
    amount_cents: int


@dataclass(frozen=True)
class CheckoutRequest:
    line_items: tuple[LineItem, ...]
    customer_email: str
    expires_at: dt.datetime
    metadata: Mapping[str, str]


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
    data_object: Mapping[str, Any]


class PaymentProvider(Protocol):
    """Stripe, or the local fake of it. Every call is safe to retry."""

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        """Raises `PaymentProviderUnavailable` when the provider cannot be reached."""

    def verify_webhook(self, raw_body: bytes, signature: str | None) -> VerifiedEvent:
        """Check the signature on the exact raw bytes; raises `WebhookRejected`."""

    async def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        """Refund a payment; the same key never pays out twice. Returns the refund id."""

    async def expire_session(self, session_id: str) -> None:
        """Close an open session so it can no longer be paid. No-op when already closed."""

    async def retrieve_session(self, session_id: str) -> SessionState: ...
