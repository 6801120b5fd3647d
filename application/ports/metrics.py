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

    def reconcile_run(self, outcome: str) -> None:
        """One periodic reconciler round ended: `ok`, or `failed` (it raised as a whole)."""

    def checkout_conflict(self, reason: str) -> None:
        """A checkout was refused with a 409: the date's reason (`held`, `booked`, `blackout`,
        `past`, `too_far`, `calendar`), `busy` (its lock stayed taken) or `other`."""

    def webhook_signature_failed(self) -> None:
        """A webhook delivery was refused before anything was recorded: its signature was
        missing, wrong or out of tolerance (or the signed body is not a Stripe event)."""

    def refund_issued(self, reason: str) -> None:
        """The provider refunded a payment on our request, outside the paid-session path
        (`admin_cancel`); paid-session refunds come through `paid_session_refunded`."""

    def date_lock_requested(self) -> None:
        """A transaction asked for a date's lock (the lock-timeout rate's denominator)."""
