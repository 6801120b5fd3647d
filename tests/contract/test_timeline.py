"""TimelineRepository: a session's history in the order it was written."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.timeline import TimelineEntry, TimelineKind
from tests.contract.samples import NOW, at


def _entry(session_id: str, detail: str, kind: TimelineKind = TimelineKind.WEBHOOK,
           when: int = 0) -> TimelineEntry:
    return TimelineEntry(session_id, at(when), kind, detail, f"corr_{session_id}")


async def test_entries_come_back_in_insertion_order_even_with_equal_times(
    uow: UnitOfWorkFactory,
) -> None:
    # Details in reverse alphabetical order, all at one instant: only insertion order is left.
    entries = [_entry("cs_1", d) for d in ("zulu", "mike", "alpha", "kilo")]
    async with uow() as tx:
        for e in entries:
            await tx.timeline.add(e)
        await tx.commit()
    async with uow() as tx:
        assert await tx.timeline.for_session("cs_1") == entries


async def test_insertion_order_wins_over_the_timestamps(uow: UnitOfWorkFactory) -> None:
    entries = [_entry("cs_1", "late", when=10), _entry("cs_1", "early", when=0)]
    async with uow() as tx:
        for e in entries:
            await tx.timeline.add(e)
        await tx.commit()
    async with uow() as tx:
        assert await tx.timeline.for_session("cs_1") == entries


async def test_a_session_sees_only_its_own_entries(uow: UnitOfWorkFactory) -> None:
    first = _entry("cs_1", "checkout", TimelineKind.CHECKOUT)
    other = _entry("cs_2", "checkout", TimelineKind.CHECKOUT)
    second = _entry("cs_1", "paid", TimelineKind.STATUS, when=5)
    async with uow() as tx:
        for e in (first, other, second):
            await tx.timeline.add(e)
        await tx.commit()
    async with uow() as tx:
        assert await tx.timeline.for_session("cs_1") == [first, second]
        assert await tx.timeline.for_session("cs_2") == [other]
        assert await tx.timeline.for_session("cs_nope") == []
        assert (await tx.timeline.for_session("cs_1"))[0].at == NOW
