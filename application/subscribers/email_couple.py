"""Tell the couple what happened: the event's template (mail_templates), sent once per key."""

from __future__ import annotations

import logging

from application.mail_templates import TEMPLATES
from application.ports.clock import Clock
from application.ports.mail import Mailer, MailRejected
from application.ports.metrics import Metrics
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.events import DomainEvent
from domain.timeline import TimelineEntry, TimelineKind

log = logging.getLogger("elope.mail")


async def email_couple(
    event: DomainEvent, *, uow: UnitOfWorkFactory, mailer: Mailer, clock: Clock, metrics: Metrics,
) -> None:
    """Send the event's email unless the sent-mail log has its key; then log it, and put it on
    the session's timeline. A crash between the send and the log sends it again on the next
    delivery; the mailer's idempotency key makes that second send harmless where it can.

    A message the mail service refuses for good (`MailRejected`) is logged as handled too, so
    it is never retried, and the timeline says why; any other failure propagates, and the
    outbox delivers the event again later."""
    email = TEMPLATES[type(event)](event)
    async with uow() as tx:
        if await tx.sent_mail.was_sent(email.key):
            return
    refused: MailRejected | None = None
    try:
        await mailer.send(email.message, email.key)
    except MailRejected as rejected:
        # Raising would have the outbox retry a message that can only fail again.
        refused = rejected
    if refused is None:
        detail = f"email '{email.message.subject}' sent to {email.message.to}"
    else:
        detail = f"email '{email.message.subject}' was refused by the mail service: {refused}"
    async with uow() as tx, tx.batch():
        now = clock.now()
        await tx.sent_mail.record(email.key, now)
        await tx.timeline.add(TimelineEntry(
            email.session_id, now, TimelineKind.EMAIL, detail, event.correlation_id))
        await tx.commit()
    if refused is not None:
        # After the commit: a failed commit is retried, and would count the refusal twice.
        metrics.mail_rejected()
        log.warning("email %s refused by the mail service, not retried: %s", email.key, refused)
