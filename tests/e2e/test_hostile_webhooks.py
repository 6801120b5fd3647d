"""No 500 from a stranger at the webhook (issue 10, item 4; SPEC §4): a correctly signed body
the service cannot use is `422 WEBHOOK_VALIDATION_ERROR` - never recorded when it is not a
Stripe event at all, recorded `FAILED` when it is one whose session cannot be booked."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx
import pytest

from entrypoints.settings import Settings
from tests.conftest import paid_session, sign, stripe_event
from tests.e2e.conftest import WEBHOOK, assert_error, inbox


def signed_bytes(raw: bytes, secret: str) -> dict[str, str]:
    """A valid Stripe-Signature over exactly these bytes, UTF-8 or not (the library's helper
    takes text only)."""
    stamp = int(time.time())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return {"Stripe-Signature": f"t={stamp},v1={digest}", "Content-Type": "application/json"}


def event_bytes(data_object: bytes) -> bytes:
    return b'{"id":"evt_hostile","type":"checkout.session.completed","data":{"object":' + \
        data_object + b"}}"


def nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("raw", [
    event_bytes(b'{"id":"cs_\xff\xfe"}'),  # Latin-1, not UTF-8
    event_bytes(nested(1000)),
    event_bytes(nested(100_000)),
    event_bytes(b'{"id":"cs_' + b"x" * (4 << 20) + b'"}'),  # over the route's 4 MiB
    json.dumps(stripe_event("invoice.paid", {"id": "in_1"}, event_id="evt_\x00")).encode(),
    json.dumps(stripe_event("invoice.paid", {"id": "in_1"}, event_id="evt_" + "x" * 300)).encode(),
    json.dumps(stripe_event("invoice.paid", {"id": "in_1"}, event_id="evt_\ud800")).encode(),
    json.dumps(stripe_event("invoice.paid\x00", {"id": "in_1"})).encode(),
    event_bytes(b'{"id":"cs_1","metadata":{"totalCents":"1\\ud800"}}'),
], ids=["not-utf8", "nested-1000", "nested-100000", "over-4MiB", "nul-id", "long-id",
        "lone-surrogate-id", "nul-type", "lone-surrogate-metadata"])
async def test_a_signed_body_that_is_no_usable_stripe_event_is_422_and_not_recorded(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings, raw: bytes,
) -> None:
    response = await client.post(WEBHOOK, content=raw,
                                 headers=signed_bytes(raw, settings.webhook_secret))
    assert_error(response, 422, "WEBHOOK_VALIDATION_ERROR")
    assert await inbox(client, admin_headers) == []


async def package_id(client: httpx.AsyncClient) -> str:
    return str((await client.get("/v1/packages/sunrise-cliffs")).json()["id"])


async def deliver_failed(client: httpx.AsyncClient, admin_headers: dict[str, str],
                         settings: Settings, session: dict[str, Any]) -> dict[str, Any]:
    """Deliver the paid session: it must be refused with 422 and recorded FAILED, unbooked;
    returns the error body."""
    raw, headers = sign(stripe_event("checkout.session.completed", session),
                        settings.webhook_secret)
    response = await client.post(WEBHOOK, content=raw, headers=headers)
    body = assert_error(response, 422, "WEBHOOK_VALIDATION_ERROR")
    [record] = await inbox(client, admin_headers, "FAILED")
    assert record["lastError"]
    bookings = await client.get("/v1/admin/bookings", headers=admin_headers)
    assert bookings.json()["items"] == []
    return body


@pytest.mark.parametrize("amount", [-5, 10**30, "180000", 1800.5, True],
                         ids=["negative", "huge", "string", "fraction", "boolean"])
async def test_a_paid_session_with_an_absurd_amount_is_422_and_failed(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings,
    future_date: Any, amount: object,
) -> None:
    session = paid_session(package_id=await package_id(client), event_date=future_date(90))
    session["amount_total"] = amount
    await deliver_failed(client, admin_headers, settings, session)


@pytest.mark.parametrize("total", ["-5", "9" * 40, "lots", "9" * 5000],
                         ids=["negative", "huge", "words", "5000-digits"])
async def test_a_paid_session_whose_metadata_total_is_absurd_is_422_and_failed(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings,
    future_date: Any, total: str,
) -> None:
    session = paid_session(package_id=await package_id(client), event_date=future_date(91))
    session["metadata"]["totalCents"] = total
    body = await deliver_failed(client, admin_headers, settings, session)
    assert len(body["message"]) < 600  # 5000 digits are not echoed back


@pytest.mark.parametrize("package", ["pkg_never_sold", "p" * 300], ids=["unknown", "too-long"])
async def test_a_paid_session_for_a_package_elope_never_sold_is_422_and_failed(
    client: httpx.AsyncClient, admin_headers: dict[str, str], settings: Settings,
    future_date: Any, package: str,
) -> None:
    session = paid_session(package_id=package, event_date=future_date(92))
    await deliver_failed(client, admin_headers, settings, session)
