"""deploy/, tried on this machine: nginx and PgBouncer from the distribution's packages in
front of two `elope serve` instances, and a webhook storm through them; the systemd unit as
systemd reads it. Run alone with `pytest -m deployment` (about 20 s)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deployment.rig import deployed
from tests.deployment.storm import run_storm

pytestmark = pytest.mark.deployment

DEPLOY = Path(__file__).parents[2] / "deploy"


async def test_a_webhook_storm_through_nginx_and_pgbouncer_books_each_date_once_and_emails_once(
    postgres_admin_dsn: str, tmp_path: Path,
) -> None:
    with deployed(postgres_admin_dsn, tmp_path) as deployment:
        outcome = await run_storm(deployment)

    assert "test is successful" in deployment.nginx_check
    assert outcome.failures() == []
    assert len(outcome.dates) == 12 and len(outcome.refunded_sessions) == 4


def test_the_systemd_unit_is_one_systemd_accepts_as_written(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze (package systemd) is needed to check deploy/systemd"
    # A root of its own: the unit where systemd looks for it, the program it runs, and the
    # targets it names - so the check needs no installation on this machine.
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    shutil.copy(DEPLOY / "systemd/elope.service", tmp_path / "etc/systemd/system")
    program = tmp_path / "opt/elope/.venv/bin/elope"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    shutil.copytree("/usr/lib/systemd/system", tmp_path / "usr/lib/systemd/system",
                    symlinks=True)

    checked = subprocess.run([analyze, "verify", f"--root={tmp_path}", "elope.service"],
                             capture_output=True, text=True, timeout=60)

    # Unknown keys and bad values are only warnings to systemd: none may be printed.
    assert (checked.returncode, checked.stderr, checked.stdout) == (0, "", "")
