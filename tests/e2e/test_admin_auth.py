"""SPEC §5: admin login, its rate limit, and the token every admin route demands."""

from __future__ import annotations

import httpx
import pytest

from entrypoints.bootstrap import Elope
from entrypoints.http.admin_auth import AdminTokens
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.conftest import assert_error

ADMIN_ROUTES = [
    ("GET", "/v1/admin/bookings", None),
    ("POST", "/v1/admin/bookings/bk_x/cancel", {"refund": False}),
    ("GET", "/v1/admin/bookings/bk_x/timeline", None),
    ("GET", "/v1/admin/blackouts", None),
    ("POST", "/v1/admin/blackouts", {"date": "2027-03-03"}),
    ("DELETE", "/v1/admin/blackouts/blk_x", None),
    ("POST", "/v1/admin/packages", {"slug": "s", "title": "t", "description": "d",
                                    "priceCents": 1}),
    ("PUT", "/v1/admin/packages/pkg_x", {"slug": "s", "title": "t", "description": "d",
                                         "priceCents": 1, "version": 1}),
    ("DELETE", "/v1/admin/packages/pkg_x", None),
    ("POST", "/v1/admin/packages/pkg_x/add-ons", {"title": "t", "description": "d",
                                                  "priceCents": 1}),
    ("PUT", "/v1/admin/add-ons/addon_x", {"title": "t", "description": "d", "priceCents": 1}),
    ("DELETE", "/v1/admin/add-ons/addon_x", None),
    ("GET", "/v1/admin/webhooks", None),
    ("POST", "/v1/admin/webhooks/evt_x/replay", None),
]
ROUTE_IDS = [f"{method} {path}" for method, path, _ in ADMIN_ROUTES]


async def login(client: httpx.AsyncClient, password: str,
                email: str = ADMIN_EMAIL) -> httpx.Response:
    return await client.post("/v1/admin/login", json={"email": email, "password": password})


async def test_the_right_password_gives_a_token_that_opens_admin_routes(
    client: httpx.AsyncClient,
) -> None:
    response = await login(client, ADMIN_PASSWORD)

    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    token = response.json()["token"]
    listed = await client.get("/v1/admin/bookings",
                              headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200


async def test_a_wrong_password_is_unauthorized(client: httpx.AsyncClient) -> None:
    body = assert_error(await login(client, "not the password"), 401, "UNAUTHORIZED")
    assert ADMIN_PASSWORD not in body["message"]


async def test_an_unknown_email_is_unauthorized_like_a_wrong_password(
    client: httpx.AsyncClient,
) -> None:
    unknown = assert_error(await login(client, ADMIN_PASSWORD, "who@example.com"), 401,
                           "UNAUTHORIZED")
    wrong = assert_error(await login(client, "nope-nope"), 401, "UNAUTHORIZED")
    assert unknown["message"] == wrong["message"]


async def test_a_login_without_a_password_is_a_validation_error(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/admin/login", json={"email": ADMIN_EMAIL})
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_four_failures_still_let_the_right_password_in(client: httpx.AsyncClient) -> None:
    for attempt in range(4):
        assert (await login(client, f"guess-{attempt}")).status_code == 401
    assert (await login(client, ADMIN_PASSWORD)).status_code == 200


async def test_five_failures_block_even_the_right_password(client: httpx.AsyncClient) -> None:
    for attempt in range(5):
        assert (await login(client, f"guess-{attempt}")).status_code == 401

    blocked = await login(client, ADMIN_PASSWORD)

    assert_error(blocked, 429, "RATE_LIMITED")
    # SPEC §8 (and the OpenAPI document) say a 429 tells when to retry: here, when the
    # 15-minute window of the failures ends (found missing by schemathesis).
    assert 1 <= int(blocked.headers["Retry-After"]) <= 15 * 60


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES, ids=ROUTE_IDS)
async def test_an_admin_route_without_a_token_is_unauthorized(
    client: httpx.AsyncClient, method: str, path: str, body: object,
) -> None:
    response = await client.request(method, path, json=body)
    assert_error(response, 401, "UNAUTHORIZED")


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES, ids=ROUTE_IDS)
async def test_an_admin_route_with_a_garbage_token_is_unauthorized(
    client: httpx.AsyncClient, method: str, path: str, body: object,
) -> None:
    response = await client.request(method, path, json=body,
                                     headers={"Authorization": "Bearer not.a.jwt"})
    assert_error(response, 401, "UNAUTHORIZED")


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_ROUTES, ids=ROUTE_IDS)
async def test_an_admin_route_with_a_token_signed_by_another_secret_is_unauthorized(
    client: httpx.AsyncClient, elope: Elope, method: str, path: str, body: object,
) -> None:
    async with elope.uow() as tx:
        admin = await tx.admin_users.by_email(ADMIN_EMAIL)
    assert admin is not None
    # Everything right (the admin, its password) but the key.
    forged = AdminTokens.of("another-secret-that-is-long-enough-0123456789", elope.clock, 60,
                            elope.queries.admins).issue(admin)
    response = await client.request(method, path, json=body,
                                    headers={"Authorization": f"Bearer {forged}"})
    assert_error(response, 401, "UNAUTHORIZED")


async def test_a_token_in_another_scheme_is_unauthorized(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    token = admin_headers["Authorization"].removeprefix("Bearer ")
    response = await client.get("/v1/admin/bookings", headers={"Authorization": f"Basic {token}"})
    assert_error(response, 401, "UNAUTHORIZED")


async def test_a_refused_admin_write_changes_nothing(
    client: httpx.AsyncClient, admin_headers: dict[str, str],
) -> None:
    before = (await client.get("/v1/admin/blackouts", headers=admin_headers)).json()

    refused = await client.post("/v1/admin/blackouts", json={"date": "2027-04-04"},
                                headers={"Authorization": "Bearer forged"})

    assert refused.status_code == 401
    assert (await client.get("/v1/admin/blackouts", headers=admin_headers)).json() == before
