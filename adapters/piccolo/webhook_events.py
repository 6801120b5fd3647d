"""The webhook inbox on PostgreSQL: one record per event id."""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable
from piccolo.querystring import QueryString

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, fetch, write
from adapters.piccolo.tables import WebhookEventRow
from application.ports.webhook_events import WebhookCursor
from domain.webhook_event import WebhookEvent, WebhookStatus

_COLUMNS = (WebhookEventRow.event_id, WebhookEventRow.event_type, WebhookEventRow.raw_payload,
            WebhookEventRow.status, WebhookEventRow.attempts, WebhookEventRow.last_error,
            WebhookEventRow.processed_at, WebhookEventRow.created_at,
            WebhookEventRow.claimed_until)


def _event(row: dict[str, Any]) -> WebhookEvent:
    return WebhookEvent(
        event_id=row["event_id"], event_type=row["event_type"], raw_payload=row["raw_payload"],
        status=WebhookStatus(row["status"]), attempts=row["attempts"],
        last_error=row["last_error"], processed_at=row["processed_at"],
        created_at=row["created_at"], claimed_until=row["claimed_until"],
    )


_ADD = Prepared(lambda event_id, event_type, raw_payload, status, attempts, last_error,
                processed_at, created_at, claimed_until: WebhookEventRow.insert(WebhookEventRow(
                    event_id=event_id, event_type=event_type, raw_payload=raw_payload,
                    status=status, attempts=attempts, last_error=last_error,
                    processed_at=processed_at, created_at=created_at,
                    claimed_until=claimed_until,
                )).on_conflict(target=WebhookEventRow.event_id, action="DO NOTHING").returning(
                    WebhookEventRow.event_id))
_SAVE = Prepared(lambda event_id, status, attempts, last_error, processed_at, claimed_until:
                 WebhookEventRow.update({
                     WebhookEventRow.status: status, WebhookEventRow.attempts: attempts,
                     WebhookEventRow.last_error: last_error,
                     WebhookEventRow.processed_at: processed_at,
                     WebhookEventRow.claimed_until: claimed_until,
                 }).where(WebhookEventRow.event_id == event_id).returning(WebhookEventRow.event_id))


class PiccoloWebhookEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def add(self, event: WebhookEvent) -> bool:
        # ON CONFLICT DO NOTHING waits for a concurrent inserter of the same id to finish, so
        # of two simultaneous first deliveries exactly one sees True - across processes too.
        inserted = await fetch(self._connection, _ADD(
            event.event_id, event.event_type, event.raw_payload, event.status.value,
            event.attempts, event.last_error, event.processed_at, event.created_at,
            event.claimed_until))
        return bool(inserted)

    async def get_for_update(self, event_id: str) -> WebhookEvent | None:
        rows = await fetch(self._connection, WebhookEventRow.select(*_COLUMNS).where(
            WebhookEventRow.event_id == event_id).lock_rows("UPDATE"))
        return _event(rows[0]) if rows else None

    async def save(self, event: WebhookEvent) -> None:
        await write(self._connection, _SAVE(
            event.event_id, event.status.value, event.attempts, event.last_error,
            event.processed_at, event.claimed_until),
            missing=f"no webhook event '{event.event_id}'")

    async def page(
        self, status: WebhookStatus | None, limit: int, after: WebhookCursor | None,
    ) -> list[WebhookEvent]:
        conditions: list[Combinable | QueryString] = []
        if status is not None:
            conditions.append(WebhookEventRow.status == status.value)
        if after is not None:
            # Raw: Piccolo has no row comparison, and only this form (not its OR expansion)
            # bounds the scan of webhook_event_newest_first (created_at DESC, event_id DESC).
            conditions.append(QueryString(
                "({}, {}) < ({}, {})", WebhookEventRow.created_at, WebhookEventRow.event_id,
                after.created_at, after.event_id))
        rows = await fetch(self._connection, WebhookEventRow.select(*_COLUMNS).where(
            *conditions,
        ).order_by(WebhookEventRow.created_at, WebhookEventRow.event_id, ascending=False
                   ).limit(limit))
        return [_event(r) for r in rows]

    async def ids_with_status(self, status: WebhookStatus) -> list[str]:
        rows = await fetch(self._connection, WebhookEventRow.select(WebhookEventRow.event_id).where(
            WebhookEventRow.status == status.value,
        ).order_by(WebhookEventRow.created_at, WebhookEventRow.event_id))
        return [r["event_id"] for r in rows]
