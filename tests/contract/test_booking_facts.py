"""BookingFactsReader: what booking a paid session depends on, in one read."""

from __future__ import annotations

import dataclasses

from application.ports.booking_facts import BookingFacts
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.blackout import Blackout
from domain.booking import BookingStatus
from domain.event_date import EventDate
from tests.contract.samples import DAY, PACKAGE_ID, add_on, booking, day, package, seed_package


async def _facts(uow: UnitOfWorkFactory, session_id: str = "cs_new", *, date: EventDate = DAY,
                 package_id: str = PACKAGE_ID, payment_intent_id: str | None = "pi_new",
                 ) -> BookingFacts:
    async with uow() as tx:
        return await tx.booking_facts.for_paid_session(session_id, date, package_id,
                                                       payment_intent_id)


async def test_an_open_date_has_only_its_package(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.packages.add_add_on(add_on("ao_1"))
        await tx.packages.add_add_on(add_on("ao_2"))
        await tx.commit()
        stored = await tx.packages.get(PACKAGE_ID)
    facts = await _facts(uow)
    assert facts == BookingFacts(booked_by_session=False, date_booked=False, blackout=False,
                                 package=stored, refunded_early=False)
    assert facts.package is not None and [a.id for a in facts.package.add_ons] == ["ao_1", "ao_2"]


async def test_a_sessions_booking_counts_whatever_its_status_and_date(
    uow: UnitOfWorkFactory,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.bookings.add(booking("bk_1", "cs_mine", date=day(3),
                                      status=BookingStatus.REFUNDED))
        await tx.commit()
    mine = await _facts(uow, "cs_mine")
    assert mine.booked_by_session is True and mine.date_booked is False
    assert (await _facts(uow, "cs_other")).booked_by_session is False


async def test_only_a_paid_booking_takes_the_date(uow: UnitOfWorkFactory) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.bookings.add(booking("bk_1"))
        await tx.bookings.add(booking("bk_2", date=day(1), status=BookingStatus.CANCELED))
        await tx.commit()
    assert (await _facts(uow)).date_booked is True
    assert (await _facts(uow, date=day(1))).date_booked is False


async def test_a_blackout_an_early_refund_and_a_deleted_package_are_seen(
    uow: UnitOfWorkFactory,
) -> None:
    await seed_package(uow)
    async with uow() as tx:
        await tx.blackouts.add(Blackout.create("bo_1", DAY, "closed"))
        await tx.early_refunds.remember("pi_early")
        await tx.commit()
    facts = await _facts(uow, payment_intent_id="pi_early")
    assert facts.blackout is True and facts.refunded_early is True
    assert (await _facts(uow, date=day(1), payment_intent_id=None)) == dataclasses.replace(
        facts, blackout=False, refunded_early=False)
    assert (await _facts(uow, package_id="pkg_gone")).package is None
    assert facts.package == dataclasses.replace(package(), add_ons=())
