"""AbandonCheckout: the couple gave up at the provider's page, so their date is freed at once
instead of staying held until the session expires (up to CHECKOUT_HOLD_MINUTES)."""

from __future__ import annotations

import logging

from application.commands import AbandonCheckout
from application.ports.clock import Clock
from application.ports.payment import PaymentProvider
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import DomainError
from domain.timeline import TimelineEntry, TimelineKind

log = logging.getLogger("elope.checkout")


async def abandon_checkout(
    command: AbandonCheckout, *, uow: UnitOfWorkFactory, payments: PaymentProvider,
    clock: Clock,
) -> bool:
    """Close the session at the provider and release its hold - only while it is unpaid:
    a session that completed (paid, or an async payment pending) keeps its hold, and its
    webhook decides. True when the date was freed. Anything the provider refuses or cannot
    answer leaves the hold as it was, to expire as usual."""
    async with uow() as tx:
        hold = await tx.holds.get(command.session_id)
    if hold is None or hold.released_at is not None:
        return False
    try:
        state = await payments.retrieve_session(command.session_id)
        if state.status == "complete":
            return False
        if state.status == "open":
            # Closed first: once expired it cannot be paid, so the date may go to others.
            # Paid in the meantime, the provider refuses, and the hold stays.
            await payments.expire_session(command.session_id)
    except DomainError as exc:
        log.warning("could not close abandoned session %s: %s", command.session_id, exc.message)
        return False
    async with uow() as tx:
        now = clock.now()
        released = await tx.holds.release(command.session_id, now) is not None
        if released:
            await tx.timeline.add(TimelineEntry(
                command.session_id, now, TimelineKind.HOLD,
                "checkout abandoned at the payment page: session expired, hold released",
                hold.correlation_id))
        await tx.commit()
    return released
