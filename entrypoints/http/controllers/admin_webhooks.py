from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from application.commands import ReplayStripeEvent, WebhookAck
from application.messaging.bus import MessageBus
from application.queries.keyset import MAX_PAGE
from application.queries.webhooks import WebhookQueries
from domain.errors import ValidationFailed
from domain.webhook_event import WebhookStatus
from entrypoints.http.schemas import WebhookAckRead, WebhookEventRead, WebhookPageRead


class AdminWebhooksController(Controller):
    path = "/v1/admin/webhooks"
    tags = ["admin"]

    @get("/", operation_id="adminListWebhooks", summary="The webhook inbox, newest first")
    async def list_events(
        self,
        webhooks: NamedDependency[WebhookQueries],
        status: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_PAGE, description="page size")] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> WebhookPageRead:
        try:
            wanted = WebhookStatus(status.upper()) if status else None
        except ValueError:
            raise ValidationFailed(f"status must be one of {', '.join(WebhookStatus)}") from None
        page = await webhooks.page(wanted, limit, cursor)
        return WebhookPageRead([WebhookEventRead.of(e) for e in page.items], page.next_cursor)

    @post(
        "/{event_id:str}/replay",
        operation_id="adminReplayWebhook",
        status_code=200,
        summary="Process a stored event again (same idempotency rules as a delivery)",
    )
    async def replay(
        self,
        bus: NamedDependency[MessageBus],
        correlation_id: NamedDependency[str],
        event_id: FromPath[str],
    ) -> WebhookAckRead:
        ack: WebhookAck = await bus.handle(
            ReplayStripeEvent(event_id=event_id, correlation_id=correlation_id)
        )
        return WebhookAckRead(True, ack.event_id, ack.status.value)
