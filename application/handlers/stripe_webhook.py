"""RecordStripeEvent and ReplayStripeEvent: deliveries into the webhook inbox."""

from __future__ import annotations

import logging

from application.commands import RecordStripeEvent, ReplayStripeEvent, WebhookAck
from application.payments.dead_letters import database_down, letter_of
from application.payments.inbox import WebhookInbox, stored_event
from application.ports.clock import Clock
from application.ports.dead_letters import DeadLetters
from application.ports.metrics import Metrics
from application.ports.payment import PaymentProvider, VerifiedEvent
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import (
    DomainError,
    NotFound,
    StorageUnavailable,
    WebhookProcessingFailed,
    WebhookRejected,
)
from domain.webhook_event import WebhookStatus

log = logging.getLogger("elope.webhooks")


async def record_stripe_event(
    command: RecordStripeEvent, *, payments: PaymentProvider, inbox: WebhookInbox,
    metrics: Metrics, dead_letters: DeadLetters, clock: Clock, uow: UnitOfWorkFactory,
) -> WebhookAck:
    """Verify the signature on the raw bytes (nothing is recorded when it fails, so it is
    counted here: a rotated secret would otherwise turn every payment away unseen), then
    let the inbox decide what this delivery does. When the database could not be reached
    the event is kept as a dead letter, delivered into the inbox by the replay once the
    database is back; Stripe retries too, and the inbox takes whichever comes first, once.
    The answer is 503 - or SPEC §4's 500 when the inbox did record the event FAILED (a
    connection lost in the middle of the work, the database itself up)."""
    try:
        event = payments.verify_webhook(command.raw_body, command.signature)
    except WebhookRejected:
        metrics.webhook_signature_failed()
        raise
    try:
        return await inbox.receive(event, command.correlation_id)
    except (StorageUnavailable, WebhookProcessingFailed) as exc:
        if not database_down(exc):
            raise
        # Kept before anything else is tried, so that a request cut short loses nothing.
        kept = await _keep(dead_letters, event, command.correlation_id, clock)
        if not kept or await _recorded_failed(uow, event.event_id):
            raise
        raise StorageUnavailable(
            "the database is unavailable; the event is kept and will be processed once it is"
            " back") from exc


async def _keep(dead_letters: DeadLetters, event: VerifiedEvent, correlation_id: str,
                clock: Clock) -> bool:
    try:
        await dead_letters.add(letter_of(event, correlation_id, clock.now()))
    except OSError:
        # Stripe's retries are then all there is; the answer is the same either way.
        log.exception("could not keep event %s as a dead letter", event.event_id)
        return False
    log.warning("database down: event %s (%s) kept as a dead letter", event.event_id,
                event.event_type)
    return True


async def _recorded_failed(uow: UnitOfWorkFactory, event_id: str) -> bool:
    """Whether the inbox managed to record the event FAILED (one read, on this rare path
    only); False when that cannot be known, the database being still out of reach."""
    try:
        async with uow() as tx:
            record = await tx.webhook_events.get_for_update(event_id)
    except DomainError:
        return False  # unreachable, or busy: the answer stays "unavailable, retry"
    return record is not None and record.status is WebhookStatus.FAILED


async def replay_stripe_event(
    command: ReplayStripeEvent, *, uow: UnitOfWorkFactory, inbox: WebhookInbox,
) -> WebhookAck:
    """Process a stored event again, under the same idempotency rules as a delivery."""
    async with uow() as tx:
        record = await tx.webhook_events.get_for_update(command.event_id)
    if record is None:
        raise NotFound(f"no webhook event '{command.event_id}'")
    return await inbox.receive(stored_event(record), command.correlation_id)
