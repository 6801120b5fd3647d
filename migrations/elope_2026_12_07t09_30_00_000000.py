"""Limits on who may hold the calendar: a hold names its couple's email and the client that
asked for it (so open holds can be counted per email and per client), and rate-limit
counters shared by every instance."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T09:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "hold owners and rate-limit counters"

STATEMENTS = [
    # Holds placed before this migration belong to nobody: '' counts for no one.
    "ALTER TABLE date_hold ADD COLUMN IF NOT EXISTS email varchar(254) NOT NULL DEFAULT ''",
    "ALTER TABLE date_hold ADD COLUMN IF NOT EXISTS client varchar(64) NOT NULL DEFAULT ''",
    # Open holds are counted per owner under the owner's lock: only unreleased ones matter.
    """CREATE INDEX IF NOT EXISTS date_hold_open_by_email ON date_hold (email, expires_at)
        WHERE released_at IS NULL""",
    """CREATE INDEX IF NOT EXISTS date_hold_open_by_client ON date_hold (client, expires_at)
        WHERE released_at IS NULL""",
    """CREATE TABLE IF NOT EXISTS rate_counter (
        name varchar(32) NOT NULL,
        key varchar(64) NOT NULL,
        window_start timestamptz NOT NULL,
        hits integer NOT NULL,
        PRIMARY KEY (name, key, window_start))""",
]


class RawTable(Table):
    """This migration's own table for raw SQL (see the initial migration)."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="elope", description=DESCRIPTION)

    async def apply() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement).run()

    manager.add_raw(apply)
    return manager
