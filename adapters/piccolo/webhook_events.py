"""The webhook inbox on PostgreSQL: one record per event id."""

from __future__ import annotations

import asyncpg

from adapters.piccolo.statements import Connection
from application.ports.webhook_events import WebhookCursor
from domain.errors import NotFound
from domain.webhook_event import WebhookEvent, WebhookStatus

_COLUMNS = ("event_id, event_type, raw_payload, status, attempts, last_error, processed_at,"
            " created_at, claimed_until")


def _event(row: asyncpg.Record) -> WebhookEvent:
    return WebhookEvent(
        event_id=row["event_id"], event_type=row["event_type"], raw_payload=row["raw_payload"],
        status=WebhookStatus(row["status"]), attempts=row["attempts"],
        last_error=row["last_error"], processed_at=row["processed_at"],
        created_at=row["created_at"], claimed_until=row["claimed_until"],
    )


class PiccoloWebhookEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def add(self, event: WebhookEvent) -> bool:
        # ON CONFLICT DO NOTHING waits for a concurrent inserter of the same id to finish, so
        # of two simultaneous first deliveries exactly one sees True - across processes too.
        inserted = await self._db.fetchval(
            f"""INSERT INTO webhook_event ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                ON CONFLICT (event_id) DO NOTHING RETURNING event_id""",
            event.event_id, event.event_type, event.raw_payload, event.status.value,
            event.attempts, event.last_error, event.processed_at, event.created_at,
            event.claimed_until)
        return inserted is not None

    async def get_for_update(self, event_id: str) -> WebhookEvent | None:
        row = await self._db.fetchrow(
            f"SELECT {_COLUMNS} FROM webhook_event WHERE event_id = $1 FOR UPDATE", event_id)
        return _event(row) if row else None

    async def save(self, event: WebhookEvent) -> None:
        updated = await self._db.fetchval(
            """UPDATE webhook_event SET status = $2, attempts = $3, last_error = $4,
                   processed_at = $5, claimed_until = $6
               WHERE event_id = $1 RETURNING event_id""",
            event.event_id, event.status.value, event.attempts, event.last_error,
            event.processed_at, event.claimed_until)
        if updated is None:
            raise NotFound(f"no webhook event '{event.event_id}'")

    async def page(
        self, status: WebhookStatus | None, limit: int, after: WebhookCursor | None,
    ) -> list[WebhookEvent]:
        rows = await self._db.fetch(
            f"""SELECT {_COLUMNS} FROM webhook_event
                WHERE ($1::text IS NULL OR status = $1)
                  AND ($2::timestamptz IS NULL OR (created_at, event_id) < ($2, $3))
                ORDER BY created_at DESC, event_id DESC LIMIT $4""",
            status.value if status else None, after.created_at if after else None,
            after.event_id if after else "", limit)
        return [_event(r) for r in rows]

    async def ids_with_status(self, status: WebhookStatus) -> list[str]:
        rows = await self._db.fetch(
            "SELECT event_id FROM webhook_event WHERE status = $1 ORDER BY created_at, event_id",
            status.value)
        return [r["event_id"] for r in rows]

