"""`elope migrate` works on DATABASE_DIRECT_URL: its lock lives as long as its session, which a
transaction pooler in DATABASE_URL would not keep."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.integration.conftest import real_environment
from tests.integration.servers import ELOPE, free_port


def test_migrate_connects_to_the_direct_url_not_the_pooled_one(
    clean_postgres: str, tmp_path: Path,
) -> None:
    nobody_listens = f"postgresql://postgres@127.0.0.1:{free_port()}/elope"
    env = {**real_environment(nobody_listens, tmp_path / "mail", "http://127.0.0.1:9"),
           "DATABASE_DIRECT_URL": clean_postgres, "DATABASE_POOL_MODE": "transaction"}

    done = subprocess.run([ELOPE, "migrate"], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert "the schema is up to date" in done.stdout
