"""The real `elope` console script run as an operator runs it, for the command-line tests."""

from __future__ import annotations

import subprocess

from adapters.piccolo.database_address import DatabaseAddress
from tests.integration.servers import ELOPE


def elope(env: dict[str, str], url: str, args: list[str],
          stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`elope ARGS` with DATABASE_URL=`url`, its output captured."""
    return subprocess.run([ELOPE, *args], env={**env, "DATABASE_URL": url}, input=stdin,
                          capture_output=True, text=True, timeout=60)


def where(url: str) -> str:
    """The database's server as the one-line messages name it: host:port."""
    return DatabaseAddress.of(url).where
