"""Issue 10, item 7: an admin token dies when it should - at its expiry, at most 12 hours
after it was issued, when its admin is deleted, and when its admin's password changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import asyncpg
import httpx
import jwt
import pytest

from adapters.settable_clock import SettableClock
from application.commands import CreateAdmin
from entrypoints.bootstrap import Elope
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.e2e.conftest import MakeElope, MakeSettings, assert_error, http_client

HOUR = 3600


async def token_of(client: httpx.AsyncClient, password: str = ADMIN_PASSWORD) -> str:
    response = await client.post("/v1/admin/login",
                                 json={"email": ADMIN_EMAIL, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


async def admin_bookings(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/v1/admin/bookings", headers={"Authorization": f"Bearer {token}"})


def reissued(elope: Elope, token: str, **changes: Any) -> str:
    """`token` with some claims changed (None: left out), signed with the service's own key:
    each test below breaks exactly one thing about an otherwise good token."""
    claims = jwt.decode(token, options={"verify_signature": False})
    claims.update(changes)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, elope.settings.effective_jwt_secret, algorithm="HS256")


async def delete_admin(elope: Elope, email: str) -> None:
    """What an operator does to remove an admin: there is no route or command for it."""
    if elope.store is not None:
        del elope.store.admin_users[email]
        return
    connection = await asyncpg.connect(elope.settings.database_url.get_secret_value())  # type: ignore[union-attr]
    try:
        assert await connection.execute("DELETE FROM admin_user WHERE email = $1",
                                         email) == "DELETE 1"
    finally:
        await connection.close()


async def test_a_token_names_its_issuer_audience_and_a_bounded_lifetime(
    client: httpx.AsyncClient, elope: Elope,
) -> None:
    claims = jwt.decode(await token_of(client), elope.settings.effective_jwt_secret,
                        algorithms=["HS256"], audience="elope-admin", issuer="elope",
                        options={"require": ["sub", "iat", "exp"]})

    assert claims["exp"] - claims["iat"] == 8 * HOUR  # JWT_TTL_MINUTES' default
    assert "email" not in claims  # nothing personal in a token anyone holding it can read


@pytest.mark.parametrize(("changes", "why"), [
    ({"iss": "someone-else"}, "another issuer"),
    ({"iss": None}, "no issuer"),
    ({"aud": "elope-public"}, "another audience"),
    ({"aud": None}, "no audience"),
    ({"exp": None}, "no expiry"),
    ({"iat": None}, "no issue time"),
    ({"iat": "yesterday"}, "an issue time that is not a number"),
    ({"iat": float("nan"), "exp": float("inf")}, "times that are not finite numbers"),
    ({"sub": None}, "no admin"),
    ({"sub": "adm_nobody"}, "an admin who does not exist"),
    ({"pwv": None}, "no password version"),
    ({"pwv": "AAAAAAAAAAAAAAAAAAAAAA"}, "another password version"),
])
async def test_a_token_with_a_wrong_or_missing_claim_is_unauthorized(
    client: httpx.AsyncClient, elope: Elope, changes: dict[str, Any], why: str,
) -> None:
    good = await token_of(client)
    assert (await admin_bookings(client, good)).status_code == 200

    assert_error(await admin_bookings(client, reissued(elope, good, **changes)), 401,
                 "UNAUTHORIZED")


@pytest.mark.parametrize(("issued", "lifetime", "why"), [
    (-9 * HOUR, 8 * HOUR, "expired an hour ago"),
    (-8 * HOUR, 8 * HOUR, "expires this very second"),
    (-HOUR, 24 * HOUR, "still in date, but issued for a day"),
    (0, 12 * HOUR + 1, "a second longer than 12 hours"),
    (10 * 60, HOUR, "issued ten minutes from now"),
])
async def test_a_token_out_of_its_time_is_unauthorized(
    client: httpx.AsyncClient, elope: Elope, issued: int, lifetime: int, why: str,
) -> None:
    now = int(elope.clock.now().timestamp())
    token = reissued(elope, await token_of(client), iat=now + issued,
                     exp=now + issued + lifetime)

    assert_error(await admin_bookings(client, token), 401, "UNAUTHORIZED")


async def test_a_token_lives_as_long_as_jwt_ttl_minutes_says(
    make_settings: MakeSettings, make_elope: MakeElope, clock: SettableClock,
) -> None:
    app = await make_elope(make_settings(jwt_ttl_minutes=60))
    async with http_client(app) as client:
        token = await token_of(client)
        clock.advance(dt.timedelta(minutes=59, seconds=59))
        assert (await admin_bookings(client, token)).status_code == 200

        clock.advance(dt.timedelta(seconds=1))

        assert_error(await admin_bookings(client, token), 401, "UNAUTHORIZED")


async def test_a_token_of_a_deleted_admin_is_unauthorized(
    client: httpx.AsyncClient, elope: Elope,
) -> None:
    token = await token_of(client)
    assert (await admin_bookings(client, token)).status_code == 200

    await delete_admin(elope, ADMIN_EMAIL)

    assert_error(await admin_bookings(client, token), 401, "UNAUTHORIZED")


async def test_a_password_change_refuses_older_tokens_even_from_the_same_second(
    client: httpx.AsyncClient, elope: Elope,
) -> None:
    # The test's clock stands still: both tokens carry the same `iat`, to the microsecond.
    before = await token_of(client)

    await elope.bus.handle(CreateAdmin(email=ADMIN_EMAIL, password="a-new-password",
                                       correlation_id="test"))
    after = await token_of(client, "a-new-password")

    assert_error(await admin_bookings(client, before), 401, "UNAUTHORIZED")
    assert (await admin_bookings(client, after)).status_code == 200


async def test_setting_the_same_password_again_also_ends_older_tokens(
    client: httpx.AsyncClient, elope: Elope,
) -> None:
    # What an admin does who fears a token was stolen but wants to keep the password.
    before = await token_of(client)

    await elope.bus.handle(CreateAdmin(email=ADMIN_EMAIL, password=ADMIN_PASSWORD,
                                       correlation_id="test"))

    assert_error(await admin_bookings(client, before), 401, "UNAUTHORIZED")
    assert (await admin_bookings(client, await token_of(client))).status_code == 200
