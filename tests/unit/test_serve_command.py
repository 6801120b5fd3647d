"""`elope serve`: uvicorn on uvloop and httptools where they are installed, and still serving
where they are not; the mock preset keeps to one worker; more than one worker runs under
Elope's own supervisor on Linux (a socket per worker) and under uvicorn's elsewhere; a taken
port or a worker count below one is refused with one line."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path
from typing import Any

import pytest

from entrypoints.cli import main as cli
from entrypoints.cli import operations, worker_metrics, worker_processes
from entrypoints.settings import Settings

REAL_PRESET = {
    "ADAPTERS_PRESET": "real", "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/unused",
    "JWT_SECRET": "serve-test-jwt-secret-0123456789abcdef0123", "STRIPE_SECRET_KEY": "sk_test_x",
    "STRIPE_WEBHOOK_SECRET": "whsec_x",
}


@pytest.fixture
def uvicorn_runs(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What `elope serve` asked uvicorn for (nothing is served; every port counts as free, and
    the real preset's database as reachable and migrated)."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(operations.uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    monkeypatch.setattr(worker_processes, "unavailable", lambda host, port: None)
    monkeypatch.setattr(operations, "require_database", _migrated)
    monkeypatch.setenv("API_PORT", "3001")  # serve writes the port it chose; restored after
    return calls


async def _migrated(settings: Settings) -> None:
    """The database check of the real preset, passed (tests/integration covers it for real)."""


@pytest.fixture
def supervised(monkeypatch: pytest.MonkeyPatch) -> list[tuple[worker_processes.WorkerPlan, int]]:
    """The plans and worker counts `elope serve` handed to its own supervisor (none started)."""
    calls: list[tuple[worker_processes.WorkerPlan, int]] = []

    class Recorder:
        def __init__(self, plan: worker_processes.WorkerPlan, workers: int,
                     metrics_directory: Path) -> None:
            calls.append((plan, workers))

        def run(self) -> int:
            return 0

    monkeypatch.setattr(worker_processes, "Supervisor", Recorder)
    return calls


@pytest.fixture
def real_preset(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in REAL_PRESET.items():
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("real_preset")
def test_one_worker_is_a_single_uvicorn_on_uvloop_and_httptools(
    uvicorn_runs: list[dict[str, Any]], supervised: list[object],
) -> None:
    assert cli.main(["serve", "--port", "3999"]) == 0
    (run,) = uvicorn_runs
    assert (run["loop"], run["http"], run["workers"], run["port"]) == ("uvloop", "httptools", 1, 3999)
    assert run["app"] == "entrypoints.asgi:create_asgi_app" and run["factory"] is True
    assert supervised == []


@pytest.mark.usefixtures("real_preset")
def test_two_workers_on_linux_run_under_the_supervisor_with_the_fast_loop_and_parser(
    monkeypatch: pytest.MonkeyPatch, uvicorn_runs: list[dict[str, Any]],
    supervised: list[tuple[worker_processes.WorkerPlan, int]],
) -> None:
    monkeypatch.setattr(worker_processes, "spreads_connections", lambda: True)
    assert cli.main(["serve", "--workers", "2", "--host", "127.0.0.1", "--port", "3999"]) == 0
    assert supervised == [(worker_processes.WorkerPlan("127.0.0.1", 3999, "uvloop", "httptools"), 2)]
    assert uvicorn_runs == []


@pytest.mark.usefixtures("real_preset")
def test_two_workers_where_sockets_cannot_share_the_load_run_under_uvicorns_workers(
    monkeypatch: pytest.MonkeyPatch, uvicorn_runs: list[dict[str, Any]],
    supervised: list[object],
) -> None:
    monkeypatch.setattr(worker_processes, "spreads_connections", lambda: False)
    assert cli.main(["serve", "--workers", "2", "--port", "3999"]) == 0
    (run,) = uvicorn_runs
    assert (run["workers"], run["port"]) == (2, 3999)
    assert supervised == []


@pytest.mark.usefixtures("real_preset")
@pytest.mark.parametrize("own_sockets", [True, False])
def test_workers_keep_their_metrics_in_a_new_empty_directory_of_their_own_removed_after(
    own_sockets: bool, monkeypatch: pytest.MonkeyPatch, uvicorn_runs: list[dict[str, Any]],
) -> None:
    """What every worker's GET /metrics sums (prometheus_client's multiprocess mode), named in
    the environment the workers inherit: a directory per run, so no run adds another's counts."""
    seen: list[tuple[Path, list[Path]]] = []

    def look() -> int:
        directory = Path(os.environ[worker_metrics.SHARED_DIRECTORY])
        seen.append((directory, list(directory.iterdir())))
        return 0

    class Supervisor:
        def __init__(self, plan: worker_processes.WorkerPlan, workers: int,
                     metrics_directory: Path) -> None:
            self.metrics_directory = metrics_directory

        def run(self) -> int:
            look()
            assert seen[-1][0] == self.metrics_directory  # it forgets dead workers' gauges there
            return 0

    monkeypatch.setattr(worker_processes, "spreads_connections", lambda: own_sockets)
    monkeypatch.setattr(worker_processes, "Supervisor", Supervisor)
    monkeypatch.setattr(operations.uvicorn, "run", lambda app, **kw: look())
    monkeypatch.setenv(worker_metrics.SHARED_DIRECTORY, "/somewhere/an/operator/chose")
    for _ in range(2):
        assert cli.main(["serve", "--workers", "2", "--port", "3999"]) == 0

    (first, first_files), (second, second_files) = seen
    assert first != second and first_files == second_files == []
    assert not first.exists() and not second.exists()
    assert worker_metrics.SHARED_DIRECTORY not in os.environ


