"""A clock tests move by hand."""

from __future__ import annotations

import datetime as dt


class SettableClock:
    def __init__(self, now: dt.datetime) -> None:
        self._now = _utc(now)

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        self._now += delta
        return self._now

    def set(self, now: dt.datetime) -> None:
        self._now = _utc(now)


def _utc(now: dt.datetime) -> dt.datetime:
    # The Clock port promises aware UTC instants; a naive one would fail far from here.
    if now.tzinfo is None:
        raise ValueError("SettableClock needs a timezone-aware datetime")
    return now.astimezone(dt.UTC)
