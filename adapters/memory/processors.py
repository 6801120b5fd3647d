"""`Processors` for the memory set: an instance on a memory store lives as long as it says
so (the store is gone with its process anyway)."""

from __future__ import annotations

import itertools

from adapters.memory.store import MemoryStore

_numbers = itertools.count(1)


class MemoryProcessors:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self._name = f"memory:{next(_numbers)}"
        store.live_processors.add(self._name)

    def current(self) -> str | None:
        return self._name

    def stop(self) -> None:
        """This instance stopped: its claims bind nobody any more."""
        self._store.live_processors.discard(self._name)
