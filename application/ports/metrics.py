from __future__ import annotations

from typing import Protocol


class Metrics(Protocol):
    """The counters and histograms operations watch (exposed on /metrics)."""

    def webhook_processed(self, event_type: str, outcome: str, seconds: float) -> None: ...

    def booking_created(self, seconds: float) -> None: ...

    def booking_conflict(self, where: str) -> None: ...

    def lock_timeout(self) -> None: ...

    def subscriber_failed(self, subscriber: str) -> None: ...

    def paid_session_refunded(self, reason: str) -> None:
        """A paid session was refunded instead of booked (date taken, amount mismatch...)."""

    def mail_rejected(self) -> None:
        """The mail service refused a message for good (it is not retried)."""

    def calendar_failed(self, operation: str) -> None:
        """A calendar read or write failed (`read`, `block`, `free`)."""

    def reconcile_action(self, action: str) -> None:
        """What the reconciler did with one hold (`completed`, `released`, `kept`, `failed`...)."""

    def request_finished(self, method: str, route: str, status: int, seconds: float) -> None:
        """An HTTP request was answered; `route` is its template (`/v1/bookings/{booking_id}`)
        or a fixed label for an unmatched path, never the raw path: one series per route."""
