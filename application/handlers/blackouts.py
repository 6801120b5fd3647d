"""AddBlackout and RemoveBlackout."""

from __future__ import annotations

from application.commands import AddBlackout, RemoveBlackout
from application.ids import new_id
from application.ports.clock import Clock
from application.ports.unit_of_work import UnitOfWorkFactory
from application.serial_lanes import SerialLanes
from domain.blackout import Blackout
from domain.errors import Conflict, NotFound
from domain.event_date import EventDate


async def add_blackout(
    command: AddBlackout, *, uow: UnitOfWorkFactory, lanes: SerialLanes, clock: Clock,
) -> Blackout:
    """Take a date off sale. A booked date, a date a couple is paying for right now, or one
    already blacked out, is a conflict."""
    date = EventDate.parse(command.date)
    blackout = Blackout.create(new_id("blk"), date, command.reason)
    async with lanes.turn(f"date:{date}"), uow() as tx:
        await tx.lock_date(date)
        if await tx.bookings.paid_on(date) is not None:
            raise Conflict(f"{date} is booked; cancel the booking first")
        hold = await tx.holds.active_on(date, clock.now())
        if hold is not None:
            raise Conflict(f"{date} is held by a checkout until {hold.expires_at.isoformat()}")
        await tx.blackouts.add(blackout)
        await tx.commit()
    return blackout


async def remove_blackout(command: RemoveBlackout, *, uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        if await tx.blackouts.get(command.blackout_id) is None:
            raise NotFound(f"no blackout '{command.blackout_id}'")
        await tx.blackouts.remove(command.blackout_id)
        await tx.commit()
