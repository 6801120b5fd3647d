"""How a handler hands the events its entities recorded to the outbox."""

from __future__ import annotations

import datetime as dt

from application.ids import new_id
from application.ports.unit_of_work import UnitOfWork
from domain.events import DomainEvent


async def write_to_outbox(tx: UnitOfWork, events: list[DomainEvent], now: dt.datetime) -> None:
    """Write `events` in the transaction `tx` (they are published once it commits), and empty
    the list: an entity's recorded events are handed over exactly once."""
    for event in events:
        await tx.outbox.add(new_id("msg"), event, now)
    events.clear()
