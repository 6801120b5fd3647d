"""The webhook inbox as the admin sees it."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.unit_of_work import UnitOfWorkFactory
from application.ports.webhook_events import WebhookCursor
from application.queries.keyset import check_limit, cut_page, decode_cursor
from domain.webhook_event import WebhookEvent, WebhookStatus


@dataclass(frozen=True)
class WebhookPage:
    items: list[WebhookEvent]
    next_cursor: str | None


class WebhookQueries:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def page(self, status: WebhookStatus | None, limit: int, cursor: str | None) -> WebhookPage:
        """Newest first, optionally of one status; `cursor` is the page before's `next_cursor`."""
        check_limit(limit)
        after = WebhookCursor(*decode_cursor(cursor)) if cursor else None
        async with self._uow() as tx:
            rows = await tx.webhook_events.page(status, limit + 1, after)
        return WebhookPage(*cut_page(rows, limit, lambda e: (e.created_at, e.event_id)))

    async def ids_with_status(self, status: WebhookStatus) -> list[str]:
        """Oldest first, so a replay redoes events in the order they arrived."""
        async with self._uow() as tx:
            return await tx.webhook_events.ids_with_status(status)
