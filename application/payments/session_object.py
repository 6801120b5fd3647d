"""What a provider's paid checkout session says: the `PaidSession` to book, checked - or, when
its metadata cannot be used (a value PostgreSQL cannot store, an over-long name, a malformed
field) but Elope's own checkout held the date for it, the `PaidSession` to refund.

SPEC §4 rejects invalid metadata (FAILED, 422) - right for a session that names nothing Elope
sold. But when a hold exists, the couple paid Elope for that date, and no retry will make the
metadata usable: rejecting would leave them paid, unbooked and unrefunded forever. So such a
session is refunded, from what the hold knows (date, package, journey) and the amount charged,
and the couple is told - when their email address is among what can still be used."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.payments.checkout_metadata import CheckoutMetadata
from domain.customer import normalize_couple_name, normalize_email
from domain.errors import ValidationFailed, WebhookRejected
from domain.hold import DateHold
from domain.money import CURRENCY, Money
from domain.paid_session import PaidSession
from domain.text import shown, unstorable


def paid_session_from(session: Mapping[str, Any], correlation_id: str) -> PaidSession:
    """The provider's session object, checked; anything unusable is `WebhookRejected`. Its
    journey is the checkout's correlation id, or `correlation_id` for a session that does not
    name one (not made by Elope's checkout)."""
    session_id = str(session.get("id") or "")
    if not session_id:
        raise WebhookRejected("checkout session has no id")
    meta = CheckoutMetadata.from_stripe(session.get("metadata"))
    amount = session.get("amount_total")
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int)):
        # Stripe sends whole cents or null; anything else is no amount to book or refund.
        raise WebhookRejected("amount_total is not a whole number of cents")
    charged = meta.total.cents if amount is None else amount
    try:
        total = Money(charged)
    except ValidationFailed:
        raise WebhookRejected(f"amount_total {charged} is not a usable amount") from None
    payment_intent = session.get("payment_intent")
    return PaidSession(
        session_id=session_id, package_id=meta.package_id, event_date=meta.event_date,
        email=meta.email, couple_name=meta.couple_name, phone=meta.phone, amount=total,
        payment_intent_id=str(payment_intent) if payment_intent else None,
        journey_id=meta.correlation_id or correlation_id, add_on_ids=meta.add_on_ids,
        add_on_prices=meta.add_on_prices, priced=meta.total,
        currency=_currency(session.get("currency")),
    )


# Who the apology is addressed to when the name itself is what cannot be used.
ANONYMOUS_COUPLE = "couple"


def held_session_id(session: Mapping[str, Any]) -> str | None:
    """The session id to look a hold up by; None when no hold can have it (it could not have
    been stored)."""
    session_id = session.get("id")
    if not isinstance(session_id, str) or not session_id or len(session_id) > 255:
        return None
    return None if unstorable(session_id) else session_id


def salvaged(session: Mapping[str, Any], hold: DateHold, rejected: WebhookRejected) -> PaidSession:
    """The paid session to refund. Raises `rejected` when even a refund cannot be made (no
    payment intent, no usable amount charged)."""
    amount, payment_intent = session.get("amount_total"), session.get("payment_intent")
    if not isinstance(payment_intent, str) or not payment_intent or unstorable(payment_intent):
        raise rejected
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise rejected
    try:
        charged = Money(amount)
    except ValidationFailed:
        raise rejected from None
    metadata = session.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    return PaidSession(
        session_id=hold.session_id, package_id=hold.package_id, event_date=hold.event_date,
        email=_usable(normalize_email, metadata.get("email")) or "",
        couple_name=_usable(normalize_couple_name, metadata.get("coupleName")) or ANONYMOUS_COUPLE,
        phone=None, amount=charged, payment_intent_id=payment_intent,
        journey_id=hold.correlation_id, priced=charged,
        currency=_currency(session.get("currency")),
    )


def _currency(value: Any) -> str:
    # Compared with ours, and quoted on the timeline when it differs: escaped, so it can be.
    return shown(value.lower(), 10) if isinstance(value, str) and value else CURRENCY


def _usable(normalize: Any, value: Any) -> str | None:
    try:
        return str(normalize(value))
    except (ValidationFailed, AttributeError, TypeError):
        return None
