from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from domain.webhook_event import WebhookEvent, WebhookStatus


@dataclass(frozen=True)
class WebhookCursor:
    created_at: dt.datetime
    event_id: str


class WebhookEventRepository(Protocol):
    """The webhook inbox: one record per Stripe event id, ever."""

    async def add(self, event: WebhookEvent) -> bool:
        """Insert a first delivery; False (and nothing written) when the id is known."""

    async def get_for_update(self, event_id: str) -> WebhookEvent | None:
        """Read a record and keep others from changing it until this transaction ends."""

    async def save(self, event: WebhookEvent) -> None: ...

    async def claimant_alive(self, claimant: str) -> bool:
        """Whether the processor `claimant` (a `Processors.current()` value) still runs and
        still reaches the database; False once it crashed, stopped or lost its connection."""

    async def page(
        self, status: WebhookStatus | None, limit: int, after: WebhookCursor | None,
    ) -> list[WebhookEvent]:
        """Newest first by (createdAt, eventId), strictly after the cursor."""

    async def ids_with_status(self, status: WebhookStatus) -> list[str]: ...
