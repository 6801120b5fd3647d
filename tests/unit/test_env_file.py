"""`.env`: read by every `elope` command from its working directory, beaten by the real
environment, refused with one line when a line cannot be read - and never read by the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from entrypoints.env_file import ENV_FILE_VARIABLE
from entrypoints.settings import SettingsError, load_settings

ELOPE = str(Path(sys.executable).parent / "elope")


def _elope(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`elope` as a user runs it: the environment without the suite's ELOPE_ENV_FILE."""
    base = {k: v for k, v in os.environ.items() if k not in {ENV_FILE_VARIABLE, "JWT_TTL_MINUTES"}}
    return subprocess.run([ELOPE, *args], cwd=cwd, env={**base, **env}, capture_output=True,
                          text=True, timeout=60, check=False)


@pytest.fixture
def user_shell(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process as a user's shell in an empty directory: no ELOPE_ENV_FILE, no settings
    the file below would set."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_FILE_VARIABLE)
    for name in ("CHECKOUT_HOLD_MINUTES", "LOG_LEVEL", "BOOKING_HORIZON_DAYS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_dot_env_of_the_working_directory_is_read_and_the_environment_beats_it(
    user_shell: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (user_shell / ".env").write_text(
        "# the business's settings\nCHECKOUT_HOLD_MINUTES=45\nexport LOG_LEVEL=DEBUG\n"
        "BOOKING_HORIZON_DAYS='100'\n")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")

    settings = load_settings()

    assert (settings.checkout_hold_minutes, settings.booking_horizon_days) == (45, 100)
    assert settings.log_level == "WARNING"


def test_elope_env_file_names_another_file_and_a_missing_one_stops_start(
    user_shell: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    (user_shell / "elope.env").write_text("CHECKOUT_HOLD_MINUTES=60\n")
    (user_shell / ".env").write_text("CHECKOUT_HOLD_MINUTES=45\n")
    monkeypatch.setenv(ENV_FILE_VARIABLE, "elope.env")
    assert load_settings().checkout_hold_minutes == 60

    monkeypatch.setenv(ENV_FILE_VARIABLE, "/nonexistent/elope.env")
    with pytest.raises(SettingsError, match=r"ELOPE_ENV_FILE: /nonexistent/elope.env is not a file"):
        load_settings()


def test_the_suite_reads_no_env_file_whatever_the_working_directory_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As tests/conftest.py leaves it, for this process and the processes tests start.
    assert os.environ[ENV_FILE_VARIABLE] == ""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("ADAPTERS_PRESET=real\nJWT_TTL_MINUTES=9999\nthis is no setting\n")

    settings = load_settings()

    assert (settings.adapters_preset, settings.jwt_ttl_minutes) == ("mock", 480)


def test_the_command_line_reads_dot_env_and_a_variable_beats_it(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("JWT_TTL_MINUTES=9999\n")

    from_the_file = _elope(["doctor"], tmp_path)
    assert from_the_file.returncode != 0
    assert "JWT_TTL_MINUTES" in from_the_file.stdout + from_the_file.stderr

    from_the_environment = _elope(["doctor"], tmp_path, JWT_TTL_MINUTES="60")
    assert from_the_environment.returncode == 0, from_the_environment.stdout


def test_a_line_that_is_not_name_value_stops_the_command_with_one_line_that_hides_it(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text("ADAPTERS_PRESET=mock\nJWT_SECRET s3cret-typed-without-equals\n")

    done = _elope(["migrate"], tmp_path)

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "elope: invalid configuration: .env, line 2: not NAME=value (or a quote left open)"]
    assert "s3cret" not in done.stdout + done.stderr
