"""The webhook inbox on PostgreSQL: one record per event id."""

from __future__ import annotations

from typing import Any

from piccolo.custom_types import Combinable
from piccolo.querystring import QueryString

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.processor_lock import PROCESSOR_LOCK_CLASS, processor_key
from adapters.piccolo.statements import Connection, fetch, write
from adapters.piccolo.tables import WebhookEventRow
from application.ports.webhook_events import WebhookCursor
from domain.webhook_event import WebhookEvent, WebhookStatus

_COLUMNS = (WebhookEventRow.event_id, WebhookEventRow.event_type, WebhookEventRow.raw_payload,
            WebhookEventRow.status, WebhookEventRow.attempts, WebhookEventRow.last_error,
            WebhookEventRow.processed_at, WebhookEventRow.created_at,
            WebhookEventRow.claimed_until, WebhookEventRow.claimed_by)


def _event(row: dict[str, Any]) -> WebhookEvent:
    return WebhookEvent(
        event_id=row["event_id"], event_type=row["event_type"], raw_payload=row["raw_payload"],
        status=WebhookStatus(row["status"]), attempts=row["attempts"],
        last_error=row["last_error"], processed_at=row["processed_at"],
        created_at=row["created_at"], claimed_until=row["claimed_until"],
        claimed_by=row["claimed_by"],
    )


_ADD = Prepared(lambda event_id, event_type, raw_payload, status, attempts, last_error,
                processed_at, created_at, claimed_until, claimed_by: WebhookEventRow.insert(
                    WebhookEventRow(
                        event_id=event_id, event_type=event_type, raw_payload=raw_payload,
                        status=status, attempts=attempts, last_error=last_error,
                        processed_at=processed_at, created_at=created_at,
                        claimed_until=claimed_until, claimed_by=claimed_by,
                    )).on_conflict(target=WebhookEventRow.event_id, action="DO NOTHING").returning(
                    WebhookEventRow.event_id))
_SAVE = Prepared(lambda event_id, status, attempts, last_error, processed_at, claimed_until,
                 claimed_by: WebhookEventRow.update({
                     WebhookEventRow.status: status, WebhookEventRow.attempts: attempts,
                     WebhookEventRow.last_error: last_error,
                     WebhookEventRow.processed_at: processed_at,
                     WebhookEventRow.claimed_until: claimed_until,
                     WebhookEventRow.claimed_by: claimed_by,
                 }).where(WebhookEventRow.event_id == event_id).returning(WebhookEventRow.event_id))


_TRY_LOCK = Prepared(lambda lock_class, key: QueryString(
    "SELECT pg_try_advisory_xact_lock({}, {}) AS free", lock_class, key))


class PiccoloWebhookEventRepository:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def add(self, event: WebhookEvent) -> bool:
        # ON CONFLICT DO NOTHING waits for a concurrent inserter of the same id to finish, so
        # of two simultaneous first deliveries exactly one sees True - across processes too.
        inserted = await fetch(self._connection, _ADD(
            event.event_id, event.event_type, event.raw_payload, event.status.value,
            event.attempts, event.last_error, event.processed_at, event.created_at,
            event.claimed_until, event.claimed_by))
        return bool(inserted)

    async def get_for_update(self, event_id: str) -> WebhookEvent | None:
        rows = await fetch(self._connection, WebhookEventRow.select(*_COLUMNS).where(
            WebhookEventRow.event_id == event_id).lock_rows("UPDATE"))
        return _event(rows[0]) if rows else None

    async def save(self, event: WebhookEvent) -> None:
        await write(self._connection, _SAVE(
            event.event_id, event.status.value, event.attempts, event.last_error,
            event.processed_at, event.claimed_until, event.claimed_by),
            missing=f"no webhook event '{event.event_id}'")

    async def claimant_alive(self, claimant: str) -> bool:
        key = processor_key(claimant)
        if key is None:
            return True  # a name we cannot check: its lease decides
        # Taken only if its holder's session is gone; a transaction lock, so it is let go
        # with this unit of work and never blocks anyone for longer.
        [row] = await fetch(self._connection, _TRY_LOCK(PROCESSOR_LOCK_CLASS, key))
        return not row["free"]

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
