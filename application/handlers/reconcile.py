"""ReconcileHolds: the safety net for lost webhooks."""

from __future__ import annotations

import logging

from application.commands import ReconcileHolds, ReconcileReport
from application.payments.paid_session import PaidSessionCompleter
from application.ports.clock import Clock
from application.ports.payment import PaymentProvider
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.timeline import TimelineEntry, TimelineKind

log = logging.getLogger("elope.reconcile")

BATCH = 100


async def reconcile_holds(
    command: ReconcileHolds, *, uow: UnitOfWorkFactory, payments: PaymentProvider,
    completer: PaidSessionCompleter, clock: Clock,
) -> ReconcileReport:
    """Ask the provider about every hold whose session should have finished: a paid session
    is completed exactly as its webhook would have; an expired one releases its hold."""
    async with uow() as tx:
        due = await tx.holds.unsettled_expired(clock.now(), BATCH)
    completed = released = still_open = 0
    for hold in due:
        state = await payments.retrieve_session(hold.session_id)
        if state.status == "complete" and state.payment_status == "paid":
            await completer.complete(state.data_object, command.correlation_id, _no_inbox)
            completed += 1
            continue
        if state.status == "open":
            # Past our hold but still payable at the provider: close it first, so it cannot
            # be paid after its date was given to someone else.
            await payments.expire_session(hold.session_id)
            still_open += 1
        async with uow() as tx:
            now = clock.now()
            if await tx.holds.release(hold.session_id, now) is not None:
                await tx.timeline.add(TimelineEntry(
                    hold.session_id, now, TimelineKind.HOLD,
                    f"reconciler: session {state.status}, hold released",
                    command.correlation_id))
                released += 1
            await tx.commit()
    if due:
        log.info("reconciled %d holds: %d completed, %d released", len(due), completed, released)
    return ReconcileReport(completed, released, still_open)

async def _no_inbox(tx: UnitOfWork, duplicate: bool) -> None:
    """The reconciler has no webhook record to settle."""
