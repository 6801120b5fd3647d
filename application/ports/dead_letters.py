"""Dead letters: verified webhook events the inbox could not record because the database was
down, kept outside the database until it is back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class DeadLetter:
    """A verified Stripe event, as it arrived, and the delivery it arrived with."""

    event_id: str
    event_type: str
    raw_payload: str
    received_at: dt.datetime
    correlation_id: str


@dataclass(frozen=True)
class UnreadableLetter:
    """Something in the queue that is not a dead letter this service wrote (corrupted,
    altered, or put there by someone else): reported and left where it is."""

    name: str
    problem: str


class DeadLetters(Protocol):
    """A durable queue of dead letters, at most one per event id."""

    async def add(self, letter: DeadLetter) -> bool:
        """Keep `letter` durably: on stable storage when this returns. False, and nothing
        changed, when a letter for the same event id is kept already."""
        ...

    async def list(self) -> list[DeadLetter | UnreadableLetter]:
        """Every entry of the queue, dead letters oldest first. Cheap when it is empty."""
        ...

    async def remove(self, event_id: str) -> None:
        """Forget the letter of `event_id` (durably); nothing happens when there is none."""
        ...
