"""What controllers receive, by parameter name: the bus for commands, a query service for
reads, and the request's correlation id and client - one app-level table."""

from __future__ import annotations

from typing import Any

from litestar.di import Provide

from entrypoints.bootstrap import Elope
from entrypoints.http.admin_auth import AdminTokens
from entrypoints.http.client_address import ClientAddresses
from entrypoints.http.request_context import request_id_of


def app_dependencies(elope: Elope, tokens: AdminTokens) -> dict[str, Provide]:
    queries = elope.queries
    shared: dict[str, Any] = {
        "bus": elope.bus,
        "availability": queries.availability,
        "blackouts": queries.blackouts,
        "bookings": queries.bookings,
        "catalog": queries.catalog,
        "webhooks": queries.webhooks,
        "tokens": tokens,
        "metrics": elope.metrics,
        "readiness": elope.ready,
        "local_checkout": elope.local_checkout,
    }
    provided = {name: Provide(_always(value), sync_to_thread=False, use_cache=True)
                for name, value in shared.items()}
    provided["correlation_id"] = Provide(request_id_of, sync_to_thread=False)
    # Every per-client limit keys on this one value (see client_address.py).
    clients = ClientAddresses(elope.settings.trusted_proxy_networks)
    provided["client"] = Provide(clients.of, sync_to_thread=False)
    return provided


def _always(value: Any) -> Any:
    def provide() -> Any:
        return value

    return provide
