"""The sent-mail log: one key per email ever sent."""

from __future__ import annotations

import datetime as dt

from adapters.memory.store import MemoryStore


class MemorySentMailLog:
    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def was_sent(self, key: str) -> bool:
        return key in self._store.sent_mail

    async def record(self, key: str, now: dt.datetime) -> None:
        self._store.sent_mail.setdefault(key, now)  # the first sending is the one on record
