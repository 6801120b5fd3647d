from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class MailMessage:
    to: str
    subject: str
    text: str
    # The same message as HTML; every value in it is already escaped.
    html: str = ""
    # Which template made it (`confirmation`, `cancellation`, ...): a tag for the provider.
    template: str = ""


class MailRejected(Exception):
    """The mail service refused this message for good (a bad or inactive address, say):
    sending it again would fail again, so it is recorded and not retried."""


class Mailer(Protocol):
    """Sends transactional email (Postmark, or files in MAIL_SINK_DIR)."""

    provider: str
    """Which service sends it (`postmark`, `file`): for spans and logs."""

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        """Send once per key where the transport allows it. Raises `MailRejected` when the
        service refuses the message for good; any other error is worth retrying later."""
