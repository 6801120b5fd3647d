"""A webhook storm through the deployment: couples from several addresses check out a set of
dates through nginx, pay, and Stripe's events arrive at once, each several times, some dates
paid by two sessions. What happened is gathered in an `Outcome` (outcome.py)."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from email import message_from_string

import asyncpg
import httpx

from adapters.piccolo.processor_lock import PROCESSOR_LOCK_CLASS
from adapters.piccolo.unit_of_work import date_lock_key
from domain.event_date import EventDate
from tests.conftest import paid_session, sign, stripe_event
from tests.deployment.outcome import (
    COPIES,
    FIRST_CLIENTS,
    FORGED,
    HOLDS_EACH,
    LATE_CLIENT,
    LOCK_PROBE_CLIENT,
    PAID_TWICE,
    Outcome,
)
from tests.deployment.rig import Deployment
from tests.integration.conftest import WEBHOOK_SECRET
from tests.metrics_scrape import parse_samples

MIB = 1 << 20


def _client(deployment: Deployment, address: str | None = None) -> httpx.AsyncClient:
    """HTTP to nginx, from `address` (a loopback address: nginx sees a client of its own)."""
    transport = httpx.AsyncHTTPTransport(local_address=address) if address else None
    return httpx.AsyncClient(base_url=deployment.url, transport=transport, timeout=15)


async def _checkout(http: httpx.AsyncClient, date: str, email: str,
                    headers: dict[str, str] | None = None) -> httpx.Response:
    return await http.post("/v1/bookings/checkout", headers=headers or {}, json={
        "packageSlug": "sunrise-cliffs", "eventDate": date, "coupleName": "Ada & Grace",
        "email": email, "addOnIds": []})


async def _deliver(http: httpx.AsyncClient, raw: bytes, headers: dict[str, str],
                   statuses: Counter[int]) -> None:
    """As Stripe does: again until acknowledged (bounded)."""
    for _ in range(100):
        answer = await http.post("/v1/webhooks/stripe", content=raw, headers=headers)
        statuses[answer.status_code] += 1
        if answer.status_code == 200:
            return
        await asyncio.sleep(0.1)


async def _rows(dsn: str, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(dsn)
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


async def _checkouts(deployment: Deployment, outcome: Outcome) -> list[str]:
    """Holds for every date, from several clients; the hold limit seen from nginx's side.
    Returns the Checkout Session ids."""
    sessions: dict[str, str] = {}
    clients = [*FIRST_CLIENTS, LATE_CLIENT]

    async def hold(client: str, n: int) -> None:
        index = clients.index(client) * HOLDS_EACH + n
        async with _client(deployment, client) as http:
            answer = await _checkout(http, outcome.dates[index], f"couple{index}@example.com")
        outcome.checkouts[f"{client} #{n + 1}"] = answer.status_code
        if answer.status_code == 201:
            sessions[outcome.dates[index]] = answer.json()["sessionId"]

    await asyncio.gather(*(hold(c, n) for c in FIRST_CLIENTS for n in range(HOLDS_EACH)))
    spare = (dt.date.fromisoformat(outcome.dates[-1]) + dt.timedelta(days=1)).isoformat()
    async with _client(deployment, FIRST_CLIENTS[0]) as http:
        outcome.over_limit = (await _checkout(http, spare, "third@example.com")).status_code
        outcome.over_limit_forged = (await _checkout(
            http, spare, "forged@example.com", {"X-Forwarded-For": FORGED})).status_code
    await asyncio.gather(*(hold(LATE_CLIENT, n) for n in range(HOLDS_EACH)))
    return [sessions[date] for date in outcome.dates if date in sessions]


async def _lock_probe(deployment: Deployment, date: str) -> tuple[int, str]:
    """A checkout for a date whose lock another connection holds: the lock timeout, set per
    transaction through PgBouncer, must end the wait."""
    holder = await asyncpg.connect(deployment.direct_dsn)
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", date_lock_key(EventDate.parse(date)))
        async with _client(deployment, LOCK_PROBE_CLIENT) as http:
            try:
                answer = await _checkout(http, date, "patient@example.com")
            except httpx.TimeoutException:
                # Without its lock timeout the request waits as long as the lock is held.
                return 0, f"no answer within {http.timeout.read} s"
        return answer.status_code, answer.json().get("message", "")
    finally:
        await holder.close()


async def _nginx_edge(deployment: Deployment) -> dict[str, int]:
    async with _client(deployment) as http:
        return {
            "json 1.5 MiB": (await http.post("/v1/bookings/checkout", content=b"{" * (3 * MIB // 2),
                                             headers={"Content-Type": "application/json"})).status_code,
            # Past nginx, refused by Elope for its signature: nginx let it through.
            "webhook 3 MiB": (await http.post("/v1/webhooks/stripe", content=b" " * (3 * MIB),
                                              headers={"Stripe-Signature": "t=1,v1=0"})).status_code,
            "webhook 5 MiB": (await http.post("/v1/webhooks/stripe", content=b" " * (5 * MIB),
                                              headers={"Stripe-Signature": "t=1,v1=0"})).status_code,
            # Scraped on each instance, not published to the world.
            "GET /metrics": (await http.get("/metrics")).status_code,
        }


async def run_storm(deployment: Deployment) -> Outcome:
    """The whole scenario; nothing here asserts - read `failures()` of what it returns."""
    outcome = Outcome()
    start = dt.date.today() + dt.timedelta(days=200)
    holds = (len(FIRST_CLIENTS) + 1) * HOLDS_EACH
    outcome.dates = [(start + dt.timedelta(days=i)).isoformat() for i in range(holds)]
    session_ids = await _checkouts(deployment, outcome)
    probe_date = (start + dt.timedelta(days=holds + 5)).isoformat()
    outcome.lock_probe = await _lock_probe(deployment, probe_date)
    outcome.nginx_edge = await _nginx_edge(deployment)

    async with _client(deployment) as http:
        package = (await http.get("/v1/packages/sunrise-cliffs")).json()
    events: list[tuple[bytes, dict[str, str]]] = []
    outcome.paid_sessions = set(session_ids)
    for session_id in session_ids:
        raw, signature = deployment.stripe.pay(session_id)
        events.append((raw, {"Stripe-Signature": signature, "Content-Type": "application/json"}))
    for i, date in enumerate(outcome.dates[:PAID_TWICE]):
        second = paid_session(package_id=package["id"], event_date=date,
                              email=f"second{i}@example.com", total_cents=package["priceCents"])
        deployment.stripe.adopt_paid(second)  # paid at Stripe, so it can be refunded
        outcome.paid_sessions.add(second["id"])
        events.append(sign(stripe_event("checkout.session.completed", second), WEBHOOK_SECRET))
    deliveries = [event for event in events for _ in range(COPIES)]
    random.Random(11).shuffle(deliveries)
    outcome.deliveries = len(deliveries)
    async with _client(deployment) as http:
        await asyncio.gather(*(_deliver(http, raw, headers, outcome.delivery_statuses)
                               for raw, headers in deliveries))
    await _settle(deployment, outcome)
    return outcome


async def _settle(deployment: Deployment, outcome: Outcome) -> None:
    """Wait for the outbox to deliver the emails, give a second sender its chance, and read
    what happened."""
    dsn = deployment.direct_dsn
    wanted = len(outcome.dates) + PAID_TWICE
    for _ in range(300):
        if len(await _rows(dsn, "SELECT 1 FROM sent_mail")) >= wanted:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.5)  # a relay that would send an email again has had its chance
    paid = await _rows(dsn, "SELECT event_date::text AS date, session_id, email FROM booking"
                            " WHERE status = 'PAID'")
    outcome.paid_per_date = dict(Counter(row["date"] for row in paid))
    outcome.booked_emails = [row["email"] for row in paid]
    outcome.losing_sessions = outcome.paid_sessions - {row["session_id"] for row in paid}
    # Refunds are asked with the idempotency key refund:<session id>.
    outcome.refunded_sessions = {key.removeprefix("refund:") for key in deployment.stripe.refunds}
    outcome.sent_mail = Counter(row["key"].rsplit(":", 1)[1]
                                for row in await _rows(dsn, "SELECT key FROM sent_mail"))
    outcome.confirmation_files = [str(message_from_string(path.read_text())["To"]) for path in
                                  sorted(deployment.mail_dir.glob("*_confirmation.eml"))]
    outcome.email_timeline_entries = len(await _rows(
        dsn, "SELECT 1 FROM timeline_entry WHERE kind = 'email'"))
    outcome.limit_keys = {row["key"] for row in await _rows(
        dsn, "SELECT DISTINCT key FROM rate_counter WHERE name = 'checkout'")}
    outcome.liveness_locks = [row["application_name"] for row in await _rows(
        dsn, "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
             f" WHERE l.locktype = 'advisory' AND l.classid = {PROCESSOR_LOCK_CLASS}"
             " AND a.datname = current_database()")]
    outcome.unsettled_events = len(await _rows(
        dsn, "SELECT 1 FROM webhook_event WHERE status <> 'PROCESSED'"))
    async with httpx.AsyncClient(timeout=10) as http:
        for url in deployment.instance_urls:
            samples = parse_samples((await http.get(f"{url}/metrics")).text)
            outcome.per_instance_webhooks.append(sum(
                v for (name, _), v in samples.items() if name == "elope_webhook_outcomes_total"))
