"""The contract suite's one fixture: a unit-of-work factory for each adapter set.

Every test in tests/contract runs twice, once on the memory set (a fresh store) and once on
the Piccolo set (a freshly emptied PostgreSQL database). A test never asks which one it got.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from adapters.memory.store import MemoryStore
from adapters.memory.unit_of_work import memory_uow_factory
from application.ports.tracing import TraceContext
from application.ports.unit_of_work import UnitOfWorkFactory


@pytest.fixture(params=["memory", "postgres"], ids=["memory", "postgres"])
def backend_dsn(request: pytest.FixtureRequest) -> str | None:
    """The DSN of an emptied database for "postgres", None for "memory".

    Sync on purpose: `clean_postgres` is an async fixture, and asking for it from inside an
    async fixture would need the event loop that is already running it.
    """
    if request.param == "postgres":
        dsn: str = request.getfixturevalue("clean_postgres")
        return dsn
    return None


@pytest.fixture
async def uow(backend_dsn: str | None) -> AsyncIterator[UnitOfWorkFactory]:
    async with _factory(backend_dsn, None) as factory:
        yield factory


class FixedTrace:
    """The work writing is in this one trace (a traced request, say)."""

    TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
    TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"

    def current_traceparent(self) -> str | None:
        return self.TRACEPARENT

    def current_trace_id(self) -> str:
        return self.TRACE_ID


@pytest.fixture
async def traced_uow(backend_dsn: str | None) -> AsyncIterator[UnitOfWorkFactory]:
    """Units of work whose writes happen inside the trace `FixedTrace` names."""
    async with _factory(backend_dsn, FixedTrace()) as factory:
        yield factory


@asynccontextmanager
async def _factory(backend_dsn: str | None, trace: TraceContext | None,
                   ) -> AsyncIterator[UnitOfWorkFactory]:
    if backend_dsn is None:
        yield memory_uow_factory(MemoryStore(), trace=trace)
        return
    # Imported here so the memory half runs without the PostgreSQL stack loaded.
    from adapters.piccolo.database import PiccoloDatabase
    from adapters.piccolo.unit_of_work import piccolo_uow_factory
    from adapters.telemetry.prometheus_metrics import PrometheusMetrics

    # Opened and closed per test: pytest-asyncio gives every test its own event loop, and an
    # asyncpg pool cannot outlive the loop it was made on.
    db = PiccoloDatabase(backend_dsn, pool_min=1, pool_max=4)
    await db.open()
    try:
        yield piccolo_uow_factory(db, PrometheusMetrics(), trace=trace)
    finally:
        await db.close()
