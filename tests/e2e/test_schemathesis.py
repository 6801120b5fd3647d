"""Issue 10, item 9: the OpenAPI document tells the truth. Schemathesis generates requests
from /schema/openapi.json for every operation, with an admin token, and checks each answer
against the document: no 5xx, no status, content type, body or header it does not declare.
Both presets: the real one on PostgreSQL, its Stripe the tests' fake server.

The app is served over real HTTP by uvicorn on this test's event loop (the started Elope
and, in the real preset, its asyncpg pool belong to that loop) and `st run`, schemathesis's
own command line, runs as a child process against it: the run's report is what a developer
would see by hand. The per-client limits are raised as for every e2e test (tests/conftest.py
MANY_CLIENTS_AT_ONCE) so the fuzzing reaches the logic behind them; the 429s are still
documented, and the login throttle, which has no setting, still answers some of them.

Bounded: a fixed number of examples per operation and a fixed seed, so a failure in CI
reproduces with the `st run` command printed below; about a minute per preset here.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import httpx

from entrypoints.bootstrap import Elope
from entrypoints.http.app import create_asgi
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.fakes.local_server import serving_on_this_loop

ST = str(Path(sys.executable).parent / "st")
MAX_EXAMPLES = 80
SEED = 10
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_schema_conformance,response_headers_conformance")
RUN_TIMEOUT = 300


async def test_schemathesis_finds_no_response_the_document_does_not_declare(
    elope: Elope, tmp_path: Path,
) -> None:
    async with serving_on_this_loop(create_asgi(elope, run_background=False)) as base:
        async with httpx.AsyncClient(base_url=base) as http:
            login = await http.post("/v1/admin/login",
                                    json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
            assert login.status_code == 200, login.text
        token = login.json()["token"]
        command = [
            ST, "run", f"{base}/schema/openapi.json", "--checks", CHECKS,
            "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--no-color",
            "--header", f"Authorization: Bearer {token}",
            # The server shares this machine's cores with the run: no flaky timeouts.
            "--request-timeout", "30",
        ]
        # The report directory (.schemathesis/) goes to the test's own folder.
        child = await asyncio.create_subprocess_exec(
            *command, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT, env={**os.environ, "NO_COLOR": "1"})
        output, _ = await asyncio.wait_for(child.communicate(), RUN_TIMEOUT)
    report = output.decode(errors="replace")
    print(report)  # shown on failure, and with -s
    assert child.returncode == 0, report
    # Every operation of the document was reached (none skipped for a schema it cannot use).
    tested = re.search(r"Tested: (\d+)", report)
    selected = re.search(r"Selected: (\d+)/(\d+)", report)
    assert tested and selected and int(tested[1]) == int(selected[1]) == int(selected[2]), report
