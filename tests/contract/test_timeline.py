"""TimelineRepository: a session's history in the order it was written."""

from __future__ import annotations

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.timeline import TimelineEntry, TimelineKind
from tests.contract.conftest import FixedTrace
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


async def test_an_entry_keeps_the_trace_it_was_written_in_and_its_stripe_event(
    traced_uow: UnitOfWorkFactory,
) -> None:
    plain = _entry("cs_1", "checkout", TimelineKind.CHECKOUT)
    delivery = TimelineEntry("cs_1", at(1), TimelineKind.WEBHOOK, "processed: booked",
                             "corr_cs_1", stripe_event_id="evt_" + "9" * 251)
    named = TimelineEntry("cs_1", at(2), TimelineKind.STATUS, "booked", "corr_cs_1",
                          trace_id="0af7651916cd43dd8448eb211c80319c")
    async with traced_uow() as tx:
        for entry in (plain, delivery, named):
            await tx.timeline.add(entry)
        await tx.commit()
    async with traced_uow() as tx:
        stored = await tx.timeline.for_session("cs_1")
    assert [(e.trace_id, e.stripe_event_id) for e in stored] == [
        (FixedTrace.TRACE_ID, None),
        (FixedTrace.TRACE_ID, "evt_" + "9" * 251),
        ("0af7651916cd43dd8448eb211c80319c", None),  # a trace id given is kept
    ]


async def test_untraced_work_leaves_no_trace_id(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.timeline.add(_entry("cs_1", "checkout", TimelineKind.CHECKOUT))
        await tx.commit()
    async with uow() as tx:
        [stored] = await tx.timeline.for_session("cs_1")
    assert stored.trace_id is None
