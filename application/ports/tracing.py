from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol


class Tracing(Protocol):
    """Spans around commands and subscribers; the correlation id is stamped by the adapter."""

    def span(self, name: str, attributes: dict[str, str]) -> AbstractContextManager[None]: ...

    def current_traceparent(self) -> str | None:
        """The W3C traceparent of the current span, to carry to a later, linked trace."""

    def linked_span(
        self, name: str, traceparent: str | None, attributes: dict[str, str],
    ) -> AbstractContextManager[None]:
        """A span that links back to the trace `traceparent` came from."""
