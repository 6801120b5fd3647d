"""Tell the couple what happened: the event's template (mail_templates), sent once per key."""

from __future__ import annotations

import logging

from application.mail_templates import TEMPLATES, CoupleEmail
from application.ports.clock import Clock
from application.ports.mail import Mailer, MailRejected
from application.ports.metrics import Metrics
from application.ports.tracing import Tracing
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.events import DomainEvent
from domain.timeline import TimelineEntry, TimelineKind

log = logging.getLogger("elope.mail")


async def email_couple(
    event: DomainEvent, *, uow: UnitOfWorkFactory, mailer: Mailer, clock: Clock,
    metrics: Metrics, tracing: Tracing,
) -> None:
    """Send the event's email unless the sent-mail log has its key; then log it, and put it on
    the session's timeline. A crash between the send and the log sends it again on the next
    delivery; the mailer's idempotency key makes that second send harmless where it can.

    A message the mail service refuses for good (`MailRejected`) is logged as handled too, so
    it is never retried, and the timeline says why; any other failure is put on the timeline
    and propagates, and the outbox delivers the event again later."""
    email = TEMPLATES[type(event)](event)
    async with uow() as tx:
        if await tx.sent_mail.was_sent(email.key):
            return
    refused: MailRejected | None = None
    try:
        await _send(email, event, mailer, tracing)
    except MailRejected as rejected:
        # Raising would have the outbox retry a message that can only fail again.
        refused = rejected
    except Exception as exc:
        await _note(uow, clock, email, event, f"email '{email.message.subject}' could not be"
                    f" sent ({type(exc).__name__}); it will be tried again")
        raise
    if refused is None:
        detail = f"email '{email.message.subject}' sent to {email.message.to}"
    else:
        detail = f"email '{email.message.subject}' was refused by the mail service: {refused}"
    async with uow() as tx, tx.batch():
        await tx.sent_mail.record(email.key, clock.now())
        await tx.timeline.add(TimelineEntry(
            email.session_id, clock.now(), TimelineKind.EMAIL, detail, event.correlation_id))
        await tx.commit()
    if refused is not None:
        # After the commit: a failed commit is retried, and would count the refusal twice.
        metrics.mail_rejected()
        log.warning("email %s refused by the mail service, not retried: %s", email.key, refused)
    else:
        # The template and key, never the address: log lines are read by more people.
        log.info("email %s sent (%s)", email.key, email.message.template)


async def _send(email: CoupleEmail, event: DomainEvent, mailer: Mailer, tracing: Tracing) -> None:
    attributes = {"mail.template": email.message.template, "mail.provider": mailer.provider,
                  "stripe.session_id": email.session_id}
    booking_id = getattr(event, "booking_id", None)  # not every event has made a booking
    if isinstance(booking_id, str):
        attributes["booking.id"] = booking_id
    with tracing.span("mail.send", attributes):
        await mailer.send(email.message, email.key)


async def _note(
    uow: UnitOfWorkFactory, clock: Clock, email: CoupleEmail, event: DomainEvent, detail: str,
) -> None:
    try:
        async with uow() as tx:
            await tx.timeline.add(TimelineEntry(
                email.session_id, clock.now(), TimelineKind.EMAIL, detail, event.correlation_id))
            await tx.commit()
    except Exception:
        # The send failed already; the retry matters more than this line on the timeline.
        log.exception("could not note the failed email %s on the timeline", email.key)
