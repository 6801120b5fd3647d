"""What only separate processes can show: a restart keeps the bookings, two server processes
racing on one database book once, a crash between commit and email loses no email."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import paid_session, sign, stripe_event
from tests.integration.conftest import WEBHOOK_SECRET, real_environment
from tests.integration.servers import ELOPE, ServerProcess


@pytest.fixture
def env(clean_postgres: str, tmp_path: Path, stripe_api_base: str) -> dict[str, str]:
    environment = {**real_environment(clean_postgres, tmp_path / "mail", stripe_api_base),
                   "OUTBOX_LEASE_SECONDS": "2"}
    for job in (["seed"], ["create-admin", "--email", "ops@example.com", "--password", "pw-123456"]):
        done = subprocess.run([ELOPE, *job], env={**os.environ, **environment},
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    return environment


@pytest.fixture
def servers(env: dict[str, str]) -> Iterator[Callable[[], ServerProcess]]:
    started: list[ServerProcess] = []

    def start() -> ServerProcess:
        server = ServerProcess(env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


async def rows(dsn: str, sql: str, *args: object) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        return list(await connection.fetch(sql, *args))
    finally:
        await connection.close()


def paid_event(base_url: str, date: str, email: str) -> dict[str, object]:
    package = httpx.get(f"{base_url}/v1/packages/sunrise-cliffs").json()
    session = paid_session(package_id=package["id"], event_date=date, email=email,
                           total_cents=package["priceCents"])
    return stripe_event("checkout.session.completed", session)


def test_a_booking_is_still_there_after_the_server_is_killed_and_restarted(
    servers: Callable[[], ServerProcess], future_date: Callable[[int], str],
) -> None:
    first = servers()
    event = paid_event(first.url, future_date(110), "restart@example.com")
    raw, headers = sign(event, WEBHOOK_SECRET)
    assert httpx.post(f"{first.url}/v1/webhooks/stripe", content=raw, headers=headers,
                      timeout=10).status_code == 200
    session_id = event["data"]["object"]["id"]  # type: ignore[index]

    first.kill()
    second = servers()

    token = httpx.post(f"{second.url}/v1/admin/login",
                       json={"email": "ops@example.com", "password": "pw-123456"}).json()["token"]
    listed = httpx.get(f"{second.url}/v1/admin/bookings",
                       headers={"Authorization": f"Bearer {token}"}).json()["items"]
    assert [b["email"] for b in listed] == ["restart@example.com"]
    booking = httpx.get(f"{second.url}/v1/bookings/{listed[0]['id']}").json()
    assert booking["status"] == "PAID" and booking["eventDate"] == future_date(110)
    assert session_id


async def test_two_server_processes_given_the_same_event_at_once_book_once_and_email_once(
    servers: Callable[[], ServerProcess], clean_postgres: str,
    future_date: Callable[[int], str],
) -> None:
    a, b = servers(), servers()
    event = await asyncio.to_thread(paid_event, a.url, future_date(111), "twice@example.com")
    raw, headers = sign(event, WEBHOOK_SECRET)

    async def deliver(url: str) -> list[int]:
        statuses: list[int] = []
        async with httpx.AsyncClient(timeout=10) as http:
            for _ in range(40):
                answer = await http.post(f"{url}/v1/webhooks/stripe", content=raw, headers=headers)
                statuses.append(answer.status_code)
                if answer.status_code == 200:
                    return statuses
                await asyncio.sleep(0.1)
        return statuses

    answers = await asyncio.gather(*(deliver(server.url) for server in (a, b) for _ in range(5)))

    assert all(statuses[-1] == 200 for statuses in answers), answers
    assert {s for statuses in answers for s in statuses} <= {200, 409, 500, 503}
    assert len(await rows(clean_postgres, "SELECT 1 FROM booking")) == 1
    await wait_for(lambda: rows(clean_postgres, "SELECT 1 FROM sent_mail"), 1)
    await asyncio.sleep(1.5)  # a second relay that would send again has had its chance
    assert len(await rows(clean_postgres, "SELECT 1 FROM sent_mail")) == 1
    assert len(await rows(clean_postgres,
                          "SELECT 1 FROM timeline_entry WHERE kind = 'email'")) == 1


async def test_a_crash_between_commit_and_email_still_sends_the_email_once_after_restart(
    servers: Callable[[], ServerProcess], env: dict[str, str], clean_postgres: str,
    future_date: Callable[[int], str],
) -> None:
    probe = servers()
    event = await asyncio.to_thread(paid_event, probe.url, future_date(112), "crash@example.com")
    probe.stop()
    raw, headers = sign(event, WEBHOOK_SECRET)
    delivery = json.dumps({"raw": raw.decode(), "signature": headers["Stripe-Signature"]})

    crashed = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "tests.integration.crash_after_commit"],
        input=delivery, env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
        cwd=Path(__file__).parents[2])

    assert crashed.returncode == -9, crashed.stderr
    assert len(await rows(clean_postgres, "SELECT 1 FROM booking WHERE status = 'PAID'")) == 1
    assert await rows(clean_postgres, "SELECT 1 FROM sent_mail") == []
    pending = await rows(clean_postgres, "SELECT 1 FROM outbox_message WHERE done_at IS NULL")
    assert len(pending) >= 1

    servers()  # the restart: its outbox relay finds the message once the dead claim lapses

    await wait_for(lambda: rows(clean_postgres, "SELECT 1 FROM sent_mail"), 1, seconds=20)
    await asyncio.sleep(2.5)  # past another lease: nothing may send it a second time
    assert len(await rows(clean_postgres, "SELECT 1 FROM sent_mail")) == 1
    mail = await asyncio.to_thread(lambda: [
        p.read_text() for p in Path(env["MAIL_SINK_DIR"]).glob("*.eml")])
    assert len(mail) == 1 and "crash@example.com" in mail[0]


async def wait_for(
    query: Callable[[], object], expected: int, seconds: float = 10.0,
) -> None:
    deadline = time.monotonic() + seconds
    found: list[object] = []
    while time.monotonic() < deadline:
        found = await query()  # type: ignore[misc]
        if len(found) >= expected:
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"expected {expected} rows within {seconds}s, found {len(found)}")


def test_a_forged_forwarded_for_gets_no_fresh_login_budget_from_either_server(
    servers: Callable[[], ServerProcess],
) -> None:
    # Through uvicorn itself, which by default believes X-Forwarded-For from 127.0.0.1 - the
    # address these requests come from; the two servers share one database's budget.
    first, second = servers(), servers()

    def wrong_login(server: ServerProcess, forwarded_for: str) -> int:
        return httpx.post(f"{server.url}/v1/admin/login",
                          headers={"X-Forwarded-For": forwarded_for},
                          json={"email": "ops@example.com", "password": "not it"}).status_code

    forged = ["not-an-ip", "198.51.100.1", "198.51.100.2", "2001:db8::7", "192.0.2.1"]
    answers = [wrong_login(first if i % 2 else second, value) for i, value in enumerate(forged)]

    assert answers == [401] * 5
    assert wrong_login(first, "not-an-ip-either") == 429
    assert wrong_login(second, "203.0.113.99") == 429
