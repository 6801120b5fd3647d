"""HoldRepository: one active hold per date; lapsed holds make room but stay unsettled."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import Conflict, DateUnavailable, TooManyHolds
from domain.hold import DateHold
from tests.contract.samples import DAY, LEASE, NOW, at, day, hold


async def _placed(uow: UnitOfWorkFactory, *holds: DateHold) -> None:
    async with uow() as tx:
        for h in holds:
            await tx.holds.place(h, NOW)
        await tx.commit()


async def test_a_placed_hold_reads_back(uow: UnitOfWorkFactory) -> None:
    await _placed(uow, hold("cs_1"))
    async with uow() as tx:
        assert await tx.holds.get("cs_1") == hold("cs_1")
        assert await tx.holds.get("cs_nope") is None
        assert await tx.holds.active_on(DAY, NOW) == hold("cs_1")
        assert await tx.holds.active_on(day(1), NOW) is None


async def test_a_date_takes_one_active_hold(uow: UnitOfWorkFactory) -> None:
    await _placed(uow, hold("cs_1"))
    async with uow() as tx:
        with pytest.raises(DateUnavailable) as refused:
            await tx.holds.place(hold("cs_2"), at(29))
    assert refused.value.reason == "held"
    async with uow() as tx:
        assert await tx.holds.get("cs_2") is None


async def test_a_session_holds_one_date(uow: UnitOfWorkFactory) -> None:
    await _placed(uow, hold("cs_1"))
    async with uow() as tx:
        with pytest.raises(Conflict):
            await tx.holds.place(hold("cs_1", date=day(1)), NOW)


async def test_an_expired_hold_makes_room_and_is_released_but_not_settled(
    uow: UnitOfWorkFactory,
) -> None:
    await _placed(uow, hold("cs_1", expires_at=at(30)))
    async with uow() as tx:
        assert await tx.holds.active_on(DAY, at(30)) is None
        await tx.holds.place(hold("cs_2", expires_at=at(60)), at(30))
        await tx.commit()
    async with uow() as tx:
        assert await tx.holds.get("cs_1") == dataclasses.replace(
            hold("cs_1", expires_at=at(30)), released_at=at(30), settled=False)
        assert await tx.holds.active_on(DAY, at(31)) == hold("cs_2", expires_at=at(60))
        # The superseded session's outcome is still unknown: the reconciler must ask.
        assert await tx.holds.claim_unsettled(at(31), 10, LEASE) == [
            dataclasses.replace(hold("cs_1", expires_at=at(30)), released_at=at(30))]


async def test_release_returns_the_hold_the_first_time_only_and_settles_it(
    uow: UnitOfWorkFactory,
) -> None:
    await _placed(uow, hold("cs_1"))
    async with uow() as tx:
        assert await tx.holds.release("cs_1", at(5)) == hold("cs_1")
        await tx.commit()
    async with uow() as tx:
        assert await tx.holds.release("cs_1", at(6)) is None
        assert await tx.holds.release("cs_nope", at(6)) is None
        await tx.commit()
    async with uow() as tx:
        assert await tx.holds.get("cs_1") == dataclasses.replace(
            hold("cs_1"), released_at=at(5), settled=True)
        assert await tx.holds.active_on(DAY, at(6)) is None
        # A released date can be held again at once.
        await tx.holds.place(hold("cs_2"), at(6))


async def test_release_settles_a_superseded_hold_without_returning_it(
    uow: UnitOfWorkFactory,
) -> None:
    await _placed(uow, hold("cs_1", expires_at=at(10)))
    async with uow() as tx:
        await tx.holds.place(hold("cs_2", expires_at=at(60)), at(20))
        assert await tx.holds.release("cs_1", at(25)) is None
        await tx.commit()
    async with uow() as tx:
        assert await tx.holds.get("cs_1") == dataclasses.replace(
            hold("cs_1", expires_at=at(10)), released_at=at(20), settled=True)
        assert await tx.holds.claim_unsettled(at(25), 10, LEASE) == []


async def test_any_active_for_package(uow: UnitOfWorkFactory) -> None:
    await _placed(uow, hold("cs_1", package_id="pkg_a", expires_at=at(30)),
                  hold("cs_2", date=day(1), package_id="pkg_b", expires_at=at(30)))
    async with uow() as tx:
        assert await tx.holds.any_active_for_package("pkg_a", at(29)) is True
        assert await tx.holds.any_active_for_package("pkg_a", at(30)) is False  # expired
        assert await tx.holds.any_active_for_package("pkg_c", NOW) is False
        await tx.holds.release("cs_2", at(1))
        assert await tx.holds.any_active_for_package("pkg_b", at(2)) is False


async def test_held_dates_between_is_inclusive_and_sees_active_holds_only(
    uow: UnitOfWorkFactory,
) -> None:
    await _placed(uow, hold("cs_0", date=day(0)), hold("cs_1", date=day(1)),
                  hold("cs_2", date=day(2), expires_at=at(5)), hold("cs_3", date=day(3)),
                  hold("cs_4", date=day(4)))
    async with uow() as tx:
        await tx.holds.release("cs_1", at(1))
        assert await tx.holds.held_dates_between(day(0), day(4), at(2)) == {
            day(0), day(2), day(3), day(4)}
        assert await tx.holds.held_dates_between(day(0), day(4), at(5)) == {
            day(0), day(3), day(4)}
        assert await tx.holds.held_dates_between(day(1), day(3), at(5)) == {day(3)}
        assert await tx.holds.held_dates_between(day(5), day(9), NOW) == set()


async def test_claims_are_oldest_first_limited_and_leased(uow: UnitOfWorkFactory) -> None:
    await _placed(
        uow,
        hold("cs_late", date=day(0), expires_at=at(20)),
        hold("cs_b", date=day(1), expires_at=at(10)),
        hold("cs_a", date=day(2), expires_at=at(10)),
        hold("cs_settled", date=day(3), expires_at=at(5)),
        hold("cs_open", date=day(4), expires_at=at(60)),
    )
    async with uow() as tx:
        await tx.holds.release("cs_settled", at(1))
        first_two = await tx.holds.claim_unsettled(at(30), 2, LEASE)
        assert [h.session_id for h in first_two] == ["cs_a", "cs_b"]
        assert first_two[0] == hold("cs_a", date=day(2), expires_at=at(10))
        # Claimed ones stay out of the next claim until their lease lapses.
        assert [h.session_id for h in await tx.holds.claim_unsettled(at(30), 10, LEASE)] == [
            "cs_late"]
        assert await tx.holds.claim_unsettled(at(31), 10, LEASE) == []
        await tx.commit()
    async with uow() as tx:
        after_lease = await tx.holds.claim_unsettled(at(30) + LEASE, 10, LEASE)
        assert [h.session_id for h in after_lease] == ["cs_a", "cs_b", "cs_late"]


async def test_expiring_exactly_now_counts_as_expired(uow: UnitOfWorkFactory) -> None:
    await _placed(uow, hold("cs_a", expires_at=at(10)), hold("cs_b", date=day(1), expires_at=at(11)))
    async with uow() as tx:
        assert [h.session_id for h in await tx.holds.claim_unsettled(at(10), 10, LEASE)] == [
            "cs_a"]


async def test_a_claim_beside_an_uncommitted_claim_takes_only_the_other_holds(
    uow: UnitOfWorkFactory,
) -> None:
    await _placed(uow, *(hold(f"cs_{n}", date=day(n), expires_at=at(n)) for n in range(4)))

    async def other_reconciler() -> list[str]:
        async with uow() as tx:
            claimed = await tx.holds.claim_unsettled(at(30), 10, LEASE)
            await tx.commit()
        return [h.session_id for h in claimed]

    async with uow() as tx:
        mine = [h.session_id for h in await tx.holds.claim_unsettled(at(30), 2, LEASE)]
        # Claimed while this claim is uncommitted (or, where transactions take turns, right
        # after it commits): the two reconcilers never ask about the same hold.
        theirs = asyncio.create_task(other_reconciler())
        await asyncio.sleep(0.05)
        await tx.commit()
    assert mine == ["cs_0", "cs_1"]
    assert await asyncio.wait_for(theirs, timeout=10) == ["cs_2", "cs_3"]


async def test_mark_settled_releases_and_settles_like_release(uow: UnitOfWorkFactory) -> None:
    await _placed(uow, hold("cs_1"))
    async with uow() as tx:
        await tx.holds.mark_settled("cs_1", at(5))
        await tx.holds.mark_settled("cs_1", at(6))  # again: the first release time stays
        await tx.holds.mark_settled("cs_nope", at(6))
        await tx.commit()
    async with uow() as tx:
        assert await tx.holds.get("cs_1") == dataclasses.replace(
            hold("cs_1"), released_at=at(5), settled=True)
        assert await tx.holds.get("cs_nope") is None
        assert await tx.holds.active_on(DAY, at(6)) is None


def owned(session_id: str, day_offset: int, *, email: str = "ada@example.com",
          client: str = "192.0.2.1") -> DateHold:
    return dataclasses.replace(hold(session_id, date=day(day_offset)), email=email,
                               client=client)


async def test_an_owner_past_its_limit_is_refused_and_nothing_changes(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        await tx.holds.place(owned("cs_1", 1, email="a@example.com"), NOW, per_owner=2)
        await tx.holds.place(owned("cs_2", 2, email="b@example.com"), NOW, per_owner=2)
        await tx.commit()
    async with uow() as tx:
        with pytest.raises(TooManyHolds) as refused:
            await tx.holds.place(owned("cs_3", 3, email="c@example.com"), at(10), per_owner=2)
    assert "client" in refused.value.message
    assert refused.value.retry_after == pytest.approx(20 * 60)
    async with uow() as tx:
        assert await tx.holds.get("cs_3") is None
        # Another client, and the first one once a hold has lapsed, may hold again.
        await tx.holds.place(owned("cs_4", 4, email="d@example.com", client="192.0.2.2"),
                             at(10), per_owner=2)
        await tx.holds.place(owned("cs_5", 5, email="e@example.com"), at(31), per_owner=2)
        await tx.commit()


async def test_one_email_is_limited_across_clients(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.holds.place(owned("cs_1", 1, client="192.0.2.1"), NOW, per_owner=2)
        await tx.holds.place(owned("cs_2", 2, client="192.0.2.2"), NOW, per_owner=2)
        with pytest.raises(TooManyHolds, match="email"):
            await tx.holds.place(owned("cs_3", 3, client="192.0.2.3"), NOW, per_owner=2)


async def test_the_same_couple_from_the_same_client_replaces_its_older_holds(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        await tx.holds.place(owned("cs_1", 1), NOW, per_owner=1)
        replaced = await tx.holds.place(owned("cs_2", 2), at(1), per_owner=1)
        await tx.commit()
    assert [(h.session_id, h.released_at) for h in replaced] == [("cs_1", at(1))]
    async with uow() as tx:
        old = await tx.holds.get("cs_1")
        assert old is not None and old.released_at == at(1)
        # Released but not settled: the replaced session might still be paid.
        assert not old.settled
        assert await tx.holds.active_on(day(1), at(1)) is None
        assert await tx.holds.get("cs_2") == owned("cs_2", 2)


async def test_holds_of_nobody_count_for_no_one(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        for i in range(3):
            await tx.holds.place(owned(f"cs_{i}", i, email="", client=""), NOW, per_owner=1)
        await tx.commit()


async def test_the_limit_can_be_checked_first_without_counting_the_couples_own_holds(
    uow: UnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        await tx.holds.place(owned("cs_1", 1, email="a@example.com"), NOW, per_owner=2)
        await tx.holds.place(owned("cs_2", 2, email="b@example.com"), NOW, per_owner=2)
        await tx.commit()
    async with uow() as tx:
        with pytest.raises(TooManyHolds, match="client"):
            await tx.holds.refuse_past_limit("c@example.com", "192.0.2.1", at(1), 2)
        # The couple of cs_1, again from this client: their new checkout would replace it.
        await tx.holds.refuse_past_limit("a@example.com", "192.0.2.1", at(1), 2)
        await tx.holds.refuse_past_limit("c@example.com", "192.0.2.9", at(1), 2)
        await tx.holds.refuse_past_limit("c@example.com", "", at(1), 1)
        assert await tx.holds.get("cs_1") == owned("cs_1", 1, email="a@example.com")
