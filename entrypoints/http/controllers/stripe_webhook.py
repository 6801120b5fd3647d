from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.enums import ParamType
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIMediaType,
    OpenAPIType,
    Parameter,
    RequestBody,
    Schema,
)

from application.commands import RecordStripeEvent, WebhookAck
from application.messaging.bus import MessageBus
from domain.errors import WebhookRejected
from entrypoints.http.openapi_errors import DocumentedErrors
from entrypoints.http.rate_limits import rate_limited
from entrypoints.http.schemas import WebhookAckRead


# A dataclass again: only then does the generated __init__ call __post_init__.
@dataclass
class StripeWebhookOperation(DocumentedErrors):
    """The handler reads the raw body and the signature header itself (the signature covers
    the exact bytes, so nothing may parse them first): Litestar cannot see either, so the
    document is told here."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.parameters = [*(self.parameters or []), Parameter(
            name="Stripe-Signature", param_in=ParamType.HEADER, required=True,
            description="Stripe's signature of the raw body: `t=<unix time>,v1=<hex HMAC>`;"
                        " a delivery without a valid one is refused (422)",
            schema=Schema(type=OpenAPIType.STRING, min_length=1))]
        self.request_body = RequestBody(required=True, description=(
            "The event exactly as Stripe sent and signed it: verified byte for byte, so it is"
            " read raw, never re-encoded; UTF-8 JSON of at most 4 MiB."), content={
            "application/json": OpenAPIMediaType(schema=Schema(
                type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY))})


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
        operation_class=StripeWebhookOperation,
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
