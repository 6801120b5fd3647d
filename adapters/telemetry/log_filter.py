"""Puts the correlation id on every log line."""

from __future__ import annotations

import logging

from adapters.telemetry.correlation import get_correlation_id

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"
_HANDLER_NAME = "elope-correlation"


class CorrelationIdFilter(logging.Filter):
    """Adds `record.correlation_id` ("-" outside a request) so the format never KeyErrors."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = get_correlation_id() or "-"
        return True


def configure_logging(level: str) -> None:
    """Install one correlation-aware StreamHandler on the root logger; calling again only
    updates the level (app factories run several times in tests)."""
    root = logging.getLogger()
    root.setLevel(level.upper())
    # The stripe library logs every API error at INFO with Stripe's own message and the URL;
    # the adapter logs what is safe to keep (class, status, request id) itself.
    logging.getLogger("stripe").setLevel(logging.WARNING)
    if any(h.get_name() == _HANDLER_NAME for h in root.handlers):
        return
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    # The filter sits on the handler, not the root logger: logger filters only see records
    # logged on that exact logger, while handler filters see everything propagated to it.
    handler.addFilter(CorrelationIdFilter())
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
