"""Stripe's side of a payment, as the bench builds it: paid checkout sessions and the signed
`checkout.session.completed` events that announce them (README, "The real preset").

The session metadata comes from the service's own `CheckoutMetadata.to_stripe()`, so the
bench sends exactly what checkout would have put there, and keeps doing so as it changes.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Any

from adapters.stripe.webhook_verification import signed_event
from application.payments.checkout_metadata import CheckoutMetadata
from bench.load import Call, expect_webhook_status
from domain.event_date import EventDate
from domain.money import Money

WEBHOOK_PATH = "/v1/webhooks/stripe"


@dataclass(frozen=True)
class Package:
    """The package every bench booking buys (no add-ons: the total is its price)."""

    id: str
    slug: str
    price_cents: int


def _bench_id(prefix: str) -> str:
    return f"{prefix}_bench_{uuid.uuid4().hex}"


def paid_session(package: Package, day: dt.date) -> dict[str, Any]:
    """A checkout session for `day`, complete and paid, with a payment intent of its own."""
    metadata = CheckoutMetadata(
        package_id=package.id, event_date=EventDate(day), email="couple@bench.example",
        couple_name="Bench Couple", phone=None, add_on_ids=(), add_on_prices=(),
        package_price=Money(package.price_cents), total=Money(package.price_cents),
        traceparent=None, correlation_id=_bench_id("corr"),
    ).to_stripe()
    return {
        "id": _bench_id("cs"), "object": "checkout.session", "mode": "payment",
        "status": "complete", "payment_status": "paid", "amount_total": package.price_cents,
        "currency": "usd", "payment_intent": _bench_id("pi"), "metadata": metadata,
    }


def completed_event(session: dict[str, Any]) -> dict[str, Any]:
    """The `checkout.session.completed` event for a session (one event id per call)."""
    return {"id": _bench_id("evt"), "object": "event", "type": "checkout.session.completed",
            "livemode": False, "created": int(time.time()), "data": {"object": session}}


def webhook_call(event: dict[str, Any], secret: str) -> Call:
    """The delivery of `event`, signed now. Stripe's signatures are good for five minutes, so
    bodies are signed just before the phase that sends them, never at the start of the run;
    a redelivery is the same event signed again, as Stripe does."""
    raw, signature = signed_event(event, secret)
    return Call("POST", WEBHOOK_PATH, raw, (("Stripe-Signature", signature),
                                            ("Content-Type", "application/json")),
                expect_webhook_status("PROCESSED"))


def booking_events(package: Package, days: list[dt.date]) -> list[dict[str, Any]]:
    """One paid session per day, each announced by its own event."""
    return [completed_event(paid_session(package, day)) for day in days]


def session_of(event: dict[str, Any]) -> dict[str, Any]:
    session: dict[str, Any] = event["data"]["object"]
    return session
