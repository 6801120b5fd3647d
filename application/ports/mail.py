from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    text: str


class Mailer(Protocol):
    """Sends transactional email (Postmark, or files in MAIL_SINK_DIR)."""

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        """Send once per key where the transport allows it; raises on failure."""
