"""A write that must find its row can say so inside the statement that makes it, so a unit
of work sent as that one statement (no BEGIN, no COMMIT) is still all or nothing."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-07T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "elope_require(): fail a statement whose write touched nothing"

STATEMENTS = [
    # P0002 (no_data_found): the adapter turns it into the repository's NotFound.
    """CREATE OR REPLACE FUNCTION elope_require(touched bigint, message text) RETURNS void
       LANGUAGE plpgsql AS $$
       BEGIN
         IF touched = 0 THEN
           RAISE EXCEPTION USING ERRCODE = 'no_data_found', MESSAGE = message;
         END IF;
       END $$""",
]


class RawTable(Table):
    """This migration's own table for raw SQL (see the initial migration)."""


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="elope", description=DESCRIPTION)

    async def create_function() -> None:
        for statement in STATEMENTS:
            await RawTable.raw(statement).run()

    manager.add_raw(create_function)
    return manager
