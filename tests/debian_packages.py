"""Programs the tests take from Debian's packages (nginx, PgBouncer, Chromium): found at their
Debian paths, installed with apt-get when missing and the tests run as root, else a loud
failure that names the command - never a skip."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
PGBOUNCER = Path("/usr/sbin/pgbouncer")
CHROMIUM = Path("/usr/bin/chromium")
PACKAGE_OF = {NGINX: "nginx-light", PGBOUNCER: "pgbouncer", CHROMIUM: "chromium"}


class MissingPackage(RuntimeError):
    """A program the tests need is not installed and cannot be installed here."""


def running_as_root() -> bool:
    return os.geteuid() == 0


def require_programs(*programs: Path) -> None:
    """Make sure each program is installed, installing its package as root if it is not."""
    missing = [program for program in programs if not program.exists()]
    if not missing:
        return
    packages = " ".join(PACKAGE_OF[program] for program in missing)
    if not running_as_root():
        raise MissingPackage(
            f"{', '.join(map(str, missing))} missing: run `sudo apt-get install -y "
            f"--no-install-recommends {packages}` (or run this as root)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # A fresh machine may have no package lists yet.
    for command in (["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "--no-install-recommends",
                     *packages.split()]):
        done = subprocess.run(command, env=environment, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            raise MissingPackage(f"`{' '.join(command)}` failed: {done.stderr[-1000:]}")
    still = [program for program in missing if not program.exists()]
    if still:
        raise MissingPackage(f"{', '.join(map(str, still))} still missing after apt-get install")
