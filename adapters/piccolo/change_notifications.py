"""What the triggers of migration 2026-12-07T05:30 announce on `elope_changes` - 'dates' for
a booking, hold or blackout written, 'catalog' for a package or add-on - and the read caches
each announcement empties."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from application.cached_read import CachedRead

CHANGES_CHANNEL = "elope_changes"
DATES = "dates"
CATALOG = "catalog"


class ChangeNotifications:
    def __init__(self, caches: Mapping[str, CachedRead[Any]]) -> None:
        """`caches`: the cache each payload empties (DATES, CATALOG)."""
        self._caches = dict(caches)

    def changed(self, payload: str) -> None:
        """A commit (of any instance) changed what `payload` names."""
        if payload not in (DATES, CATALOG):
            # A payload this version does not know (a newer migration's): forget everything.
            self._forget_all()
        elif payload in self._caches:  # absent: that cache is switched off
            self._caches[payload].invalidate()

    def changed_here(self) -> None:
        """This process committed something, or learned by a conflict that another did. The
        notification is on its way, but the couple who just checked out (or was just refused)
        may ask again before it arrives."""
        for cache in self._caches.values():
            cache.invalidate()

    def listening(self) -> None:
        """Every change from now on is announced (and what changed before is unknown)."""
        for cache in self._caches.values():
            cache.trust()

    def deaf(self) -> None:
        """The listening connection is gone: announcements may be missed."""
        for cache in self._caches.values():
            cache.distrust()

    def _forget_all(self) -> None:
        for cache in self._caches.values():
            cache.invalidate()
