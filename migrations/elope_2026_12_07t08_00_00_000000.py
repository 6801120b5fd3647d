"""What a stored record keeps of the trace that wrote it: the outbox message its writer's
traceparent (the relay links its span there), the timeline entry its trace id and the Stripe
event whose delivery it records."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "trace ids on outbox messages and timeline entries"

STATEMENTS = [
    # A W3C traceparent is 55 characters (version 00); NULL when the writer was not traced.
    "ALTER TABLE outbox_message ADD COLUMN IF NOT EXISTS traceparent varchar(55)",
    "ALTER TABLE timeline_entry ADD COLUMN IF NOT EXISTS trace_id varchar(32)",
    "ALTER TABLE timeline_entry ADD COLUMN IF NOT EXISTS stripe_event_id varchar(255)",
]


class RawTable(Table):
    """This migration's own table for raw SQL (see the initial migration)."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="elope", description=DESCRIPTION)

    async def add_columns() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement).run()

    manager.add_raw(add_columns)
    return manager
