"""Stripe-Signature verification with the official library, shared by the real adapter and
the local fake, so the fake cannot be more lenient than production.

The library only refuses timestamps too far in the past; one too far in the future is
refused here, so a signature made with a skewed (or forged) clock cannot stay replayable for
longer than the tolerance.

A signed body is still refused (422, nothing recorded) when it is not a usable Stripe event:
not UTF-8, nested deeper than any event (the parser would recurse until RecursionError), a
string PostgreSQL cannot store (a lone surrogate escape), or an id or type no column holds."""

from __future__ import annotations

import json
import logging
import re
import time

import msgspec
import stripe

from adapters.json_limits import MAX_JSON_DEPTH, nested_too_deep
from application.ports.payment import VerifiedEvent
from domain.errors import WebhookRejected

TOLERANCE_SECONDS = 300
# Event ids and types are stored in varchar(255) columns; Stripe's are a few dozen characters.
MAX_NAME = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

log = logging.getLogger("elope.webhooks")


def verify_stripe_webhook(raw_body: bytes, signature: str | None, secret: str) -> VerifiedEvent:
    try:
        return _verified(raw_body, signature, secret)
    except WebhookRejected as exc:
        # One line per refused delivery, with the reason: never the Stripe-Signature header
        # (a valid one replays within the tolerance) nor the unverified body.
        log.info("stripe webhook refused", extra={"reason": exc.message})
        raise


def _verified(raw_body: bytes, signature: str | None, secret: str) -> VerifiedEvent:
    if not signature:
        raise WebhookRejected("the Stripe-Signature header is missing")
    try:
        # Stripe signs UTF-8 text; the library would decode the bytes itself, and raise.
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookRejected("the payload is not UTF-8 text") from None
    try:
        stripe.WebhookSignature.verify_header(text, signature, secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError:
        raise WebhookRejected("the Stripe-Signature does not match this payload") from None
    if _signed_at(signature) > time.time() + TOLERANCE_SECONDS:
        raise WebhookRejected("the Stripe-Signature timestamp is in the future")
    if nested_too_deep(raw_body):
        raise WebhookRejected(f"the payload is nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        # msgspec, unlike the json module, refuses a lone surrogate escape ("\ud800"): a
        # string no UTF-8 column, log line or response can hold.
        payload = msgspec.json.decode(raw_body)
        event_id = payload["id"]
        event_type = payload["type"]
        data_object = payload["data"]["object"]
    except (msgspec.DecodeError, KeyError, TypeError):
        raise WebhookRejected("the payload is not a Stripe event") from None
    if not (_storable_name(event_id) and _storable_name(event_type)
            and isinstance(data_object, dict)):
        raise WebhookRejected("the payload is not a Stripe event")
    return VerifiedEvent(event_id, event_type, data_object, text)


def _storable_name(value: object) -> bool:
    return (isinstance(value, str) and 0 < len(value) <= MAX_NAME
            and not _CONTROL.search(value))


def _signed_at(signature: str) -> int:
    # Read the way the library reads it (the first exact `t=` item), so both judge one value.
    for item in signature.split(","):
        parts = item.split("=", 2)
        if parts[0] == "t" and len(parts) > 1:
            try:
                return int(parts[1])
            except ValueError:
                break
    raise WebhookRejected("the Stripe-Signature has no timestamp")


def signed_event(payload: dict[str, object], secret: str) -> tuple[bytes, str]:
    """Serialize an event and sign it as Stripe would (for the fake and for tests)."""
    raw = json.dumps(payload, separators=(",", ":"))
    return raw.encode(), stripe.WebhookSignature.generate_signature_header(raw, secret)
