"""Run as a script: a real-preset Elope that records a paid webhook and is SIGKILLed at the
moment it starts sending the confirmation email - after the booking committed, before any
email left. The test then restarts the service and watches what happens to that email.

    python -m tests.integration.crash_after_commit < signed_event.json
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

from application import commands as c
from application.ports.mail import MailMessage
from entrypoints.bootstrap import bootstrap
from entrypoints.settings import load_settings


class DiesWhenSending:
    provider = "dies"

    async def send(self, message: MailMessage, idempotency_key: str) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


async def main() -> None:
    delivery = json.load(sys.stdin)
    elope = bootstrap(load_settings(), mailer=DiesWhenSending())
    await elope.start()
    await elope.bus.handle(c.RecordStripeEvent(raw_body=delivery["raw"].encode(),
                                               signature=delivery["signature"]))
    await elope.relay.drain()  # as the relay beside the requests would, in this process
    print("the email was never attempted", file=sys.stderr)
    sys.exit(3)


if __name__ == "__main__":
    asyncio.run(main())
