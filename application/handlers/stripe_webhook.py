"""RecordStripeEvent and ReplayStripeEvent: deliveries into the webhook inbox."""

from __future__ import annotations

from application.commands import RecordStripeEvent, ReplayStripeEvent, WebhookAck
from application.payments.inbox import WebhookInbox, stored_event
from application.ports.metrics import Metrics
from application.ports.payment import PaymentProvider
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.errors import NotFound, WebhookRejected


async def record_stripe_event(
    command: RecordStripeEvent, *, payments: PaymentProvider, inbox: WebhookInbox,
    metrics: Metrics,
) -> WebhookAck:
    """Verify the signature on the raw bytes (nothing is recorded when it fails, so it is
    counted here: a rotated secret would otherwise turn every payment away unseen), then
    let the inbox decide what this delivery does."""
    try:
        event = payments.verify_webhook(command.raw_body, command.signature)
    except WebhookRejected:
        metrics.webhook_signature_failed()
        raise
    return await inbox.receive(event, command.correlation_id)


async def replay_stripe_event(
    command: ReplayStripeEvent, *, uow: UnitOfWorkFactory, inbox: WebhookInbox,
) -> WebhookAck:
    """Process a stored event again, under the same idempotency rules as a delivery."""
    async with uow() as tx:
        record = await tx.webhook_events.get_for_update(command.event_id)
    if record is None:
        raise NotFound(f"no webhook event '{command.event_id}'")
    return await inbox.receive(stored_event(record), command.correlation_id)
