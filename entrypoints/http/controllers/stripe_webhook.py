from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency

from application.commands import RecordStripeEvent, WebhookAck
from entrypoints.bootstrap import Elope
from entrypoints.http.request_context import request_id_of
from entrypoints.http.schemas import WebhookAckRead


class StripeWebhookController(Controller):
    path = "/v1/webhooks"
    tags = ["webhooks"]

    @post(
        "/stripe",
        operation_id="receiveStripeWebhook",
        status_code=200,
        summary="Stripe events, verified on the exact raw body",
    )
    async def receive(self, elope: NamedDependency[Elope], request: Request[Any, Any, Any]) -> WebhookAckRead:
        raw = await request.body()
        ack: WebhookAck = await elope.bus.handle(
            RecordStripeEvent(
                raw_body=raw,
                signature=request.headers.get("stripe-signature"),
                correlation_id=request_id_of(request),
            )
        )
        return WebhookAckRead(True, ack.event_id, ack.status.value)
