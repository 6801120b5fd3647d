"""The `lastError` an admin reads in the webhook inbox when processing failed.

Our own errors speak our words. A builtin error (a timeout, a lost connection) is named with
its message. Anything else comes from a driver or a library, whose text may quote SQL, stored
values, constraint names or keys: the admin gets the kind of failure and the correlation id
that finds the full story in the log, never that text."""

from __future__ import annotations

from domain.errors import DomainError
from domain.text import shown

LIMIT = 300


def failure_message(exc: BaseException, correlation_id: str) -> str:
    if isinstance(exc, DomainError):
        return shown(exc.message, LIMIT)
    if type(exc).__module__ == "builtins":
        return shown(f"{type(exc).__name__}: {exc}", LIMIT)
    return (f"unexpected failure while processing; it will be processed again. The log has the"
            f" details under correlation id {shown(correlation_id, 128)}")
