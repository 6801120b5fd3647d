"""Every commit that changes what a couple is shown says so on `elope_changes`: 'dates' for a
booking, hold or blackout, 'catalog' for a package or add-on. Each instance keeps short-lived
copies of those reads and empties them when it hears (adapters/piccolo/change_notifications.py).

Statement-level triggers: one notification per statement, and PostgreSQL folds the repeats of
a transaction into one, delivered at COMMIT and only if it commits - whoever writes, this
service or anyone with SQL. TRUNCATE counts too.
"""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T05:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notify elope_changes when dates or the catalog change"

ANNOUNCED = {"booking": "dates", "date_hold": "dates", "blackout": "dates",
             "package": "catalog", "add_on": "catalog"}

STATEMENTS = [
    """CREATE OR REPLACE FUNCTION elope_announce_change() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('elope_changes', TG_ARGV[0]);
            RETURN NULL;
        END $$""",
    *(statement for table, payload in ANNOUNCED.items() for statement in (
        # DROP then CREATE: CREATE OR REPLACE TRIGGER needs PostgreSQL 14.
        f"DROP TRIGGER IF EXISTS {table}_announce_change ON {table}",
        f"""CREATE TRIGGER {table}_announce_change
            AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION elope_announce_change('{payload}')""",
    )),
]


class RawTable(Table):
    """This migration's own table for raw SQL (see the initial migration)."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="elope", description=DESCRIPTION)

    async def announce_changes() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement).run()

    manager.add_raw(announce_changes)
    return manager
