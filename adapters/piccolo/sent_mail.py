"""The sent-mail log on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from adapters.piccolo.statements import Connection


class PiccoloSentMailLog:
    def __init__(self, connection: Connection) -> None:
        self._db = connection

    async def was_sent(self, key: str) -> bool:
        return bool(await self._db.fetchval(
            "SELECT EXISTS (SELECT 1 FROM sent_mail WHERE key = $1)", key))

    async def record(self, key: str, now: dt.datetime) -> None:
        await self._db.execute(
            "INSERT INTO sent_mail (key, sent_at) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            key, now)
