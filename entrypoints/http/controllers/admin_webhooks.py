from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from application.commands import ReplayStripeEvent, WebhookAck
from application.queries.webhooks import webhooks_page
from domain.errors import ValidationFailed
from domain.webhook_event import WebhookStatus
from entrypoints.bootstrap import Elope
from entrypoints.http.request_context import request_id_of
from entrypoints.http.schemas import WebhookAckRead, WebhookEventRead, WebhookPageRead


class AdminWebhooksController(Controller):
    path = "/v1/admin/webhooks"
    tags = ["admin"]

    @get("/", operation_id="adminListWebhooks", summary="The webhook inbox, newest first")
    async def list_events(
        self,
        elope: NamedDependency[Elope],
        status: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        cursor: FromQuery[str | None] = None,
    ) -> WebhookPageRead:
        try:
            wanted = WebhookStatus(status.upper()) if status else None
        except ValueError:
            raise ValidationFailed(f"status must be one of {', '.join(WebhookStatus)}") from None
        page = await webhooks_page(elope.uow, wanted, limit, cursor)
        return WebhookPageRead([WebhookEventRead.of(e) for e in page.items], page.next_cursor)

    @post(
        "/{event_id:str}/replay",
        operation_id="adminReplayWebhook",
        status_code=200,
        summary="Process a stored event again (same idempotency rules as a delivery)",
    )
    async def replay(
        self,
        elope: NamedDependency[Elope],
        event_id: FromPath[str],
        request: Request[Any, Any, Any],
    ) -> WebhookAckRead:
        ack: WebhookAck = await elope.bus.handle(
            ReplayStripeEvent(event_id=event_id, correlation_id=request_id_of(request))
        )
        return WebhookAckRead(True, ack.event_id, ack.status.value)
