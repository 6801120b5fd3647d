"""The webhook inbox: records every verified event once and decides, under concurrent and
repeated deliveries, which single delivery does the work (SPEC §4's outcome table)."""

from __future__ import annotations

import json
import logging
import time

from application.booking_policy import BookingPolicy
from application.commands import WebhookAck
from application.payments.event_effects import StripeEventEffects
from application.payments.failure_message import failure_message
from application.payments.paid_session import Claim
from application.ports.clock import Clock
from application.ports.metrics import Metrics
from application.ports.payment import VerifiedEvent
from application.ports.processors import Processors
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from application.serial_lanes import SerialLanes
from application.transactions import with_retries
from domain.errors import WebhookInProgress, WebhookProcessingFailed, WebhookRejected
from domain.timeline import TimelineEntry, TimelineKind
from domain.webhook_event import ClaimOutcome, WebhookEvent, WebhookStatus

log = logging.getLogger("elope.webhooks")


class _RecordedBefore(Exception):
    """The event's first-delivery claim found it recorded by an earlier delivery."""


class WebhookInbox:
    def __init__(
        self, uow: UnitOfWorkFactory, effects: StripeEventEffects, lanes: SerialLanes,
        clock: Clock, policy: BookingPolicy, metrics: Metrics, tracing: Tracing,
        processors: Processors,
    ) -> None:
        self._uow = uow
        self._effects = effects
        self._lanes = lanes
        self._clock = clock
        self._policy = policy
        self._metrics = metrics
        self._tracing = tracing
        self._processors = processors

    async def receive(self, event: VerifiedEvent, correlation_id: str) -> WebhookAck:
        """Answer a delivery: DONE work acknowledges, BUSY work asks for a retry, FAILED
        work is done again."""
        metadata = event.data_object.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        # Sessions made by our checkout name it: this trace links back to the checkout's, and
        # the work is of the booking journey that started there.
        origin = metadata.get("traceparent")
        journey = str(metadata.get("correlationId") or "")
        attributes = {"stripe.event_id": event.event_id, "stripe.event_type": event.event_type,
                      "correlation.id": correlation_id}
        session_id = self._session_of(event)
        if session_id:
            attributes["stripe.session_id"] = session_id
        started = time.perf_counter()
        async with self._lanes.turn(f"event:{event.event_id}"):
            with (self._tracing.journey(journey),
                  self._tracing.linked_span("stripe event", origin, attributes)):
                try:
                    ack = await self._receive(event, correlation_id)
                except WebhookInProgress:
                    self._observe(event, "busy", started)
                    raise
                except WebhookRejected:
                    self._observe(event, "rejected", started)
                    raise
                except WebhookProcessingFailed:
                    self._observe(event, "failed", started)
                    raise
                self._observe(event, ack.outcome, started)
                # Inside the journey, so the line carries the booking's journey id too.
                log.info("stripe event %s (%s): %s", event.event_id, event.event_type,
                         ack.outcome)
        return ack

    async def _receive(self, event: VerifiedEvent, correlation_id: str) -> WebhookAck:
        if self._effects.books(event):
            # First deliveries, the common case, are recorded in the booking's transaction.
            fresh = self._first_delivery(event)
            try:
                return await self._process(event, fresh, correlation_id, self._claimer(fresh))
            except _RecordedBefore:
                pass  # an earlier delivery recorded it: judged below, like any other event
        outcome, record = await self._claim(event)
        session_id = self._session_of(event)
        if outcome is ClaimOutcome.DONE:
            await self._note(session_id, f"{event.event_type} redelivered: already done",
                             correlation_id, event.event_id)
            return WebhookAck(event.event_id, record.status, "already_done")
        if outcome is ClaimOutcome.BUSY:
            raise WebhookInProgress(f"event {event.event_id} is being processed; retry later")
        return await self._process(event, record, correlation_id, None)

    async def _process(
        self, event: VerifiedEvent, record: WebhookEvent, correlation_id: str,
        claim: Claim | None,
    ) -> WebhookAck:
        session_id = self._session_of(event)
        settled: list[WebhookStatus] = []

        async def settle(tx: UnitOfWork, outcome: str, duplicate: bool) -> None:
            done = record.processed(self._clock.now(), duplicate=duplicate)
            await tx.webhook_events.save(done)
            if session_id:
                await tx.timeline.add(TimelineEntry(
                    session_id, self._clock.now(), TimelineKind.WEBHOOK,
                    f"{event.event_type} processed: {outcome}", correlation_id,
                    stripe_event_id=event.event_id))
            settled.append(done.status)

        try:
            result = await self._effects.apply(event, correlation_id, settle, claim)
        except _RecordedBefore:
            raise
        except WebhookRejected as exc:
            log.info("stripe event rejected", extra={
                "event_id": event.event_id, "event_type": event.event_type, "reason": exc.message})
            await self._fail(record, exc.message, session_id, correlation_id)
            raise
        except Exception as exc:
            log.exception("processing %s %s failed", event.event_type, event.event_id)
            await self._fail(record, failure_message(exc, correlation_id), session_id, correlation_id)
            raise WebhookProcessingFailed(
                f"event {event.event_id} could not be processed; it will be processed again"
                " on the next delivery") from exc
        return WebhookAck(event.event_id, settled[-1] if settled else WebhookStatus.PROCESSED,
                          result)

    def _first_delivery(self, event: VerifiedEvent) -> WebhookEvent:
        return WebhookEvent.first_delivery(event.event_id, event.event_type, event.raw_payload,
                                           self._clock.now(), self._policy.webhook_lease,
                                           self._processors.current())

    @staticmethod
    def _claimer(fresh: WebhookEvent) -> Claim:
        async def claim(tx: UnitOfWork) -> None:
            if not await tx.webhook_events.add(fresh):
                raise _RecordedBefore(fresh.event_id)
        return claim

    async def _claim(self, event: VerifiedEvent) -> tuple[ClaimOutcome, WebhookEvent]:
        return await with_retries(lambda: self._claim_once(event))

    async def _claim_once(self, event: VerifiedEvent) -> tuple[ClaimOutcome, WebhookEvent]:
        lease = self._policy.webhook_lease
        me = self._processors.current()
        async with self._uow() as tx:
            now = self._clock.now()
            fresh = WebhookEvent.first_delivery(
                event.event_id, event.event_type, event.raw_payload, now, lease, me)
            if await tx.webhook_events.add(fresh):
                await tx.commit()
                return ClaimOutcome.WORK, fresh
            stored = await tx.webhook_events.get_for_update(event.event_id)
            if stored is None:  # cannot happen: add() just saw it
                raise WebhookProcessingFailed(f"event {event.event_id} vanished")
            gone = await self._claimant_gone(tx, stored)
            updated, outcome = stored.redelivered(now, lease, me, claimant_gone=gone)
            await tx.webhook_events.save(updated)
            await tx.commit()
            return outcome, updated

    async def _claimant_gone(self, tx: UnitOfWork, stored: WebhookEvent) -> bool:
        """Whether the delivery that claimed `stored` can no longer be working on it."""
        if not stored.in_progress or stored.claimed_by is None:
            return False  # nothing to take over, or a claimant nobody can check: the lease
        if stored.claimed_by == self._processors.current():
            # This process's own claim: the event's lane is ours now, so no delivery here is
            # working on it - the one that claimed it failed without recording so.
            return True
        return not await tx.webhook_events.claimant_alive(stored.claimed_by)

    async def _fail(self, record: WebhookEvent, error: str, session_id: str | None,
                    correlation_id: str) -> None:
        try:
            async with self._uow() as tx:
                failed = record.failed(error)
                # A claim made in the failed transaction went with it: record the event now.
                if not await tx.webhook_events.add(failed):
                    await tx.webhook_events.save(failed)
                await tx.commit()
        except Exception:
            # The lease will lapse and the next delivery will do the work again.
            log.exception("could not mark event %s FAILED", record.event_id)
        await self._note(session_id, f"{record.event_type} failed: {error}", correlation_id,
                         record.event_id)

    async def _note(self, session_id: str | None, detail: str, correlation_id: str,
                    event_id: str) -> None:
        if not session_id:
            return
        try:
            async with self._uow() as tx:
                await tx.timeline.add(TimelineEntry(
                    session_id, self._clock.now(), TimelineKind.WEBHOOK, detail, correlation_id,
                    stripe_event_id=event_id))
                await tx.commit()
        except Exception:
            log.exception("could not write the timeline of session %s", session_id)

    @staticmethod
    def _session_of(event: VerifiedEvent) -> str | None:
        if event.event_type.startswith("checkout.session."):
            return str(event.data_object.get("id") or "") or None
        return None

    def _observe(self, event: VerifiedEvent, outcome: str, started: float) -> None:
        # On the "stripe event" span too: a tracing UI shows what the delivery came to.
        self._tracing.annotate({"webhook.outcome": outcome})
        self._metrics.webhook_processed(event.event_type, outcome, time.perf_counter() - started)


def stored_event(record: WebhookEvent) -> VerifiedEvent:
    """Rebuild a verified event from the raw payload the inbox stored when it was verified."""
    payload = json.loads(record.raw_payload)
    data = payload.get("data", {}).get("object", {})
    return VerifiedEvent(record.event_id, record.event_type, data, record.raw_payload)
