"""Domain errors. Entry points map each class to one HTTP status and error code."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain and application raise on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    """Input is malformed; nothing was changed."""


class NotFound(DomainError):
    """The thing asked for does not exist (or is not visible to the caller)."""


class Conflict(DomainError):
    """The request is well formed but clashes with the current state."""


class DateUnavailable(Conflict):
    def __init__(self, date: str, reason: str) -> None:
        super().__init__(f"{date} is not available: {reason}")
        self.date = date
        self.reason = reason


class DateBusy(Conflict):
    """Another transaction holds the date right now; the caller may retry."""

    def __init__(self, date: str) -> None:
        super().__init__(f"{date} is being booked by another request; try again")


class StaleVersion(Conflict):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was changed by someone else; reload and try again")


class Unauthorized(DomainError):
    """Missing or wrong credentials."""


class RateLimited(DomainError):
    """Too many attempts; the caller must wait (`retry_after` seconds, when known)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyHolds(RateLimited):
    """The client (or the email) already holds as many dates as it may (HOLDS_PER_CLIENT)."""

    def __init__(self, owner: str, limit: int, retry_after: float | None = None) -> None:
        super().__init__(
            f"this {owner} already holds {limit} date{'s' if limit != 1 else ''} in checkouts"
            " not yet paid; pay or cancel one (or wait for it to expire) first", retry_after)


class WebhookRejected(DomainError):
    """A webhook whose signature, or whose content, cannot be trusted or used (422)."""


class WebhookInProgress(DomainError):
    """Another delivery of the same event is being processed; the sender should retry."""


class PaymentProviderUnavailable(DomainError):
    """The payment provider did not answer (connection, timeout, rate limit); nothing was
    charged or changed, and trying again later may work (503)."""


class PaymentProviderFailed(DomainError):
    """The payment provider answered with an error it will repeat (bad request, card or
    authentication error, unknown object): a 502, with none of the provider's words."""


class DateAlreadyBooked(Conflict):
    """The date has a PAID booking (the one-booking-per-date invariant)."""

    def __init__(self, date: str) -> None:
        super().__init__(f"{date} is already booked")
        self.date = date


class WebhookProcessingFailed(DomainError):
    """Processing a verified event failed for a transient reason; the sender should retry."""


class StorageUnavailable(DomainError):
    """The database cannot be reached or did not answer in time; nothing was changed."""


class Unstorable(ValidationFailed):
    """The database refuses a value for good - a NUL, a lone surrogate, text longer than its
    column - so no retry will ever store it (both stores raise it; the edge should have
    refused the value first, see domain/text.py)."""


class TransientFailure(DomainError):
    """A transaction lost a race it may win on a retry (serialization failure, deadlock)."""
