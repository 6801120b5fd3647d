"""The webhook inbox as the admin sees it."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.unit_of_work import UnitOfWorkFactory
from application.ports.webhook_events import WebhookCursor
from application.queries.bookings import check_limit, decode_cursor, encode_cursor
from domain.webhook_event import WebhookEvent, WebhookStatus


@dataclass(frozen=True)
class WebhookPage:
    items: list[WebhookEvent]
    next_cursor: str | None


async def webhooks_page(
    uow: UnitOfWorkFactory, status: WebhookStatus | None, limit: int, cursor: str | None,
) -> WebhookPage:
    check_limit(limit)
    after = WebhookCursor(*decode_cursor(cursor)) if cursor else None
    async with uow() as tx:
        rows = await tx.webhook_events.page(status, limit + 1, after)
    items = rows[:limit]
    last = items[-1] if items else None
    more = len(rows) > limit
    return WebhookPage(items, encode_cursor(last.created_at, last.event_id) if more and last else None)
