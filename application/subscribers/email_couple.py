"""Tell the couple what happened: the event's template (mail_templates), sent once per key."""

from __future__ import annotations

from application.mail_templates import TEMPLATES
from application.ports.clock import Clock
from application.ports.mail import Mailer
from application.ports.unit_of_work import UnitOfWorkFactory
from domain.events import DomainEvent
from domain.timeline import TimelineEntry, TimelineKind


async def email_couple(
    event: DomainEvent, *, uow: UnitOfWorkFactory, mailer: Mailer, clock: Clock,
) -> None:
    """Send the event's email unless the sent-mail log has its key; then log it, and put it on
    the session's timeline. A crash between the send and the log sends it again on the next
    delivery; the mailer's idempotency key makes that second send harmless where it can."""
    email = TEMPLATES[type(event)](event)
    async with uow() as tx:
        if await tx.sent_mail.was_sent(email.key):
            return
    await mailer.send(email.message, email.key)
    async with uow() as tx:
        now = clock.now()
        await tx.sent_mail.record(email.key, now)
        await tx.timeline.add(TimelineEntry(
            email.session_id, now, TimelineKind.EMAIL,
            f"email '{email.message.subject}' sent to {email.message.to}", event.correlation_id))
        await tx.commit()
