"""`python -m tests.deployment` (or deploy/try-it-here): the deployment of deploy/ started on
this machine - nginx and PgBouncer from the distribution, two Elope instances, PostgreSQL as
the tests find it - and a webhook storm through it. Exit code 0 when every expectation held."""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from tests.debian_packages import MissingPackage
from tests.deployment.outcome import COPIES
from tests.deployment.rig import deployed
from tests.deployment.storm import run_storm
from tests.postgres import NoPostgres, admin_dsn


def main() -> int:
    began = time.monotonic()

    def say(line: str) -> None:
        print(f"[{time.monotonic() - began:5.1f}s] {line}", flush=True)

    try:
        server = admin_dsn()
        with tempfile.TemporaryDirectory(prefix="elope-deploy-") as workdir, \
                deployed(server, Path(workdir), say) as deployment:
            say(f"storm: checkouts from several addresses through {deployment.url}, then "
                f"every paid event {COPIES} times at once")
            outcome = asyncio.run(run_storm(deployment))
    except (NoPostgres, MissingPackage, RuntimeError) as exc:
        print(f"elope deployment: {exc}", file=sys.stderr)
        return 2
    say(f"checkouts: {sorted(outcome.checkouts.values())}; a client's third hold: "
        f"{outcome.over_limit}, with a forged X-Forwarded-For: {outcome.over_limit_forged}")
    say(f"clients Elope counted: {', '.join(sorted(outcome.limit_keys))}")
    say(f"a date locked elsewhere: {outcome.lock_probe[0]} {outcome.lock_probe[1]}; "
        f"nginx: {outcome.nginx_edge}")
    say(f"deliveries: {len(outcome.paid_sessions)} paid sessions x {COPIES} = "
        f"{outcome.deliveries} at once, answers (retries included) "
        f"{dict(sorted(outcome.delivery_statuses.items()))}; webhooks per instance "
        f"{[int(n) for n in outcome.per_instance_webhooks]}")
    say(f"bookings: {sum(outcome.paid_per_date.values())} for {len(outcome.dates)} dates; "
        f"refunds: {len(outcome.refunded_sessions)}; emails: {dict(outcome.sent_mail)}; "
        f"confirmation files: {len(outcome.confirmation_files)}; liveness locks held by "
        f"{outcome.liveness_locks}")
    failures = outcome.failures()
    for failure in failures:
        print(f"FAILED: {failure}")
    print("deployment check passed" if not failures else "deployment check FAILED")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
