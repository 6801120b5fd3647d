from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol


class TraceContext(Protocol):
    """Where the current work sits in its trace; what stored records keep of it."""

    def current_traceparent(self) -> str | None:
        """The W3C traceparent of the current span, to carry to a later, linked trace."""

    def current_trace_id(self) -> str:
        """The current trace's id (32 hex digits), or "" when nothing is traced."""


class Tracing(TraceContext, Protocol):
    """Spans around commands, subscribers and outside calls; the correlation id (and the
    journey id, inside `journey`) is stamped on every span by the adapter."""

    def span(self, name: str, attributes: dict[str, str]) -> AbstractContextManager[None]:
        """A child of the current span; an exception that escapes it is recorded on it."""

    def linked_span(
        self, name: str, traceparent: str | None, attributes: dict[str, str],
    ) -> AbstractContextManager[None]:
        """A span that links back to the trace `traceparent` came from."""

    def journey(self, journey_id: str) -> AbstractContextManager[None]:
        """The work inside is for the booking whose journey id (its checkout's correlation
        id) is `journey_id`: the current span, the request's span and every span started
        inside carry it, so one search finds the whole booking. "" changes nothing."""

    def annotate(self, attributes: dict[str, str]) -> None:
        """Add what only became known later (a webhook's outcome) to the current span."""
