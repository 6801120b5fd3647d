"""A checkout's hold on a date, from session creation until it expires or completes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from domain.event_date import EventDate


@dataclass(frozen=True)
class DateHold:
    session_id: str
    event_date: EventDate
    expires_at: dt.datetime
    released_at: dt.datetime | None = None
    correlation_id: str = ""
    # The package being paid for: it must not be deleted from under the couple.
    package_id: str = ""
    # True once the session's outcome is known (paid, expired, reconciled). A hold that lapsed
    # and was superseded by a newer checkout is released but not settled: the reconciler must
    # still ask the provider whether it was paid.
    settled: bool = False
    # Who holds it: the couple's email (normalized) and the client that asked (its address
    # key), so open holds can be counted per owner. '' (holds from before) is nobody.
    email: str = ""
    client: str = ""

    def is_active(self, now: dt.datetime) -> bool:
        """Active until released or expired: an expired hold blocks nobody."""
        return self.released_at is None and now < self.expires_at