@pytest.mark.usefixtures("real_preset")
def test_one_worker_keeps_its_metrics_in_its_own_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_processes, "unavailable", lambda host, port: None)
    monkeypatch.setattr(operations, "require_database", _migrated)
    monkeypatch.setenv("API_PORT", "3001")
    monkeypatch.delenv(worker_metrics.SHARED_DIRECTORY, raising=False)
    seen: list[str | None] = []
    monkeypatch.setattr(operations.uvicorn, "run",
                        lambda app, **kw: seen.append(os.environ.get(worker_metrics.SHARED_DIRECTORY)))
    assert cli.main(["serve", "--port", "3999"]) == 0
    assert seen == [None]


def test_one_socket_per_worker_is_used_on_linux_only() -> None:
    assert worker_processes.spreads_connections() == sys.platform.startswith("linux")


def test_serve_falls_back_to_asyncio_and_h11_where_the_fast_ones_are_missing(
    monkeypatch: pytest.MonkeyPatch, uvicorn_runs: list[dict[str, Any]],
) -> None:
    # None in sys.modules makes `import uvloop` raise ImportError, as on a machine without it.
    monkeypatch.setitem(sys.modules, "uvloop", None)
    monkeypatch.setitem(sys.modules, "httptools", None)
    monkeypatch.setenv("ADAPTERS_PRESET", "mock")
    assert cli.main(["serve"]) == 0
    (run,) = uvicorn_runs
    assert (run["loop"], run["http"], run["workers"]) == ("asyncio", "h11", 1)


def test_the_mock_preset_refuses_more_than_one_worker(
    monkeypatch: pytest.MonkeyPatch, uvicorn_runs: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ADAPTERS_PRESET", "mock")
    assert cli.main(["serve", "--workers", "2"]) == 2
    assert uvicorn_runs == []
    assert "one worker only" in capsys.readouterr().err


@pytest.mark.parametrize("count", ["0", "-1", "two"])
def test_a_worker_count_below_one_is_refused(
    count: str, uvicorn_runs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--workers", count])
    assert exited.value.code == 2
    assert "--workers: expected a whole number of at least 1" in capsys.readouterr().err
    assert uvicorn_runs == []


@pytest.mark.usefixtures("real_preset")
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_already_listened_on_is_refused_with_one_line(
    workers: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    supervised: list[object],
) -> None:
    monkeypatch.setenv("API_PORT", "3001")
    served: list[object] = []
    monkeypatch.setattr(operations.uvicorn, "run", lambda *a, **kw: served.append(a))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = cli.main(["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", workers])
    assert code == 2
    assert capsys.readouterr().err == (
        f"elope: port {port} on 127.0.0.1 is already in use: stop what listens there, or choose"
        " another port with --port or API_PORT\n")
    assert served == [] and supervised == []


def test_workers_share_their_port_with_each_other_and_the_port_counts_as_taken_to_others() -> None:
    first = worker_processes.bound_socket("127.0.0.1", 0, reuse_port=True)
    port = first.getsockname()[1]
    first.listen()
    try:
        with worker_processes.bound_socket("127.0.0.1", port, reuse_port=True) as sibling:
            sibling.listen()
            assert sibling.getsockname()[1] == port
        assert worker_processes.unavailable("127.0.0.1", port) is not None
    finally:
        first.close()
    assert worker_processes.unavailable("127.0.0.1", port) is None


def test_the_mock_preset_listens_on_loopback_unless_told_otherwise(
    uvicorn_runs: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its admin is admin/admin: a laptop on a café's network must not offer it to everyone.
    monkeypatch.delenv("API_HOST", raising=False)
    assert cli.main(["serve", "--port", "3999"]) == 0
    monkeypatch.setenv("API_HOST", "0.0.0.0")
    assert cli.main(["serve", "--port", "3999"]) == 0
    assert cli.main(["serve", "--port", "3999", "--host", "192.0.2.1"]) == 0
    assert [run["host"] for run in uvicorn_runs] == ["127.0.0.1", "0.0.0.0", "192.0.2.1"]


@pytest.mark.usefixtures("real_preset")
def test_the_real_preset_listens_on_every_interface_by_default(
    uvicorn_runs: list[dict[str, Any]], supervised: list[object], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("API_HOST", raising=False)
    assert cli.main(["serve", "--port", "3999"]) == 0
    assert [run["host"] for run in uvicorn_runs] == ["0.0.0.0"]


def test_version_says_which_elope_this_is(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == "elope 0.1.0"
