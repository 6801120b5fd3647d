"""Stripe's checkout session, charge and event objects as plain data.

Built here once for the in-process stand-in and for the tests' Stripe-compatible HTTP fake,
so the two cannot drift apart, and both hand the application the fields it reads off real
Stripe objects (id, status, payment_status, amount_total, currency, metadata, payment_intent).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from domain.errors import Conflict

# Stripe answers 400 to metadata beyond these (its documented limits, in characters).
METADATA_MAX_KEYS = 50
METADATA_KEY_MAX_CHARS = 40
METADATA_VALUE_MAX_CHARS = 500


def new_object_id(prefix: str) -> str:
    return f"{prefix}_test_{uuid.uuid4().hex}"


def metadata_problem(metadata: Mapping[str, str]) -> str | None:
    """Why Stripe would refuse this metadata, or None when it would take it."""
    if len(metadata) > METADATA_MAX_KEYS:
        return f"metadata can have at most {METADATA_MAX_KEYS} keys, not {len(metadata)}"
    for key, value in metadata.items():
        if len(key) > METADATA_KEY_MAX_CHARS:
            return f"metadata key '{key[:20]}...' is longer than {METADATA_KEY_MAX_CHARS} characters"
        if len(value) > METADATA_VALUE_MAX_CHARS:
            return f"metadata '{key}' is longer than {METADATA_VALUE_MAX_CHARS} characters"
    return None


def checkout_session(
    session_id: str, *, url: str, line_items: Iterable[tuple[str, int]], currency: str,
    customer_email: str | None, expires_at: int, metadata: Mapping[str, str],
    success_url: str, cancel_url: str,
) -> dict[str, Any]:
    """A new open, unpaid session. `line_items` are (name, amount in cents) pairs; they stay
    on the record for inspection (the dev pay page, tests) but not in the API view."""
    pairs = list(line_items)
    items = [{"name": name, "amount": amount} for name, amount in pairs]
    total = sum(amount for _, amount in pairs)
    return {
        "id": session_id, "object": "checkout.session", "mode": "payment", "livemode": False,
        "created": int(time.time()), "status": "open", "payment_status": "unpaid", "url": url,
        "customer_email": customer_email, "amount_subtotal": total, "amount_total": total,
        "currency": currency, "expires_at": expires_at, "metadata": dict(metadata),
        "payment_intent": None, "success_url": success_url, "cancel_url": cancel_url,
        "line_items": items,
    }


def api_view(session: Mapping[str, Any]) -> dict[str, Any]:
    """The session as Stripe's API and webhooks show it: line items appear only when expanded,
    which this project never asks for, so nothing downstream may come to depend on them."""
    view = {key: value for key, value in session.items() if key != "line_items"}
    view["metadata"] = dict(session["metadata"])
    return view


def settle(session: dict[str, Any], *, paid: bool) -> None:
    """The couple finished checkout: paid, or (`paid=False`) with an asynchronous payment
    still pending. Settling again changes nothing it already did; expired cannot be paid."""
    if session["status"] == "expired":
        raise Conflict(f"checkout session {session['id']} has expired")
    if session["status"] == "open":
        session.update(status="complete", payment_intent=new_object_id("pi"))
    if paid:
        session["payment_status"] = "paid"


def expire(session: dict[str, Any]) -> bool:
    """Close an open session; False when it was no longer open (Stripe refuses that)."""
    if session["status"] != "open":
        return False
    session["status"] = "expired"
    return True


def session_event(session: Mapping[str, Any], event_type: str) -> dict[str, Any]:
    # One id per (type, session): a second call is a redelivery of the same event.
    suffix = event_type.rsplit(".", 1)[-1]
    return _event(f"evt_test_{suffix}_{session['id']}", event_type, api_view(session))


def charge_refunded_event(session: Mapping[str, Any], amount_refunded_cents: int) -> dict[str, Any]:
    """`charge.refunded` for the session's payment, `amount_refunded_cents` refunded so far."""
    intent = session["payment_intent"]
    if session["payment_status"] != "paid" or not intent:
        raise Conflict(f"checkout session {session['id']} has not been paid")
    amount = int(session["amount_total"])
    charge = {
        "id": "ch_" + str(intent).removeprefix("pi_"), "object": "charge",
        "payment_intent": intent, "amount": amount, "amount_refunded": amount_refunded_cents,
        "refunded": amount_refunded_cents >= amount, "currency": session["currency"],
    }
    event_id = f"evt_test_refunded_{amount_refunded_cents}_{session['id']}"
    return _event(event_id, "charge.refunded", charge)


def _event(event_id: str, event_type: str, data_object: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": event_id, "object": "event", "type": event_type, "livemode": False,
        "created": int(time.time()), "data": {"object": data_object},
    }
