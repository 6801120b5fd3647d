"""Which processor claimed a webhook event: once it is known to be gone (it crashed, stopped
or lost the database), the next delivery takes the event over instead of waiting out the
claim's lease."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T09:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "webhook_event.claimed_by"

STATEMENTS = [
    "ALTER TABLE webhook_event ADD COLUMN IF NOT EXISTS claimed_by varchar(32)",
]


class RawTable(Table):
    """This migration's own table for raw SQL (see the initial migration)."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="elope", description=DESCRIPTION)

    async def add_column() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement).run()

    manager.add_raw(add_column)
    return manager
