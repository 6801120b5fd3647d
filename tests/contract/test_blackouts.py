"""BlackoutRepository: one blackout per date."""

from __future__ import annotations

import pytest

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.blackout import Blackout
from domain.errors import Conflict
from tests.contract.samples import day


async def _added(uow: UnitOfWorkFactory, *blackouts: Blackout) -> None:
    async with uow() as tx:
        for b in blackouts:
            await tx.blackouts.add(b)
        await tx.commit()


async def test_a_blackout_reads_back(uow: UnitOfWorkFactory) -> None:
    await _added(uow, Blackout("bo_1", day(0), "Family wedding"), Blackout("bo_2", day(1), None))
    async with uow() as tx:
        assert await tx.blackouts.get("bo_1") == Blackout("bo_1", day(0), "Family wedding")
        assert await tx.blackouts.get("bo_2") == Blackout("bo_2", day(1), None)
        assert await tx.blackouts.get("bo_nope") is None


async def test_a_date_takes_one_blackout(uow: UnitOfWorkFactory) -> None:
    await _added(uow, Blackout("bo_1", day(0), None))
    async with uow() as tx:
        with pytest.raises(Conflict):
            await tx.blackouts.add(Blackout("bo_2", day(0), "again"))
    async with uow() as tx:
        assert await tx.blackouts.get("bo_2") is None
        assert await tx.blackouts.list_all() == [Blackout("bo_1", day(0), None)]


async def test_list_all_is_by_date(uow: UnitOfWorkFactory) -> None:
    # Ids in the opposite order of the dates: the date decides.
    await _added(uow, Blackout("bo_a", day(5), None), Blackout("bo_c", day(1), "x"),
                 Blackout("bo_b", day(3), None))
    async with uow() as tx:
        listed = await tx.blackouts.list_all()
    assert [b.id for b in listed] == ["bo_c", "bo_b", "bo_a"]
    assert listed[0] == Blackout("bo_c", day(1), "x")


async def test_dates_between_is_inclusive(uow: UnitOfWorkFactory) -> None:
    await _added(uow, *(Blackout(f"bo_{n}", day(n), None) for n in (0, 2, 4, 6)))
    async with uow() as tx:
        assert await tx.blackouts.dates_between(day(2), day(4)) == {day(2), day(4)}
        assert await tx.blackouts.dates_between(day(0), day(6)) == {day(0), day(2), day(4), day(6)}
        assert await tx.blackouts.dates_between(day(5), day(5)) == set()
        assert await tx.blackouts.dates_between(day(6), day(6)) == {day(6)}


async def test_a_removed_blackout_frees_its_date(uow: UnitOfWorkFactory) -> None:
    await _added(uow, Blackout("bo_1", day(0), None))
    async with uow() as tx:
        await tx.blackouts.remove("bo_1")
        await tx.blackouts.remove("bo_nope")  # a no-op
        await tx.commit()
    async with uow() as tx:
        assert await tx.blackouts.get("bo_1") is None
        assert await tx.blackouts.dates_between(day(0), day(0)) == set()
        await tx.blackouts.add(Blackout("bo_2", day(0), None))
        await tx.commit()
    async with uow() as tx:
        assert await tx.blackouts.list_all() == [Blackout("bo_2", day(0), None)]
