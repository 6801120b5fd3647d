from __future__ import annotations

import datetime as dt
from typing import Protocol


class SentMailLog(Protocol):
    """One row per (booking or session, template): how an email is never sent twice."""

    async def was_sent(self, key: str) -> bool: ...

    async def record(self, key: str, now: dt.datetime) -> None: ...
