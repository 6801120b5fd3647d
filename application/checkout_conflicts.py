"""Why a checkout was answered 409, as /metrics counts it: a date held by another couple is
business as usual, a date whose lock stays busy is contention, a blackout is the admin's."""

from __future__ import annotations

from application.ports.metrics import Metrics
from domain.errors import Conflict, DateAlreadyBooked, DateBusy, DateUnavailable


def conflict_reason(error: Conflict) -> str:
    """The date's reason (`held`, `booked`, `blackout`, `past`, `too_far`, `calendar`),
    `busy` when the date's lock stayed taken, `other` for the rest (a package removed
    meanwhile)."""
    if isinstance(error, DateUnavailable):
        return error.reason
    if isinstance(error, DateAlreadyBooked):
        return "booked"
    if isinstance(error, DateBusy):
        return "busy"
    return "other"


def count_checkout_conflict(metrics: Metrics, error: BaseException) -> None:
    """Count `error` if it is a 409 (a Conflict); anything else is not a conflict."""
    if isinstance(error, Conflict):
        metrics.checkout_conflict(conflict_reason(error))
