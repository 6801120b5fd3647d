"""A local stand-in for Stripe Checkout: sessions, a pay page, signed webhooks, refunds.

Its webhooks are signed with the configured secret and verified by the same code as real
Stripe's, so everything downstream of the signature runs exactly as in production.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from adapters.stripe.webhook_verification import signed_event, verify_stripe_webhook
from application.ports.payment import (
    CheckoutRequest,
    CheckoutSession,
    SessionState,
    VerifiedEvent,
)
from domain.errors import Conflict, NotFound


class LocalCheckout:
    def __init__(self, webhook_secret: str, pay_page_base: str) -> None:
        self.webhook_secret = webhook_secret
        self._pay_page_base = pay_page_base.rstrip("/")
        self.sessions: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}  # by idempotency key

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        session_id = f"cs_test_{uuid.uuid4().hex}"
        url = f"{self._pay_page_base}/v1/dev/checkout/{session_id}"
        self.sessions[session_id] = {
            "id": session_id, "object": "checkout.session", "status": "open",
            "payment_status": "unpaid", "url": url, "customer_email": request.customer_email,
            "amount_total": sum(item.amount_cents for item in request.line_items),
            "currency": "usd", "expires_at": int(request.expires_at.timestamp()),
            "metadata": dict(request.metadata), "payment_intent": None,
            "line_items": [{"name": i.name, "amount": i.amount_cents} for i in request.line_items],
        }
        return CheckoutSession(session_id, url, request.expires_at)

    def verify_webhook(self, raw_body: bytes, signature: str | None) -> VerifiedEvent:
        return verify_stripe_webhook(raw_body, signature, self.webhook_secret)

    async def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        if idempotency_key not in self.refunds:
            self.refunds[idempotency_key] = {
                "id": f"re_test_{uuid.uuid4().hex}", "payment_intent": payment_intent_id,
                "amount": amount_cents,
            }
        return str(self.refunds[idempotency_key]["id"])

    async def expire_session(self, session_id: str) -> None:
        session = self.sessions.get(session_id)
        if session is not None and session["status"] == "open":
            session["status"] = "expired"

    async def retrieve_session(self, session_id: str) -> SessionState:
        session = self._session(session_id)
        return SessionState(session_id, session["status"], session["payment_status"],
                            dict(session))

    def session_view(self, session_id: str) -> dict[str, Any]:
        return dict(self._session(session_id))

    def pay(self, session_id: str) -> tuple[bytes, str]:
        """The couple pays: the session completes and Stripe would send this signed event.
        Paying twice gives the same event again (a redelivery)."""
        session = self._session(session_id)
        if session["status"] == "expired":
            raise Conflict(f"checkout session {session_id} has expired")
        if session["status"] == "open":
            session.update(status="complete", payment_status="paid",
                           payment_intent=f"pi_test_{uuid.uuid4().hex}")
        return self.event_for(session_id, "checkout.session.completed")

    def event_for(self, session_id: str, event_type: str) -> tuple[bytes, str]:
        session = self._session(session_id)
        return signed_event({
            "id": f"evt_test_{event_type.rsplit('.', 1)[-1]}_{session_id}",
            "object": "event", "type": event_type, "created": int(time.time()),
            "data": {"object": dict(session)},
        }, self.webhook_secret)

    def _session(self, session_id: str) -> dict[str, Any]:
        session = self.sessions.get(session_id)
        if session is None:
            raise NotFound(f"no checkout session '{session_id}'")
        return session
