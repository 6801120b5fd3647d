"""The webhook inbox: one record per event id."""

from __future__ import annotations

import dataclasses

from adapters.memory.store import MemoryStore
from application.ports.webhook_events import WebhookCursor
from domain.errors import NotFound
from domain.webhook_event import WebhookEvent, WebhookStatus


class MemoryWebhookEventRepository:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def add(self, event: WebhookEvent) -> bool:
        if event.event_id in self._store.webhook_events:
            return False
        self._store.webhook_events[event.event_id] = event
        return True

    async def get_for_update(self, event_id: str) -> WebhookEvent | None:
        # The store lock already keeps every other transaction out until this one ends.
        return self._store.webhook_events.get(event_id)

    async def save(self, event: WebhookEvent) -> None:
        stored = self._store.webhook_events.get(event.event_id)
        if stored is None:
            raise NotFound(f"no webhook event '{event.event_id}'")
        # Only the processing state changes; what arrived, and when, stays as first recorded
        # (as PostgreSQL's UPDATE, which sets nothing else).
        self._store.webhook_events[event.event_id] = dataclasses.replace(
            event, event_type=stored.event_type, raw_payload=stored.raw_payload,
            created_at=stored.created_at)

    async def claimant_alive(self, claimant: str) -> bool:
        return claimant in self._store.live_processors

    async def page(
        self, status: WebhookStatus | None, limit: int, after: WebhookCursor | None,
    ) -> list[WebhookEvent]:
        rows = [
            e for e in self._store.webhook_events.values()
            if status is None or e.status is status
        ]
        if after is not None:
            cursor = (after.created_at, after.event_id)
            rows = [e for e in rows if (e.created_at, e.event_id) < cursor]
        rows.sort(key=lambda e: (e.created_at, e.event_id), reverse=True)
        return rows[:limit]

    async def ids_with_status(self, status: WebhookStatus) -> list[str]:
        """Oldest first, so a replay redoes events in the order they arrived."""
        rows = [e for e in self._store.webhook_events.values() if e.status is status]
        rows.sort(key=lambda e: (e.created_at, e.event_id))
        return [e.event_id for e in rows]

