"""The README's shell blocks, run as a reader types them: in bash with `-euo pipefail`, from a
directory laid out like the clone (`.venv`, `tests`), with no virtualenv on PATH and a fresh
HOME, against a service started the way the README starts it.

Every section's blocks run in one shell, in order, as one reader's terminal; a section whose
blocks cannot run here is listed in NOT_RUN with the reason, so a new block runs by default.
The blocks say `localhost:3001`; the test runs the service on a free port and puts that port
in their place (and the real preset's PostgreSQL and local Stripe likewise: see
`test_the_real_preset_section_runs_as_typed`)."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.servers import ServerProcess, free_port
from tests.postgres import create_database, drop_database
from tests.readme_blocks import ShellBlock, by_section, shell_blocks

ROOT = Path(__file__).parents[2]
WALK_THROUGH = "A booking, end to end (mock preset, with curl and jq)"
REAL_PRESET = "The real preset (PostgreSQL)"  # run by a test of its own, on PostgreSQL
NOT_RUN = {
    "Two commands": "the first block is the service's start (this test starts it so, from the"
                    " installed venv); the second runs this very suite",
    "Follow a booking": "installs Arize Phoenix (a virtualenv of ~150 packages) and drives a"
                        " browser; `python -m tracing_ui` is that walk-through's own check",
    "Speed": "the benchmark runs for minutes; `python -m bench --quick` is its smoke run",
}
THE_READMES_PORT = "localhost:3001"
ADMIN_PASSWORD = "a passphrase the reader chose"


def _require_tools(*tools: str) -> None:
    """The snippets' tools: installed with apt-get when missing and root, else a loud failure."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", *missing],
                       check=False, capture_output=True, timeout=300)
        missing = [tool for tool in tools if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"the README's snippets need {', '.join(missing)}:"
                    f" apt-get install {' '.join(missing)}")


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A reader's repository root: this venv as `.venv`, this tree's tests as `tests`."""
    root = tmp_path / "clone"
    root.mkdir()
    (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (root / "tests").symlink_to(ROOT / "tests", target_is_directory=True)
    (root / "home").mkdir()
    return root


def _reader_environment(clone: Path, **extra: str) -> dict[str, str]:
    """A fresh shell's: no virtualenv on PATH (the README says `.venv/bin/...` where it means
    it), no ELOPE_ENV_FILE (the README's `.env` must be read), a HOME of its own (no ~/.curlrc)."""
    venv_bin = Path(sys.executable).parent
    path = [p for p in os.environ.get("PATH", os.defpath).split(os.pathsep)
            if p and Path(p) != venv_bin and Path(p) != Path(sys.prefix) / "bin"]
    return {"PATH": os.pathsep.join(path), "HOME": str(clone / "home"), "LANG": "C.UTF-8", **extra}


def _script(blocks: list[ShellBlock], substitutions: dict[str, str]) -> str:
    """The blocks as one shell session; a marker on stderr before each names the failing one."""
    parts = []
    for block in blocks:
        text = block.text
        for typed, here in substitutions.items():
            text = text.replace(typed, here)
        parts.append(f"echo '>>> README.md line {block.line}' >&2\n{text}")
    return "\n".join(parts)


def _run(script: str, clone: Path, stdin: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=clone, input=stdin,
                          env=_reader_environment(clone, **env), capture_output=True, text=True,
                          timeout=120, check=False)


def _login(base_url: str, email: str, password: str) -> dict[str, str]:
    answer = httpx.post(f"{base_url}/v1/admin/login", json={"email": email, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_every_shell_block_is_run_or_listed_with_its_reason() -> None:
    sections = by_section(shell_blocks())
    assert set(NOT_RUN) <= set(sections), "NOT_RUN names a section with no shell block"
    assert {WALK_THROUGH, REAL_PRESET} <= set(sections)
    assert THE_READMES_PORT in sections[WALK_THROUGH][0].text


def _assert_ran(name: str, done: subprocess.CompletedProcess[str]) -> None:
    assert done.returncode == 0, (
        f"README section {name!r} failed (exit {done.returncode}) after"
        f" {done.stderr.rstrip().splitlines()[-1:]}:\n{done.stderr[-3000:]}")
    # curl -s prints an API's error and goes on: an error body is a failure all the same.
    assert '"error"' not in done.stdout, f"{name}: an API error:\n{done.stdout[-3000:]}"


def test_the_mock_sections_run_as_typed_against_a_started_service(clone: Path) -> None:
    _require_tools("bash", "curl", "jq")
    sections = {name: blocks for name, blocks in by_section(shell_blocks()).items()
                if name not in NOT_RUN and name != REAL_PRESET}
    server = ServerProcess(env={"ADAPTERS_PRESET": "mock"}, cwd=clone).start()
    try:
        outputs = {}
        for name, blocks in sections.items():
            done = _run(_script(blocks, {THE_READMES_PORT: f"127.0.0.1:{server.port}"}), clone)
            _assert_ran(name, done)
            outputs[name] = done.stdout
        headers = _login(server.url, "admin@example.com", "admin")  # the README's mock admin
        bookings = httpx.get(f"{server.url}/v1/admin/bookings", headers=headers).json()["items"]
    finally:
        server.stop()

    # The walk-through's booking, listed by the admin, its email written; the session whose
    # expiry was sent as a signed webhook freed its date.
    assert [(b["coupleName"], b["status"]) for b in bookings] == [("Ada & Grace", "PAID")]
    assert (clone / "var" / "mail" / f"booking_{bookings[0]['id']}_confirmation.eml").is_file()
    walked = outputs[WALK_THROUGH]
    assert '"reason":"booked"' in walked and '"status":"PROCESSED"' in walked
    assert walked.rstrip().endswith('"available":true,"reason":null}')


@pytest.fixture
def readers_database(postgres_admin_dsn: str) -> Iterator[str]:
    """The README's `createdb ... elope`, on the suite's server under a name of its own."""
    name = f"elope_test_readme_{secrets.token_hex(4)}"
    yield create_database(postgres_admin_dsn, name)
    drop_database(postgres_admin_dsn, name)


def _wait_ready(base_url: str, shell: subprocess.Popen[str], log: Path,
                timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if shell.poll() is not None:
            pytest.fail(f"the real preset's first block ended (exit {shell.returncode}) before"
                        f" `elope serve` was ready:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base_url}/health/ready", timeout=0.5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"`elope serve` of the real preset's first block not ready at {base_url}:\n"
                f"{log.read_text()[-3000:]}")


def test_the_real_preset_section_runs_as_typed(clone: Path, readers_database: str) -> None:
    """Its first block in one terminal (it ends serving), steps 1-3 of the walk-through and its
    second block in another, the password the reader chose typed into both."""
    _require_tools("bash", "curl", "jq")
    first, second = by_section(shell_blocks())[REAL_PRESET]
    walk_through = by_section(shell_blocks())[WALK_THROUGH][0]
    steps_1_to_3 = ShellBlock(walk_through.section, walk_through.line,
                              walk_through.text[:walk_through.text.index("# 4.")])
    api_port, stripe_port = free_port(), free_port()
    here = {  # what differs on this machine from the reader's
        "createdb -h 127.0.0.1 -U postgres elope\n": "",  # readers_database made it
        "postgresql://postgres@127.0.0.1:5432/elope": readers_database,
        "12111": str(stripe_port),
        THE_READMES_PORT: f"127.0.0.1:{api_port}",
    }
    assert all(typed in first.text + second.text + walk_through.text for typed in here)
    typed = clone.parent / "typed"  # what the reader types: the password, for create-admin
    typed.write_text(ADMIN_PASSWORD + "\n")
    log = clone.parent / "terminal-1.log"
    # API_PORT from the environment: the README's .env leaves the port at its default, 3001.
    with typed.open() as keyboard, log.open("w") as terminal:
        serving = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", _script([first], here)], cwd=clone, text=True,
            env=_reader_environment(clone, API_PORT=str(api_port)), stdin=keyboard,
            stdout=terminal, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base_url = f"http://127.0.0.1:{api_port}"
        _wait_ready(base_url, serving, log)

        paid = _run(_script([steps_1_to_3, second], here), clone, stdin=ADMIN_PASSWORD + "\n")
        _assert_ran(REAL_PRESET, paid)
        bookings = httpx.get(f"{base_url}/v1/admin/bookings",
                             headers=_login(base_url, "admin@example.com", ADMIN_PASSWORD)).json()
    finally:
        os.killpg(serving.pid, signal.SIGTERM)  # the shell, its local Stripe and its server
        serving.wait(timeout=30)

    assert '"status":"PROCESSED"' in paid.stdout
    assert [(b["coupleName"], b["status"]) for b in bookings["items"]] == [("Ada & Grace", "PAID")]
    assert f"\"id\": \"{bookings['items'][0]['id']}\"" in paid.stdout  # echo "$BOOKING"
    assert (clone / ".env").is_file()  # the README's settings, which the commands read
