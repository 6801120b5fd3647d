"""A database outage on demand, for the tests of what survives one."""

from __future__ import annotations

import asyncpg


class Outage:
    """Refuses new connections to one database and cuts the open ones, as a stopped server
    looks to the application; the rest of the PostgreSQL server is untouched."""

    def __init__(self, admin_dsn: str, database: str) -> None:
        self._admin_dsn = admin_dsn
        self._database = database

    async def _run(self, sql: str) -> None:
        connection = await asyncpg.connect(self._admin_dsn)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    async def begin(self) -> None:
        await self._run(f'ALTER DATABASE "{self._database}" WITH ALLOW_CONNECTIONS false')
        await self._run(f"""SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                            WHERE datname = '{self._database}' AND pid <> pg_backend_pid()""")

    async def end(self) -> None:
        await self._run(f'ALTER DATABASE "{self._database}" WITH ALLOW_CONNECTIONS true')
