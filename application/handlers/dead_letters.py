"""ReplayDeadLetters: webhook events kept while the database was down go into the inbox."""

from __future__ import annotations

import logging

from application.commands import DeadLetterReplayed, DeadLetterReport, ReplayDeadLetters
from application.payments.dead_letters import database_down, event_of
from application.payments.inbox import WebhookInbox
from application.ports.dead_letters import DeadLetters, UnreadableLetter
from domain.errors import DomainError, WebhookInProgress, WebhookRejected

log = logging.getLogger("elope.webhooks")


async def replay_dead_letters(
    command: ReplayDeadLetters, *, dead_letters: DeadLetters, inbox: WebhookInbox,
) -> DeadLetterReport:
    """Deliver each dead letter into the inbox, as a delivery of its event would be: the inbox
    records an event once, so a letter whose event Stripe delivered again meanwhile comes to
    `already_done`, never to a second booking. A letter leaves the queue only once the inbox
    has answered for good; while the database is still down the round stops at the first
    letter. Unreadable files are reported and left for a person."""
    entries = await dead_letters.list()
    done: list[DeadLetterReplayed] = []
    for entry in entries:
        if isinstance(entry, UnreadableLetter):
            log.warning("dead letter %s left in the queue: %s", entry.name, entry.problem)
            done.append(DeadLetterReplayed(entry.name, "left", entry.problem))
            continue
        name = entry.event_id
        try:
            verified = event_of(entry)
        except ValueError:  # cannot be, for a sealed letter; but never stall the queue on one
            done.append(DeadLetterReplayed(name, "left", "its payload is not JSON"))
            continue
        try:
            ack = await inbox.receive(verified, entry.correlation_id)
        except WebhookRejected as exc:
            # Recorded FAILED by the inbox (shown to the admin): retrying cannot change it.
            await dead_letters.remove(entry.event_id)
            done.append(DeadLetterReplayed(name, "delivered", f"rejected: {exc.message}"))
            continue
        except DomainError as exc:
            if database_down(exc):
                done.append(DeadLetterReplayed(name, "kept", "the database is still down"))
                break
            why = ("another delivery is processing it" if isinstance(exc, WebhookInProgress)
                   else f"{type(exc).__name__}: {exc.message}")
            done.append(DeadLetterReplayed(name, "kept", why))
            continue
        await dead_letters.remove(entry.event_id)
        done.append(DeadLetterReplayed(name, "delivered", ack.outcome))
    report = DeadLetterReport(tuple(done))
    if entries:
        log.info("dead letters: %d delivered, %d kept, %d left", report.count("delivered"),
                 report.count("kept"), report.count("left"))
    return report
