"""Per-request values the HTTP layer hands to commands, as app-level dependencies."""

from __future__ import annotations

from typing import Any

from litestar import Request

from adapters.telemetry.correlation import get_correlation_id


def request_id_of(request: Request[Any, Any, Any]) -> str:
    """The request's correlation id, as set by the request-id middleware."""
    state = request.scope.get("state") or {}
    return str(state.get("request_id") or get_correlation_id() or "")

