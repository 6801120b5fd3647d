"""The sent-mail log on PostgreSQL."""

from __future__ import annotations

import datetime as dt

from adapters.piccolo.prepared import Prepared
from adapters.piccolo.statements import Connection, fetch, write
from adapters.piccolo.tables import SentMailRow

_WAS_SENT = Prepared(lambda key: SentMailRow.exists().where(SentMailRow.key == key))
_RECORD = Prepared(lambda key, now: SentMailRow.insert(
    SentMailRow(key=key, sent_at=now)).on_conflict(action="DO NOTHING"))


class PiccoloSentMailLog:
    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def was_sent(self, key: str) -> bool:
        (row,) = await fetch(self._connection, _WAS_SENT(key))
        return bool(row["exists"])

    async def record(self, key: str, now: dt.datetime) -> None:
        await write(self._connection, _RECORD(key, now))
