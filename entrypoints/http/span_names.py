"""Server spans named by route template (`GET /v1/bookings/{booking_id}`), not by the raw
path, so a tracing UI groups requests by route instead of by booking id; and the paths that
get no span at all."""

from __future__ import annotations

from typing import Any

from litestar.types import Scope

UNTRACED_PATHS = [r"^/health/(live|ready)/?$", r"^/metrics/?$"]
"""Probes and scrapes: polled every few seconds by machines, they would outnumber the traces
anyone reads, and they say nothing about a booking. (Litestar matches these on the path.)"""


def route_span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    template = scope.get("path_template") or scope.get("path", "")
    method = scope.get("method", "")
    name = f"{method} {template}".strip()
    return name, {"http.route": template}
