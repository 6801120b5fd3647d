"""The two floors as running servers: what the same machine does with the least code.

- bare asyncpg (`floor_asyncpg.py`): the paid webhook's transaction, no framework, on a
  database of its own copied from the service's template (`elope migrate`, `elope seed`);
- bare Litestar (`floor_litestar.py`): one small JSON answer, no database.

Both are separate processes under the same uvicorn options as the service, driven by the
same load generator at the same concurrency, back to back with the service's phases.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from bench import databases
from bench.children import PYTHON, Child, Children, free_port, wait_ready
from bench.dates import DateBook
from bench.elope_server import BOOKABLE_DAYS
from bench.events import Package
from entrypoints.demo_catalog import PACKAGES


class _Floor:
    """A floor server process: started, ready, stopped."""

    def __init__(self, children: Children, name: str) -> None:
        self._children = children
        self._name = name
        self._child: Child | None = None
        self.base_url = ""
        self.quiet_since = 0.0  # floors export no traces

    @property
    def pid(self) -> int:
        assert self._child is not None, f"{self._name} is not running"
        return self._child.pid

    def log_tail(self, lines: int = 25) -> str:
        return self._child.stderr_tail(lines) if self._child is not None else ""

    async def _start(self, *args: str) -> None:
        await self.stop()
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        self._child = self._children.spawn(self._name, [PYTHON, "-m", f"bench.{self._name}",
                                                        str(port), *args])
        await wait_ready(self._child, f"{self.base_url}/health/ready")

    async def stop(self) -> None:
        if self._child is not None:
            child, self._child = self._child, None
            await asyncio.to_thread(self._children.stop, child)


class AsyncpgFloor(_Floor):
    def __init__(self, children: Children, database_url: str, template: str) -> None:
        super().__init__(children, "floor_asyncpg")
        self.database_url = database_url
        self._template = template
        self.package = Package("", "", 0)
        self.dates = DateBook(dt.date.today(), (), 0)

    async def ensure(self, dates: int) -> None:
        """Running, with at least `dates` unused dates; else a fresh database and server."""
        if self._child is not None and self._child.alive() and self.dates.remaining() >= dates:
            return
        await self.fresh()

    async def fresh(self, served_url: str | None = None) -> None:
        """A new database and server; `served_url` is the address the floor connects to
        (the round-trip proxy), while the schema is made straight on PostgreSQL."""
        await self.stop()
        await databases.recreate(self.database_url, template=self._template)
        await self._start(served_url or self.database_url)
        slug = PACKAGES[0][0]  # any seeded package will do: the floor reads it by id
        package_id, price = await databases.package_price(self.database_url, slug)
        self.package = Package(package_id, slug, price)
        closed = await databases.blackout_dates(self.database_url)
        self.dates = DateBook(dt.datetime.now(dt.UTC).date(), closed, BOOKABLE_DAYS)


class LitestarFloor(_Floor):
    def __init__(self, children: Children) -> None:
        super().__init__(children, "floor_litestar")

    async def ensure(self) -> None:
        if self._child is None or not self._child.alive():
            await self._start()
