"""The PaymentProvider port on Stripe Checkout, through the official library's async client."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Awaitable
from typing import TypeVar
from urllib.parse import urlsplit

import stripe
from stripe.params.checkout import SessionCreateParams

from adapters.stripe.webhook_verification import verify_stripe_webhook
from application.ports.payment import (
    CheckoutRequest,
    CheckoutSession,
    SessionState,
    VerifiedEvent,
)
from domain.errors import PaymentProviderFailed, PaymentProviderUnavailable

log = logging.getLogger("elope.stripe")

T = TypeVar("T")

REFUSED = "the payment provider refused the request"
UNREACHABLE = "the payment provider could not be reached; try again later"


def provider_error(
    operation: str, err: stripe.StripeError,
) -> PaymentProviderUnavailable | PaymentProviderFailed:
    """The domain error for a Stripe failure, logged with the class and request id only:
    Stripe's message can quote parameters, customer data or a masked key, so it stays out."""
    log.warning("stripe %s failed: %s (http %s, request %s)", operation, type(err).__name__,
                err.http_status, err.request_id)
    if _transient(err):
        return PaymentProviderUnavailable(UNREACHABLE)
    return PaymentProviderFailed(REFUSED)


def _transient(err: stripe.StripeError) -> bool:
    # A timeout reaches us as APIConnectionError (the HTTP client wraps every transport
    # error). 409 is Stripe's "a request with this idempotency key is still running".
    if isinstance(err, stripe.APIConnectionError | stripe.RateLimitError):
        return True
    if isinstance(err, stripe.APIError):
        status = err.http_status
        return status is None or status >= 500 or status == 409
    return False


# Stripe takes an `expires_at` 30 minutes to 24 hours after it receives the request.
_SHORTEST = 30 * 60
_LONGEST = 24 * 60 * 60
# What the request may spend on the way: a 30-minute hold computed before the call would
# otherwise arrive a little under Stripe's minimum and be refused.
_MARGIN = 60


def _within_stripes_window(expires_at: dt.datetime) -> int:
    """The hold's end, moved into Stripe's window when it falls outside. The session then
    outlives the hold by at most a minute; the reconciler expires it when the hold ends, and a
    payment in that minute is booked if the date is still free, refunded otherwise."""
    now = int(time.time())
    wanted = int(expires_at.timestamp())
    return max(now + _SHORTEST + _MARGIN, min(wanted, now + _LONGEST - _MARGIN))


class StripeCheckout:
    """Stripe Checkout behind the PaymentProvider port.

    Holds one httpx connection pool: make one per event loop and `close()` it on shutdown.
    Network errors and 5xx/409 answers are retried by the library (every POST carries an
    idempotency key - ours for refunds, the library's own otherwise - and the rest are
    reads), so a `PaymentProviderUnavailable` means the retries were spent.
    """

    def __init__(
        self, secret_key: str, webhook_secret: str, *, success_url: str, cancel_url: str,
        api_base: str | None = None, timeout_seconds: float = 10.0,
        max_network_retries: int = 2,
    ) -> None:
        self._webhook_secret = webhook_secret
        self._success_url = success_url
        self._cancel_url = cancel_url
        self._host = urlsplit(api_base or stripe.DEFAULT_API_BASE).netloc
        self._http = stripe.HTTPXClient(timeout=timeout_seconds)
        self._closed = False
        self._stripe = stripe.StripeClient(
            secret_key, http_client=self._http, max_network_retries=max_network_retries,
            # Files and Connect too: a test or staging base must never leak a call to Stripe.
            base_addresses=(None if api_base is None
                            else {"api": api_base, "files": api_base, "connect": api_base}),
        )

    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        params: SessionCreateParams = {
            "mode": "payment",
            "line_items": [
                {"price_data": {"currency": request.currency, "unit_amount": item.amount_cents,
                                "product_data": {"name": item.name}},
                 "quantity": 1}
                for item in request.line_items
            ],
            "customer_email": request.customer_email,
            "expires_at": _within_stripes_window(request.expires_at),
            "success_url": self._success_url,
            "cancel_url": self._cancel_url,
            "metadata": dict(request.metadata),
        }
        session = await self._call("create checkout session",
                                   self._stripe.v1.checkout.sessions.create_async(params))
        if not session.url:
            log.warning("stripe created checkout session %s without a url", session.id)
            raise PaymentProviderFailed(REFUSED)
        return CheckoutSession(session.id, session.url,
                               dt.datetime.fromtimestamp(session.expires_at, dt.UTC))

    def verify_webhook(self, raw_body: bytes, signature: str | None) -> VerifiedEvent:
        return verify_stripe_webhook(raw_body, signature, self._webhook_secret)

    async def refund(self, payment_intent_id: str, amount_cents: int, idempotency_key: str) -> str:
        refund = await self._call("refund", self._stripe.v1.refunds.create_async(
            params={"payment_intent": payment_intent_id, "amount": amount_cents},
            options={"idempotency_key": idempotency_key},
        ))
        return refund.id

    async def expire_session(self, session_id: str) -> None:
        try:
            await self._stripe.v1.checkout.sessions.expire_async(session_id)
        except stripe.InvalidRequestError as err:
            # Stripe answers 400 to expiring a session that is not open, in words only: ask
            # for the session rather than parse them, and pass only when it really is closed.
            if err.http_status != 400 or (await self.retrieve_session(session_id)).status == "open":
                raise provider_error("expire checkout session", err) from None
            log.info("stripe checkout session %s was already closed", session_id)
        except stripe.StripeError as err:
            raise provider_error("expire checkout session", err) from None

    async def retrieve_session(self, session_id: str) -> SessionState:
        session = await self._call("retrieve checkout session",
                                   self._stripe.v1.checkout.sessions.retrieve_async(session_id))
        return SessionState(session.id, str(session.status), str(session.payment_status),
                            session.to_dict(recursive=True))

    async def check_access(self) -> str:
        """One cheap authenticated call, for `elope doctor`: a line saying the key works, or
        `PaymentProviderFailed`/`PaymentProviderUnavailable` with a line saying why not."""
        try:
            balance = await self._stripe.v1.balance.retrieve_async()
        except stripe.StripeError as err:
            mapped = provider_error("check access", err)
            if isinstance(mapped, PaymentProviderUnavailable):
                raise PaymentProviderUnavailable(
                    f"Stripe could not be reached at {self._host}") from None
            if isinstance(err, stripe.AuthenticationError):
                raise PaymentProviderFailed(
                    f"Stripe at {self._host} rejected the secret key") from None
            if isinstance(err, stripe.PermissionError):
                raise PaymentProviderFailed(
                    f"the secret key may not read the balance at {self._host}"
                    " (a restricted key?)") from None
            raise PaymentProviderFailed(f"Stripe at {self._host} refused the request") from None
        mode = "live mode" if balance.livemode else "test mode"
        return f"Stripe key accepted ({self._host}, {mode})"

    async def close(self) -> None:
        """Close the connection pool; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        await self._http.close_async()  # type: ignore[no-untyped-call]  # unannotated upstream

    async def _call(self, operation: str, call: Awaitable[T]) -> T:
        try:
            return await call
        except stripe.StripeError as err:
            # `from None`: a logged traceback must not carry Stripe's message either.
            raise provider_error(operation, err) from None
