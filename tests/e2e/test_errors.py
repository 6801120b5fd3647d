"""SPEC §8: every error code, provoked over HTTP, with the one error body.

FORBIDDEN (403) is in the table but no route produces it yet (there is a single admin role),
so it has no case here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher as Argon2

from adapters.argon2_hasher import Argon2Hasher
from adapters.stand_ins.local_checkout import LocalCheckout
from application.ports.payment import CheckoutRequest, CheckoutSession
from domain.errors import PaymentProviderFailed, PaymentProviderUnavailable
from entrypoints.settings import Settings
from tests.conftest import ADMIN_EMAIL, paid_session, sign, stripe_event
from tests.e2e.conftest import FlakyRefunds, MakeElope, assert_error, http_client

LEAKS = ("Traceback", "SELECT", "RuntimeError", "ConnectionError", "whsec_", "File \"")
SECRET_DETAIL = "SELECT password FROM admin_users -- db=postgres://elope:hunter2@db"

DateOf = Callable[[int], str]
Provoke = Callable[[httpx.AsyncClient, DateOf, Settings], Awaitable[httpx.Response]]


class BrokenVerifier(Argon2Hasher):
    """Hashes (the admin is created at start), but checking a password breaks unexpectedly."""

    async def verify(self, password_hash: str | None, password: str) -> bool:
        raise RuntimeError(SECRET_DETAIL)


class StripeDown(LocalCheckout):
    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        raise PaymentProviderUnavailable("the payment provider did not answer; try again")


class StripeRefuses(LocalCheckout):
    async def create_checkout_session(self, request: CheckoutRequest) -> CheckoutSession:
        raise PaymentProviderFailed("the payment provider refused the request")


async def bad_date(
    client: httpx.AsyncClient, day: DateOf, settings: Settings,
) -> httpx.Response:
    return await client.get("/v1/availability", params={"date": "31-12-2027"})


async def no_token(
    client: httpx.AsyncClient, day: DateOf, settings: Settings,
) -> httpx.Response:
    return await client.get("/v1/admin/bookings")


async def unknown_booking(
    client: httpx.AsyncClient, day: DateOf, settings: Settings,
) -> httpx.Response:
    return await client.get("/v1/bookings/bk_nope_123")


async def checkout(client: httpx.AsyncClient, date: str) -> httpx.Response:
    return await client.post("/v1/bookings/checkout", json={
        "packageSlug": "sunrise-cliffs", "eventDate": date, "coupleName": "Ada & Grace",
        "email": "ada@example.com", "addOnIds": []})


async def past_date(
    client: httpx.AsyncClient, day: DateOf, settings: Settings,
) -> httpx.Response:
    return await checkout(client, day(-1))


async def bad_signature(
    client: httpx.AsyncClient, day: DateOf, settings: Settings,
) -> httpx.Response:
    raw, headers = sign(stripe_event("invoice.paid", {"id": "in_1"}), secret="whsec_forged")
    return await client.post("/v1/webhooks/stripe", content=raw, headers=headers)


async def too_many_logins(
    client: httpx.AsyncClient, day: DateOf, settings: Settings,
) -> httpx.Response:
    for attempt in range(5):
        await client.post("/v1/admin/login", json={"email": ADMIN_EMAIL,
                                                   "password": f"guess-{attempt}"})
    return await client.post("/v1/admin/login", json={"email": ADMIN_EMAIL,
                                                      "password": "guess-6"})


async def refund_fails_after_conflict(
    client: httpx.AsyncClient, day: DateOf, settings: Settings,
) -> httpx.Response:
    package = (await client.get("/v1/packages/sunrise-cliffs")).json()
    for _ in range(2):  # the second payment for the date must be refunded, and cannot be
        raw, headers = sign(stripe_event("checkout.session.completed", paid_session(
            package_id=package["id"], event_date=day(160))), settings.webhook_secret)
        response = await client.post("/v1/webhooks/stripe", content=raw, headers=headers)
    return response


async def login_breaks(
    client: httpx.AsyncClient, day: DateOf, settings: Settings,
) -> httpx.Response:
    return await client.post("/v1/admin/login", json={"email": ADMIN_EMAIL, "password": "x"})


async def provider_down(
    client: httpx.AsyncClient, day: DateOf, settings: Settings,
) -> httpx.Response:
    response = await checkout(client, day(162))
    still_free = await client.get("/v1/availability", params={"date": day(162)})
    assert still_free.json()["available"] is True  # a rejected checkout changes nothing
    return response


def payments_with(cls: type[LocalCheckout]) -> Callable[[Settings], dict[str, Any]]:
    return lambda s: {"payments": cls(s.webhook_secret, s.base_url)}


def no_overrides(settings: Settings) -> dict[str, Any]:
    return {}


CASES = [
    ("VALIDATION_ERROR", 400, no_overrides, bad_date),
    ("UNAUTHORIZED", 401, no_overrides, no_token),
    ("NOT_FOUND", 404, no_overrides, unknown_booking),
    ("CONFLICT", 409, no_overrides, past_date),
    ("WEBHOOK_VALIDATION_ERROR", 422, no_overrides, bad_signature),
    ("RATE_LIMITED", 429, no_overrides, too_many_logins),
    ("WEBHOOK_PROCESSING_ERROR", 500, payments_with(FlakyRefunds), refund_fails_after_conflict),
    ("INTERNAL_ERROR", 500, lambda s: {"hasher": BrokenVerifier(
        argon2=Argon2(time_cost=1, memory_cost=64, parallelism=1))}, login_breaks),
    ("BAD_GATEWAY", 502, payments_with(StripeRefuses), provider_down),
    ("SERVICE_UNAVAILABLE", 503, payments_with(StripeDown), provider_down),
]


@pytest.mark.parametrize(("code", "status", "overrides", "provoke"), CASES,
                         ids=[case[0] for case in CASES])
async def test_each_error_code_answers_with_its_status_and_the_one_error_body(
    settings: Settings, make_elope: MakeElope, future_date: DateOf, code: str, status: int,
    overrides: Callable[[Settings], dict[str, Any]], provoke: Provoke,
) -> None:
    app = await make_elope(**overrides(settings))
    async with http_client(app) as client:
        response = await provoke(client, future_date, settings)

    body = assert_error(response, status, code)
    assert response.headers["content-type"].startswith("application/json")
    for leak in LEAKS:
        assert leak not in response.text, (leak, body)
    assert "hunter2" not in response.text
