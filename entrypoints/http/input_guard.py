"""Path and query parameters obey the same text rule as bodies (domain/text.py): an id, a
slug or a cursor holding a control character (`%00` in a URL) is a 400 before any handler
runs, instead of a query PostgreSQL refuses (a 500) or a 404 on the memory preset."""

from __future__ import annotations

from typing import Any

from litestar import Request

from domain.errors import ValidationFailed
from domain.text import unstorable


async def refuse_unstorable_parameters(request: Request[Any, Any, Any]) -> None:
    for name, value in request.path_params.items():
        if isinstance(value, str) and unstorable(value):
            raise ValidationFailed(f"{name} must not contain control characters")
    for name, value in request.query_params.multi_items():
        if unstorable(name) or unstorable(value):
            raise ValidationFailed("query parameters must not contain control characters")
