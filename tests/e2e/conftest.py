"""Helpers for the HTTP tier: a couple's checkout and a paid booking, in one call each."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

Checkout = Callable[..., Awaitable[httpx.Response]]
Book = Callable[..., Awaitable[dict[str, Any]]]

DEMO_SLUGS = ("city-hall-chic", "forest-vows", "sunrise-cliffs")


def unique_email(prefix: str = "couple") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The §8 error body: exactly error, message and requestId, the id also in the header."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error", "message", "requestId"}, body
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert body["requestId"] == response.headers["x-request-id"]
    return body


async def demo_package(client: httpx.AsyncClient, slug: str = "sunrise-cliffs") -> dict[str, Any]:
    response = await client.get(f"/v1/packages/{slug}")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def checkout(client: httpx.AsyncClient) -> Checkout:
    """POST a checkout for a date; the couple is new each time unless told otherwise."""

    async def make(event_date: str, *, slug: str = "sunrise-cliffs",
                   add_on_ids: list[str] | None = None, **fields: Any) -> httpx.Response:
        body = {"packageSlug": slug, "eventDate": event_date, "coupleName": "Ada & Grace",
                "email": unique_email(), "addOnIds": add_on_ids or [], **fields}
        return await client.post("/v1/bookings/checkout", json=body)

    return make


@pytest.fixture
def book(client: httpx.AsyncClient, checkout: Checkout) -> Book:
    """A paid booking for a date: checkout, then the mock provider's paid webhook."""

    async def make(event_date: str, **fields: Any) -> dict[str, Any]:
        created = await checkout(event_date, **fields)
        assert created.status_code == 201, created.text
        paid = await client.post("/v1/dev/simulate-checkout-completed",
                                 json={"sessionId": created.json()["sessionId"]})
        assert paid.status_code == 200, paid.text
        return paid.json()

    return make
