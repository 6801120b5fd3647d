"""A local stand-in for Stripe Checkout: sessions, a pay page, signed webhooks, refunds.

Its webhooks are signed with the configured secret and verified by the same code as real
Stripe's, so everything downstream of the signature runs exactly as in production. Where the
PaymentProvider port makes a promise (metadata limits, unknown ids, idempotent refunds) it
answers as Stripe does; the contract suite runs it and the real adapter side by side.
"""

from __future__ import annotations

import logging
from typing import Any

from adapters.stand_ins import stripe_objects
from adapters.stripe.webhook_verification import signed_event, verify_stripe_webhook
from application.ports.payment import (
    CheckoutRequest,
    CheckoutSession,
    SessionState,
    VerifiedEvent,
)
from domain.errors import NotFound, PaymentProviderFailed

log = logging.getLogger("elope.stand_ins.checkout")

REFUSED = "the payment provider refused the request"


class LocalCheckout:
    """Stripe Checkout in process: `sessions` and `refunds` are there for tests to read, and
    `pay`/`event_for`/`refund_event` give the signed webhooks Stripe would send."""

    def __init__(
        self, webhook_secret: str, pay_page_base: str, *, success_url: str = "",
        cancel_url: str = "",
    ) -> None:
        self.webhook_secret = webhook_secret
        self._pay_page_base = pay_page_base.rstrip("/")
        self._success_url = success_url
        self._cancel_url = cancel_url
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}  # by idempotency key

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        problem = stripe_objects.metadata_problem(request.metadata)
        if problem is not None:
            log.warning("the stand-in refused a checkout session, as Stripe would: %s", problem)
            raise PaymentProviderFailed(REFUSED)
        session_id = stripe_objects.new_object_id("cs")
        url = f"{self._pay_page_base}/v1/dev/checkout/{session_id}"
        self.sessions[session_id] = stripe_objects.checkout_session(
            session_id, url=url, currency=request.currency,
            line_items=[(item.name, item.amount_cents) for item in request.line_items],
            customer_email=request.customer_email,
            expires_at=int(request.expires_at.timestamp()), metadata=request.metadata,
            success_url=self._success_url, cancel_url=self._cancel_url,
        )
        return CheckoutSession(session_id, url, request.expires_at)

    def verify_webhook(self, raw_body: bytes, signature: str | None) -> VerifiedEvent:
        return verify_stripe_webhook(raw_body, signature, self.webhook_secret)

    async def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        if idempotency_key not in self.refunds:
            self.refunds[idempotency_key] = {
                "id": stripe_objects.new_object_id("re"), "payment_intent": payment_intent_id,
                "amount": amount_cents,
            }
        return str(self.refunds[idempotency_key]["id"])

    async def expire_session(self, session_id: str) -> None:
        stripe_objects.expire(self._known(session_id))

    async def retrieve_session(self, session_id: str) -> SessionState:
        session = self._known(session_id)
        return SessionState(session_id, session["status"], session["payment_status"],
                            stripe_objects.api_view(session))

    def session_view(self, session_id: str) -> dict[str, Any]:
        return dict(self._session(session_id))

    def pay(self, session_id: str) -> tuple[bytes, str]:
        """The couple pays: the session completes and Stripe would send this signed event.
        Paying twice gives the same event again (a redelivery)."""
        stripe_objects.settle(self._session(session_id), paid=True)
        return self.event_for(session_id, "checkout.session.completed")

    def event_for(self, session_id: str, event_type: str) -> tuple[bytes, str]:
        payload = stripe_objects.session_event(self._session(session_id), event_type)
        return signed_event(payload, self.webhook_secret)

    def refund_event(self, session_id: str, amount_refunded_cents: int) -> tuple[bytes, str]:
        """The signed `charge.refunded` Stripe sends once `amount_refunded_cents` in total
        has been refunded on the session's payment."""
        payload = stripe_objects.charge_refunded_event(self._session(session_id),
                                                       amount_refunded_cents)
        return signed_event(payload, self.webhook_secret)

    def _session(self, session_id: str) -> dict[str, Any]:
        # NotFound, not PaymentProviderFailed: these helpers serve the dev pay page (a 404).
        session = self.sessions.get(session_id)
        if session is None:
            raise NotFound(f"no checkout session '{session_id}'")
        return session

    def _known(self, session_id: str) -> dict[str, Any]:
        # Stripe answers 404 resource_missing, which the port makes PaymentProviderFailed.
        session = self.sessions.get(session_id)
        if session is None:
            raise PaymentProviderFailed(REFUSED)
        return session
