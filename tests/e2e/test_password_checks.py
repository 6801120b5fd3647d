"""Admin password checks (argon2, about 0.4 s of CPU each) run in worker threads, a bounded
number at a time: a login being checked never stalls the requests around it."""

from __future__ import annotations

import asyncio
import threading

import httpx
from argon2 import PasswordHasher as Argon2

from adapters.argon2_hasher import Argon2Hasher
from tests.conftest import ADMIN_EMAIL
from tests.e2e.conftest import MakeElope, http_client

PATIENCE = 10  # seconds a step may take before the test calls it stuck


class GatedArgon2(Argon2):
    """argon2 whose checks each wait for the test's say-so, in whatever thread runs them,
    counting how many run at once."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=64, parallelism=1)
        self.gate = threading.Event()
        self.started = threading.Semaphore(0)
        self._lock = threading.Lock()
        self.running = 0
        self.peak = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        self.started.release()
        try:
            if not self.gate.wait(PATIENCE):
                raise TimeoutError("the test never opened the gate")
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


def log_in(client: httpx.AsyncClient) -> asyncio.Task[httpx.Response]:
    return asyncio.create_task(client.post(
        "/v1/admin/login", json={"email": ADMIN_EMAIL, "password": "not the password"}))


async def started(argon2: GatedArgon2) -> None:
    assert await asyncio.to_thread(argon2.started.acquire, timeout=PATIENCE)


async def test_the_service_answers_other_requests_while_a_password_is_checked(
    make_elope: MakeElope,
) -> None:
    argon2 = GatedArgon2()
    app = await make_elope(hasher=Argon2Hasher(argon2=argon2))
    async with http_client(app) as client:
        login = log_in(client)
        await started(argon2)

        live = await client.get("/health/live")
        catalog = await client.get("/v1/packages")

        assert (live.status_code, catalog.status_code) == (200, 200)
        assert argon2.running == 1  # answered while the check was still going on
        argon2.gate.set()
        assert (await login).status_code == 401


async def test_a_burst_of_logins_checks_at_most_two_passwords_at_once(make_elope: MakeElope) -> None:
    argon2 = GatedArgon2()
    app = await make_elope(hasher=Argon2Hasher(max_concurrent=2, argon2=argon2))
    async with http_client(app) as client:
        logins = [log_in(client) for _ in range(4)]
        await started(argon2)
        await started(argon2)
        assert (await client.get("/health/live")).status_code == 200

        assert argon2.running == 2  # the other two wait their turn, off the CPU
        argon2.gate.set()
        answers = await asyncio.gather(*logins)

    assert [a.status_code for a in answers] == [401] * 4
    assert argon2.peak == 2
