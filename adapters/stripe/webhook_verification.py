"""Stripe-Signature verification with the official library, shared by the real adapter and
the local fake, so the fake cannot be more lenient than production.

The library only refuses timestamps too far in the past; one too far in the future is
refused here, so a signature made with a skewed (or forged) clock cannot stay replayable for
longer than the tolerance."""

from __future__ import annotations

import json
import logging
import time

import stripe

from application.ports.payment import VerifiedEvent
from domain.errors import WebhookRejected

TOLERANCE_SECONDS = 300

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
        stripe.WebhookSignature.verify_header(raw_body, signature, secret, TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError:
        raise WebhookRejected("the Stripe-Signature does not match this payload") from None
    if _signed_at(signature) > time.time() + TOLERANCE_SECONDS:
        raise WebhookRejected("the Stripe-Signature timestamp is in the future")
    try:
        payload = json.loads(raw_body)
        event_id = payload["id"]
        event_type = payload["type"]
        data_object = payload["data"]["object"]
    except (ValueError, KeyError, TypeError):
        raise WebhookRejected("the payload is not a Stripe event") from None
    if not (isinstance(event_id, str) and isinstance(event_type, str)
            and isinstance(data_object, dict)):
        raise WebhookRejected("the payload is not a Stripe event")
    return VerifiedEvent(event_id, event_type, data_object, raw_body.decode("utf-8", "replace"))


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
