"""The outside world: a booking remembers its calendar event; holds carry the reconciler's
claim, so instances running it at once never ask the provider about the same hold."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T05:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "calendar event of a booking; reconciler claims on holds"

STATEMENTS = [
    "ALTER TABLE booking ADD COLUMN IF NOT EXISTS calendar_event_id varchar(1024)",
    # Until when one reconciler has this hold; NULL: nobody has looked at it yet.
    "ALTER TABLE date_hold ADD COLUMN IF NOT EXISTS reconcile_after timestamptz",
]


class RawTable(Table):
    """This migration's own table for raw SQL (see the initial migration)."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="elope", description=DESCRIPTION)

    async def alter_schema() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement).run()

    manager.add_raw(alter_schema)
    return manager
