"""The paths that get no server span at all (see ServerSpanMiddleware, which names the others
by route template, `GET /v1/bookings/{booking_id}`, so a tracing UI groups requests by route
instead of by booking id)."""

from __future__ import annotations

UNTRACED_PATHS = [r"^/health/(live|ready)/?$", r"^/metrics/?$"]
"""Probes and scrapes: polled every few seconds by machines, they would outnumber the traces
anyone reads, and they say nothing about a booking. (Matched on the path.)"""
