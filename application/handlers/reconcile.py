"""ReconcileHolds: the safety net for lost and out-of-order webhooks."""

from __future__ import annotations

import datetime as dt
import logging

from application.commands import HoldReconciled, ReconcileHolds, ReconcileReport
from application.payments.paid_session import PaidSessionCompleter
from application.ports.clock import Clock
from application.ports.metrics import Metrics
from application.ports.payment import PaymentProvider
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.errors import DomainError
from domain.hold import DateHold
from domain.timeline import TimelineEntry, TimelineKind

log = logging.getLogger("elope.reconcile")

BATCH = 100
# How long a claimed hold is this reconciler's: long enough to ask the provider about a
# batch; also how long a hold that failed, or whose async payment is pending, waits before
# it is asked about again.
CLAIM = dt.timedelta(minutes=5)


async def reconcile_holds(
    command: ReconcileHolds, *, uow: UnitOfWorkFactory, payments: PaymentProvider,
    completer: PaidSessionCompleter, clock: Clock, metrics: Metrics, tracing: Tracing,
) -> ReconcileReport:
    """Ask the provider about every hold whose session should have finished: a paid session
    is completed exactly as its webhook would have; an expired one - or one still open past
    its hold, which is expired first - releases its hold; one whose async payment is pending
    keeps it. A hold that fails is logged, counted and left for a later round; the others go
    on. Several reconcilers at once take disjoint holds."""
    outcomes: list[HoldReconciled] = []
    while True:
        async with uow() as tx:
            due = await tx.holds.claim_unsettled(clock.now(), BATCH, CLAIM)
            await tx.commit()
        for hold in due:
            # A span per hold, of the hold's booking journey; none for a round that finds
            # nothing to do (the command itself is not traced).
            with (tracing.journey(hold.correlation_id),
                  tracing.span("reconcile hold", {"stripe.session_id": hold.session_id,
                                                  "correlation.id": command.correlation_id})):
                outcome = await _reconcile_one(hold, command.correlation_id, uow, payments,
                                               completer, clock)
                tracing.annotate({"reconcile.action": outcome.action})
            metrics.reconcile_action(outcome.action)
            log.info("reconciler: hold %s (%s) %s: %s", hold.session_id, hold.event_date,
                     outcome.action, outcome.detail)
            outcomes.append(outcome)
        if len(due) < BATCH:
            break
    report = ReconcileReport(tuple(outcomes))
    if outcomes:
        log.info("reconciled %d holds: %d completed, %d released, %d failed", len(outcomes),
                 report.completed, report.released, report.failed)
    return report


async def _reconcile_one(
    hold: DateHold, correlation_id: str, uow: UnitOfWorkFactory, payments: PaymentProvider,
    completer: PaidSessionCompleter, clock: Clock,
) -> HoldReconciled:
    def outcome(action: str, detail: str) -> HoldReconciled:
        return HoldReconciled(hold.session_id, str(hold.event_date), action, detail)

    try:
        state = await payments.retrieve_session(hold.session_id)
        if state.status == "complete" and state.payment_status == "paid":
            done = await completer.complete(state.data_object, correlation_id, _no_inbox)
            return outcome("completed", f"paid at the provider: {done.value}")
        if state.status == "complete":
            # An async payment (bank debit) still pending: its outcome event will come; the
            # date stays held for the couple meanwhile.
            return outcome("kept", "payment pending at the provider; hold kept")
        if state.status == "open":
            # Past our hold but still payable: close it first, so it cannot be paid after
            # its date was given to someone else.
            await payments.expire_session(hold.session_id)
        await _release(uow, clock, hold, state.status, correlation_id)
        return outcome("released", f"session {state.status}; hold released")
    except Exception as exc:  # one bad hold must not stop the others
        reason = exc.message if isinstance(exc, DomainError) else type(exc).__name__
        log.warning("reconciler: hold %s failed: %s", hold.session_id, reason,
                    exc_info=not isinstance(exc, DomainError))
        return outcome("failed", f"{reason}; tried again in {int(CLAIM.total_seconds())} s")


async def _release(
    uow: UnitOfWorkFactory, clock: Clock, hold: DateHold, status: str, correlation_id: str,
) -> None:
    async with uow() as tx:
        now = clock.now()
        if await tx.holds.release(hold.session_id, now) is not None:
            await tx.timeline.add(TimelineEntry(
                hold.session_id, now, TimelineKind.HOLD,
                f"reconciler: session {status}, hold released", correlation_id))
        await tx.commit()


async def _no_inbox(tx: UnitOfWork, outcome: str, duplicate: bool) -> None:
    """The reconciler has no webhook record to settle."""
