"""Arize Phoenix, the tracing UI: one this run starts, or one already running.

Phoenix takes OTLP/HTTP traces at `/v1/traces` on the port that serves its UI, so the
service's `OTEL_EXPORTER_OTLP_ENDPOINT` is the UI's own address. Its REST API (`/v1/...`)
says when the booking's spans have arrived, so a missing span is told apart from a UI that
cannot find it.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import aiohttp

from bench.children import BenchFailed, Children, free_port, wait_ready

DEFAULT_EXECUTABLE = Path(".tracing-ui/bin/phoenix")


class Phoenix:
    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")

    @property
    def otlp_endpoint(self) -> str:
        """For OTEL_EXPORTER_OTLP_ENDPOINT: the service appends /v1/traces."""
        return self.url

    async def check(self) -> None:
        """A running Phoenix answers; else BenchFailed, saying so."""
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http, \
                    http.get(f"{self.url}/healthz") as answer:
                if answer.status == 200:
                    return
                problem = f"answered {answer.status} at /healthz"
        except (aiohttp.ClientError, TimeoutError) as error:
            problem = f"did not answer ({error or type(error).__name__})"
        raise BenchFailed(f"no Phoenix at {self.url}: it {problem}")

    async def project_id(self, name: str) -> str | None:
        """The id of the project called `name` (the UI's URLs use it), or None before its
        first span."""
        async with aiohttp.ClientSession() as http, \
                http.get(f"{self.url}/v1/projects", params={"name_contains": name}) as answer:
            answer.raise_for_status()
            projects = (await answer.json())["data"]
        return next((p["id"] for p in projects if p["name"] == name), None)

    async def spans_named(self, project: str, attribute: str, value: str) -> list[str]:
        """Names of the project's spans whose `attribute` is `value`, through the REST API."""
        # JSON-quoted: a value that looks like a number is still compared as a string.
        params = {"attribute": f"{attribute}:{json.dumps(value)}", "limit": "1000"}
        async with aiohttp.ClientSession() as http, \
                http.get(f"{self.url}/v1/projects/{project}/spans", params=params) as answer:
            if answer.status == 404:  # no such project yet: nothing exported so far
                return []
            answer.raise_for_status()
            return [span["name"] for span in (await answer.json())["data"]]

    async def wait_for_spans(self, project: str, attribute: str, value: str,
                             expected: tuple[str, ...], timeout_seconds: float) -> list[str]:
        """Poll until every name in `expected` has arrived, or the time is up; the names
        that arrived."""
        deadline = time.monotonic() + timeout_seconds
        while True:
            names = await self.spans_named(project, attribute, value)
            if set(expected) <= set(names) or time.monotonic() > deadline:
                return names
            await asyncio.sleep(0.5)


def missing_phoenix(executable: Path) -> str | None:
    """What to do when `executable` is not there; None when it is."""
    if executable.exists():
        return None
    return (f"{executable} is missing: install Phoenix in its own virtualenv first,\n"
            "  python3 -m venv .tracing-ui && .tracing-ui/bin/pip install -q -r"
            " tracing_ui/phoenix-requirements.txt\nor pass --ui-url of a running one")


async def start_phoenix(children: Children, executable: Path, data_dir: Path) -> Phoenix:
    """`phoenix serve` on free ports, its SQLite database in `data_dir` (an absolute path,
    made already), nothing sent out."""
    port = free_port()
    env = {
        **os.environ,
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_PORT": str(port),
        # Its OTLP/gRPC receiver too: the default, 4317, is a collector's.
        "PHOENIX_GRPC_PORT": str(free_port()),
        "PHOENIX_WORKING_DIR": str(data_dir),
        "PHOENIX_TELEMETRY_ENABLED": "false",
        "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",  # no web fonts: the page loads offline
    }
    child = children.spawn("phoenix", [str(executable), "serve"], env)
    phoenix = Phoenix(f"http://127.0.0.1:{port}")
    # Its first start creates the database and runs its migrations: slow on a busy machine.
    await wait_ready(child, f"{phoenix.url}/healthz", timeout_seconds=240)
    return phoenix
