"""The load generator: pregenerated HTTP calls, sent over keep-alive connections by a fixed
number of concurrent workers, each call timed and its answer checked.

One aiohttp session per target and concurrency, with exactly one connection per worker: a
worker sends its next call as soon as its previous answer is read (a closed loop), so the
concurrency is the number of requests in flight, as the phases name it.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType

import aiohttp

# Why an answer is wrong, or None when it is right.
Check = Callable[[int, bytes], str | None]


def expect_status(expected: int) -> Check:
    def check(status: int, body: bytes) -> str | None:
        return None if status == expected else f"HTTP {status}: {body[:120]!r}"
    return check


def expect_webhook_status(inbox_status: str) -> Check:
    """200, and the inbox's verdict on the event (`status` of the acknowledgement)."""
    def check(status: int, body: bytes) -> str | None:
        if status != 200:
            return f"HTTP {status}: {body[:120]!r}"
        try:
            said = json.loads(body).get("status")
        except (ValueError, AttributeError):
            return f"not a webhook acknowledgement: {body[:120]!r}"
        return None if said == inbox_status else f"inbox status {said}, not {inbox_status}"
    return check


@dataclass(frozen=True)
class Call:
    """One request, built before the clock starts."""

    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()
    check: Check = field(default=expect_status(200))


@dataclass
class Outcome:
    """What the target answered: one latency per call, and what went wrong."""

    latencies_ms: list[float]
    errors: list[str]
    elapsed_s: float

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def percentile(self, q: float) -> float:
        """Nearest rank: the latency that `q` per cent of the calls did not exceed."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        rank = max(1, math.ceil(q / 100 * len(ordered)))
        return ordered[rank - 1]

    def error_summary(self, most: int = 3) -> str:
        """The commonest errors, with their counts."""
        counts: dict[str, int] = {}
        for error in self.errors:
            counts[error] = counts.get(error, 0) + 1
        common = sorted(counts.items(), key=lambda item: -item[1])[:most]
        return "; ".join(f"{n}x {text}" for text, n in common)


class LoadGenerator:
    """`async with LoadGenerator(url, c) as load: outcome = await load.run(calls)`."""

    def __init__(self, base_url: str, concurrency: int, timeout_seconds: float = 60.0) -> None:
        self.base_url = base_url
        self.concurrency = concurrency
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> LoadGenerator:
        # limit = concurrency: each worker keeps reusing the one connection it holds.
        connector = aiohttp.TCPConnector(limit=self.concurrency, limit_per_host=self.concurrency,
                                         keepalive_timeout=300)
        self._session = aiohttp.ClientSession(self.base_url, connector=connector,
                                              timeout=self._timeout, auto_decompress=False)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._session is not None:
            await self._session.close()

    async def run(self, calls: Sequence[Call]) -> Outcome:
        """Send every call, `concurrency` at a time, in order of their index."""
        assert self._session is not None, "use LoadGenerator in `async with`"
        session = self._session
        latencies = [0.0] * len(calls)
        errors: list[str] = []
        cursor = iter(range(len(calls)))

        async def worker() -> None:
            for index in cursor:  # a shared iterator: each index goes to one worker
                call = calls[index]
                started = time.perf_counter()
                try:
                    async with session.request(call.method, call.path, data=call.body,
                                               headers=call.headers) as answer:
                        body = await answer.read()
                        status = answer.status
                except (aiohttp.ClientError, TimeoutError) as exc:
                    status, body = 0, f"{type(exc).__name__}: {exc}".encode()
                latencies[index] = (time.perf_counter() - started) * 1000
                problem = call.check(status, body)
                if problem is not None:
                    errors.append(problem)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(min(self.concurrency, len(calls)))))
        return Outcome(latencies, errors, time.perf_counter() - started)
