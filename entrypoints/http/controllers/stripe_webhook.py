from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency

from application.commands import RecordStripeEvent, WebhookAck
from application.messaging.bus import MessageBus
from entrypoints.http.rate_limits import rate_limited
from entrypoints.http.schemas import WebhookAckRead


class StripeWebhookController(Controller):
    path = "/v1/webhooks"
    tags = ["webhooks"]

    @post(
        "/stripe",
        operation_id="receiveStripeWebhook",
        status_code=200,
        summary="Stripe events, verified on the exact raw body",
        guards=[rate_limited("webhook")],
    )
    async def receive(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        request: Request[Any, Any, Any],
    ) -> WebhookAckRead:
        raw = await request.body()  # the exact bytes: the signature covers them
        ack: WebhookAck = await bus.handle(
            RecordStripeEvent(
                raw_body=raw,
                signature=request.headers.get("stripe-signature"),
                correlation_id=correlation_id,
            )
        )
        return WebhookAckRead(True, ack.event_id, ack.status.value)
