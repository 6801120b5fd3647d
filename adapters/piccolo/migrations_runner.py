"""`elope migrate`: apply the Piccolo migrations in the top-level migrations/ folder.

Piccolo's own runner looks its engine up in a `piccolo_conf` module; ours is built from the
validated settings, so this runner applies the same migration modules itself, and binds the
tables a migration defines for its raw SQL to that engine. Each migration and its bookkeeping
row commit in one transaction; two processes migrating at once take turns on an advisory lock;
every migration is idempotent DDL, so running it twice is harmless.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.tables import Migration
from piccolo.engine.base import Engine
from piccolo.table import Table

import migrations
from adapters.piccolo.database import PiccoloDatabase

APP_NAME = "elope"
# Any constant will do: it only has to differ from the per-date lock keys.
MIGRATION_LOCK_KEY = 7_263_011_001


def migrations_folder() -> Path:
    return Path(migrations.__file__).parent


def _bind_tables(module: ModuleType, engine: Engine[Any]) -> None:
    """Bind the tables a migration defines for itself (its RawTable) to our engine, as Piccolo's
    own runner would through piccolo_conf - so its statements run in the transaction below."""
    for value in vars(module).values():
        if (isinstance(value, type) and issubclass(value, Table) and value is not Table
                and value.__module__ == module.__name__):
            value._meta.db = engine


def known_migrations() -> list[str]:
    """The ids of every migration this version of Elope has, oldest first."""
    return sorted(BaseMigrationManager().get_migration_modules(str(migrations_folder())))


async def applied_migrations(connection: asyncpg.Connection) -> set[str]:
    """The ids of the migrations applied to the database `connection` is open on."""
    exists = await connection.fetchval("SELECT to_regclass('public.migration') IS NOT NULL")
    if not exists:
        return set()
    rows = await connection.fetch("SELECT name FROM migration WHERE app_name = $1", APP_NAME)
    return {r["name"] for r in rows}


async def pending_migrations(dsn: str) -> list[str]:
    """The ids of the migrations not applied to this database yet."""
    # No named statements: `dsn` may be a transaction pooler (PgBouncer), where the next
    # statement may reach another server connection.
    connection = await asyncpg.connect(dsn, statement_cache_size=0)
    try:
        done = await applied_migrations(connection)
    finally:
        await connection.close()
    return [name for name in known_migrations() if name not in done]


async def apply_migrations(dsn: str) -> list[str]:
    """Apply what has not run yet; returns the ids this call applied."""
    database = PiccoloDatabase(dsn, pool_min=1, pool_max=2)
    lock = await asyncpg.connect(dsn)
    applied: list[str] = []
    try:
        await lock.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        await database.open()
        await Migration.create_table(if_not_exists=True).run()
        done = set(await Migration.get_migrations_which_ran(app_name=APP_NAME))
        modules = BaseMigrationManager().get_migration_modules(str(migrations_folder()))
        for migration_id in sorted(set(modules) - done):
            module = modules[migration_id]
            _bind_tables(module, database.engine)
            manager = await module.forwards()
            assert isinstance(manager, MigrationManager)
            async with database.engine.transaction():
                for step in manager.raw:
                    result = step()
                    if inspect.isawaitable(result):
                        await result
                await Migration.insert(Migration(name=migration_id, app_name=APP_NAME)).run()
            applied.append(migration_id)
        return applied
    finally:
        await database.close()
        await lock.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
        await lock.close()
