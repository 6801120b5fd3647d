"""nginx and PgBouncer as the distribution ships them: found at their Debian paths, installed
with apt-get when missing and this runs as root, else a loud failure - never a skip."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

NGINX = Path("/usr/sbin/nginx")
PGBOUNCER = Path("/usr/sbin/pgbouncer")
PACKAGES = ("nginx-light", "pgbouncer")


class MissingPackage(RuntimeError):
    """A program the deployment needs is not installed and cannot be installed here."""


def running_as_root() -> bool:
    return os.geteuid() == 0


def require_programs() -> None:
    """Make sure nginx and pgbouncer are installed, installing them as root if they are not."""
    missing = [program for program in (NGINX, PGBOUNCER) if not program.exists()]
    if not missing:
        return
    if not running_as_root():
        raise MissingPackage(
            f"{', '.join(map(str, missing))} missing: run `sudo apt-get install -y "
            f"--no-install-recommends {' '.join(PACKAGES)}` (or run this as root)")
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "--no-install-recommends", *PACKAGES]):
        done = subprocess.run(command, env=environment, capture_output=True, text=True,
                              timeout=600)
        if done.returncode != 0:
            raise MissingPackage(f"`{' '.join(command)}` failed: {done.stderr[-1000:]}")
    still = [program for program in (NGINX, PGBOUNCER) if not program.exists()]
    if still:
        raise MissingPackage(f"{', '.join(map(str, still))} still missing after apt-get install")
