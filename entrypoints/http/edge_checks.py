"""What every route refuses before its handler runs, so no stranger's input reaches a query
or a parser that would turn it into a 500 (issue 10, item 4).

One app-level `before_request` hook, not a check per controller: it covers every route there
is and every route added later, and it runs after routing and the guards (an admin route
still answers 401 to a caller without a token, whatever the path) but before Litestar parses
the parameters and the body.

- A path or query parameter with text PostgreSQL cannot hold (a control character, a lone
  surrogate: domain/text.py's rule, the one bodies obey) is malformed input (`400`, as SPEC
  §3 says of text): PostgreSQL cannot store or even compare a NUL, and asyncpg raises on it.
- A path value longer than any id, slug or session Elope stores (255) names nothing (`404`),
  answered without a database round trip.
- A JSON body nested deeper than `MAX_JSON_DEPTH` is refused (`400`) before msgspec recurses
  into it; its size is capped by the app's `request_max_body_size` (`MAX_JSON_BODY`).
"""

from __future__ import annotations

from typing import Any

from litestar import Request

from adapters.json_limits import MAX_JSON_DEPTH, nested_too_deep
from domain.errors import NotFound, ValidationFailed
from domain.text import unstorable

# A JSON request body: Elope's own are a few kilobytes (the checkout's add-ons must fit
# Stripe's metadata); a package description is the longest text an admin sends.
MAX_JSON_BODY = 1 << 20
# The longest id, slug or session id any table holds (varchar(255)).
MAX_PATH_VALUE = 255


async def refuse_hostile_input(request: Request[Any, Any, Any]) -> None:
    for name, value in request.path_params.items():
        if not isinstance(value, str):
            continue
        if unstorable(value):
            raise ValidationFailed(f"{name} must not contain control characters")
        if len(value) > MAX_PATH_VALUE:
            raise NotFound(f"no such {name.removesuffix('_id').replace('_', ' ')}")
    for name, value in request.query_params.multi_items():
        if unstorable(name) or unstorable(value):
            raise ValidationFailed("query parameters must not contain control characters")
    if _takes_a_body(request) and nested_too_deep(await request.body()):
        # The body is read once: Litestar keeps it for the handler's `data`.
        raise ValidationFailed(f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels")


def _takes_a_body(request: Request[Any, Any, Any]) -> bool:
    # The routes whose body Litestar decodes into `data`; the webhook reads its raw bytes
    # itself, and its verification applies the same cap (answering 422, as SPEC §4 says).
    return "data" in request.route_handler.parsed_fn_signature.parameters
