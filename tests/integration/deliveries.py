"""Delivering signed Stripe events to in-process Elope instances the way Stripe does:
any answer other than 2xx is retried, a bounded number of times."""

from __future__ import annotations

import asyncio
from typing import Any

from application import commands as c
from application.commands import WebhookAck
from domain.errors import DomainError
from entrypoints.bootstrap import Elope
from tests.conftest import sign
from tests.integration.conftest import WEBHOOK_SECRET

RETRIES = 40


async def deliver_once(elope: Elope, event: dict[str, Any]) -> WebhookAck | DomainError:
    raw, headers = sign(event, WEBHOOK_SECRET)
    try:
        ack: WebhookAck = await elope.bus.handle(
            c.RecordStripeEvent(raw_body=raw, signature=headers["Stripe-Signature"]))
    except DomainError as refused:  # what the HTTP layer turns into a non-2xx answer
        return refused
    return ack


async def deliver_until_acknowledged(elope: Elope, event: dict[str, Any]) -> list[str]:
    """Returns the answers, in order: the class name of each refusal, then 'ack'."""
    answers: list[str] = []
    for _ in range(RETRIES):
        answer = await deliver_once(elope, event)
        if isinstance(answer, WebhookAck):
            return [*answers, "ack"]
        answers.append(type(answer).__name__)
        await asyncio.sleep(0.05)
    raise AssertionError(f"never acknowledged after {RETRIES} deliveries: {answers}")
