"""SPEC §5 and §9 (TRUSTED_PROXIES): every per-client limit keys on the peer address, and
X-Forwarded-For is believed only from a trusted proxy - here shown on the login throttle."""

from __future__ import annotations

import httpx

from tests.conftest import ADMIN_EMAIL
from tests.e2e.conftest import MakeElope, MakeSettings, assert_error, http_client, real_only

FAILED_LOGINS_ALLOWED = 5


async def wrong_login(client: httpx.AsyncClient, forwarded_for: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    response = await client.post("/v1/admin/login", headers=headers,
                                 json={"email": ADMIN_EMAIL, "password": "not it"})
    return response.status_code


async def test_a_forwarded_for_header_from_an_untrusted_peer_buys_no_fresh_budget(
    client: httpx.AsyncClient,
) -> None:
    forged = ["not-an-ip", "198.51.100.1", "198.51.100.2", "::1", "10.0.0.1, 10.0.0.2"]
    assert [await wrong_login(client, value) for value in forged] == [401] * 5

    blocked = await client.post("/v1/admin/login", headers={"X-Forwarded-For": "198.51.100.9"},
                                json={"email": ADMIN_EMAIL, "password": "not it"})

    assert_error(blocked, 429, "RATE_LIMITED")


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget(
    make_settings: MakeSettings, make_elope: MakeElope,
) -> None:
    # The test transport's peer is 127.0.0.1: here, the proxy in front of the service.
    app = await make_elope(make_settings(trusted_proxies="127.0.0.1, 10.0.0.0/8"))
    async with http_client(app) as client:
        # The client wrote its own XFF entry; the proxies appended what they saw.
        first = "forged-by-the-client, 198.51.100.1, 10.1.2.3"
        assert [await wrong_login(client, first) for _ in range(5)] == [401] * 5
        assert await wrong_login(client, first) == 429
        # Another client behind the same proxies, and the first one under another forgery.
        assert await wrong_login(client, "198.51.100.2") == 401
        assert await wrong_login(client, "203.0.113.5, 198.51.100.1") == 429


@real_only
async def test_failed_logins_count_across_instances_on_one_database(
    make_elope: MakeElope,
) -> None:
    first, second = await make_elope(), await make_elope()
    async with http_client(first) as one, http_client(second) as other:
        for attempt in range(FAILED_LOGINS_ALLOWED):
            assert await wrong_login(one if attempt % 2 else other) == 401

        assert await wrong_login(one) == 429
        assert await wrong_login(other) == 429
