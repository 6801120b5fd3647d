from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.exceptions.http_exceptions import RequestEntityTooLarge

from application.commands import RecordStripeEvent, WebhookAck
from application.messaging.bus import MessageBus
from domain.errors import WebhookRejected
from entrypoints.http.rate_limits import rate_limited
from entrypoints.http.schemas import WebhookAckRead

# Stripe documents no cap on an event's size and an event refused is, after its retries, an
# event lost: far above the few kilobytes of the sessions Elope handles, but bounded.
MAX_WEBHOOK_BODY = 4 << 20


class StripeWebhookController(Controller):
    path = "/v1/webhooks"
    tags = ["webhooks"]

    @post(
        "/stripe",
        operation_id="receiveStripeWebhook",
        status_code=200,
        summary="Stripe events, verified on the exact raw body",
        guards=[rate_limited("webhook")],
        request_max_body_size=MAX_WEBHOOK_BODY,
    )
    async def receive(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        request: Request[Any, Any, Any],
    ) -> WebhookAckRead:
        try:
            raw = await request.body()  # the exact bytes: the signature covers them
        except RequestEntityTooLarge:
            # SPEC §4: what the webhook cannot use is a 422, like any other unusable payload.
            raise WebhookRejected(f"the payload is larger than {MAX_WEBHOOK_BODY >> 20} MiB") from None
        ack: WebhookAck = await bus.handle(
            RecordStripeEvent(
                raw_body=raw,
                signature=request.headers.get("stripe-signature"),
                correlation_id=correlation_id,
            )
        )
        return WebhookAckRead(True, ack.event_id, ack.status.value)
