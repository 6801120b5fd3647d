"""Server spans named by route template (`GET /v1/bookings/{booking_id}`), not by the raw
path, so a tracing UI groups requests by route instead of by booking id."""

from __future__ import annotations

from typing import Any

from litestar.types import Scope


def route_span_details(scope: Scope) -> tuple[str, dict[str, Any]]:
    template = scope.get("path_template") or scope.get("path", "")
    method = scope.get("method", "")
    name = f"{method} {template}".strip()
    return name, {"http.route": template}
