"""From a verified event to a dead letter and back, and when an event becomes one: only when
the database is down (any other failure is the inbox's to record and answer)."""

from __future__ import annotations

import datetime as dt
import json

from application.ports.dead_letters import DeadLetter
from application.ports.payment import VerifiedEvent
from domain.errors import StorageUnavailable, WebhookProcessingFailed


def database_down(error: BaseException) -> bool:
    """Whether the inbox failed because the database could not be reached. The inbox reports
    a failure inside processing as WebhookProcessingFailed, the unreachable database as its
    cause; outside processing (claiming a redelivery) as StorageUnavailable itself."""
    if isinstance(error, StorageUnavailable):
        return True
    return isinstance(error, WebhookProcessingFailed) and isinstance(
        error.__cause__, StorageUnavailable)


def letter_of(event: VerifiedEvent, correlation_id: str, received_at: dt.datetime) -> DeadLetter:
    return DeadLetter(event.event_id, event.event_type, event.raw_payload, received_at,
                      correlation_id)


def event_of(letter: DeadLetter) -> VerifiedEvent:
    """The verified event again, from the raw payload kept when its signature checked out
    (as the inbox's `stored_event` does from a stored record)."""
    payload = json.loads(letter.raw_payload)
    data = payload.get("data") if isinstance(payload, dict) else None
    found = data.get("object") if isinstance(data, dict) else None
    # Not of Stripe's shape: the inbox judges an empty object as it would judge the event.
    return VerifiedEvent(letter.event_id, letter.event_type,
                         found if isinstance(found, dict) else {}, letter.raw_payload)
