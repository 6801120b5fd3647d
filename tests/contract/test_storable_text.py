"""What PostgreSQL refuses to store, the memory set refuses too, with the same error
(`Unstorable`): a NUL, a lone surrogate, a value longer than its column. A gap here would let
the mock preset accept what the real one fails on, every time, after the couple paid."""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.errors import Unstorable
from domain.events import PaidSessionRefunded
from domain.timeline import TimelineEntry, TimelineKind
from tests.contract.samples import NOW, booking, hold, package

Write = Callable[[UnitOfWork], Awaitable[Any]]

WRITES: dict[str, Write] = {
    "customer name with NUL": lambda tx: tx.customers.upsert("a@example.com", "Ada\x00", None, "c1"),
    "customer phone too long": lambda tx: tx.customers.upsert("a@example.com", "Ada", "5" * 41, "c1"),
    "customer email with a lone surrogate": lambda tx: tx.customers.upsert(
        "a\ud800@example.com", "Ada", None, "c1"),
    "booking couple name too long": lambda tx: tx.bookings.add(
        dataclasses.replace(booking("bk_1"), couple_name="x" * 201)),
    "booking email with NUL": lambda tx: tx.bookings.add(
        dataclasses.replace(booking("bk_1"), email="a\x00@example.com")),
    "outbox event with NUL": lambda tx: tx.outbox.add("m1", PaidSessionRefunded(
        "corr", "cs_1", "2026-06-20", "a@example.com", "Ada\x00", 100, "re_1", "date_taken"), NOW),
    "hold correlation id with NUL": lambda tx: tx.holds.place(
        dataclasses.replace(hold("cs_1"), correlation_id="c\x00"), NOW),
    "timeline detail with NUL": lambda tx: tx.timeline.add(TimelineEntry(
        "cs_1", NOW, TimelineKind.WEBHOOK, "failed: \x00", "corr")),
    "package title too long": lambda tx: tx.packages.add(
        dataclasses.replace(package("pkg_2", "second"), title="t" * 201)),
    "package description with NUL": lambda tx: tx.packages.add(
        dataclasses.replace(package("pkg_2", "second"), description="dusk\x00")),
}


@pytest.mark.parametrize("write", list(WRITES.values()), ids=list(WRITES))
async def test_a_value_postgresql_cannot_store_is_refused_by_every_store(
    uow: UnitOfWorkFactory, write: Write,
) -> None:
    async with uow() as tx:  # what a booking refers to (PostgreSQL checks encoding first)
        await tx.packages.add(package())
        await tx.commit()
    with pytest.raises(Unstorable):
        async with uow() as tx:
            await write(tx)
            await tx.commit()


async def test_the_longest_values_the_columns_hold_are_stored(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.packages.add(package())
        await tx.customers.upsert("a@example.com", "n" * 200, "5" * 40, "c1")
        await tx.bookings.add(dataclasses.replace(booking("bk_1"), couple_name="x" * 200))
        await tx.commit()
