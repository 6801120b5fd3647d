"""The deployment of deploy/, on this machine: PostgreSQL (the tests' server, a database of
its own), PgBouncer in transaction mode in front of it, two `elope serve` instances of the
real preset whose pooled connections go through PgBouncer and whose sessions go to
PostgreSQL directly, and nginx running deploy/nginx/elope.conf in front of both."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.debian_packages import NGINX, PGBOUNCER, require_programs
from tests.deployment.nginx import Nginx
from tests.deployment.pgbouncer import PgBouncer, Upstream
from tests.fakes.stripe_server import FakeStripe, fake_stripe
from tests.integration.conftest import STRIPE_SECRET_KEY, WEBHOOK_SECRET, real_environment
from tests.integration.servers import ELOPE, ServerProcess
from tests.postgres import create_database, drop_database

INSTANCES = 2
# A request waits this long for a date another one is booking, then answers 409.
LOCK_TIMEOUT_MS = 1000


@dataclass(frozen=True)
class Deployment:
    """What a test or the script talks to."""

    url: str  # nginx: the way in
    instance_urls: list[str]  # each instance directly (what Prometheus would scrape)
    direct_dsn: str  # PostgreSQL itself, to look at what happened
    stripe: FakeStripe
    mail_dir: Path
    nginx_check: str  # what `nginx -t` said about the site


def instance_environment(pooled: str, direct: str, mail_dir: Path, stripe_api_base: str
                         ) -> dict[str, str]:
    """The environment of each instance, as /etc/elope/elope.env would give it."""
    return {
        **real_environment(pooled, mail_dir, stripe_api_base),
        "DATABASE_DIRECT_URL": direct, "DATABASE_POOL_MODE": "transaction",
        # Behind nginx on this host: its address is the only trusted proxy.
        "TRUSTED_PROXIES": "127.0.0.1",
        # The per-client limit the storm watches, at its default.
        "HOLDS_PER_CLIENT": "2",
        "DB_LOCK_TIMEOUT_MS": str(LOCK_TIMEOUT_MS),
        # Whatever the caller's shell or .env says: mail to files, the mock calendar.
        "POSTMARK_SERVER_TOKEN": "", "GOOGLE_CALENDAR_ID": "",
    }


def _elope(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run([ELOPE, *command], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"elope {' '.join(command)} exited {done.returncode}: "
                           f"{done.stderr[-2000:]}")


@contextmanager
def deployed(admin_dsn: str, workdir: Path, say: Callable[[str], None] = lambda _: None
             ) -> Iterator[Deployment]:
    """Start everything (a fresh database in the server `admin_dsn` names); stop everything
    and drop the database when the block ends."""
    require_programs(NGINX, PGBOUNCER)
    name = f"elope_test_deploy_{secrets.token_hex(4)}"
    with ExitStack() as stack:
        direct = create_database(admin_dsn, name)
        stack.callback(drop_database, admin_dsn, name)
        stripe, stripe_base = stack.enter_context(fake_stripe(STRIPE_SECRET_KEY, WEBHOOK_SECRET))
        pgbouncer = PgBouncer(workdir / "pgbouncer", Upstream.of(direct)).start()
        stack.callback(pgbouncer.stop)
        say(f"pgbouncer: transaction mode on 127.0.0.1:{pgbouncer.port}, "
            f"{pgbouncer.pool_size} server connections")
        mail_dir = workdir / "mail"
        env = instance_environment(pgbouncer.url, direct, mail_dir, stripe_base)
        _elope(["migrate"], env)  # through DATABASE_DIRECT_URL: its lock is a session's
        _elope(["seed"], env)  # the demo catalog, through PgBouncer
        say(f"elope migrate (direct) and elope seed (through pgbouncer): database {name}")
        servers = []
        for _ in range(INSTANCES):
            server = ServerProcess(env)
            stack.callback(server.stop)
            servers.append(server.start())
        say(f"elope serve: {INSTANCES} instances on ports "
            f"{', '.join(str(s.port) for s in servers)}")
        nginx = Nginx(workdir / "nginx", [s.port for s in servers])
        checked = nginx.test_config()
        if checked.returncode != 0:
            raise RuntimeError(f"nginx -t refused deploy/nginx/elope.conf: {checked.stderr}")
        stack.callback(nginx.stop)
        nginx.start()
        say(f"nginx: deploy/nginx/elope.conf on 127.0.0.1:{nginx.port} "
            f"({checked.stderr.strip().splitlines()[-1]})")
        yield Deployment(nginx.url, [s.url for s in servers], direct, stripe, mail_dir,
                         checked.stderr)
