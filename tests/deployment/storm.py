"""A webhook storm through the deployment: couples from several addresses check out a set of
dates through nginx, pay, and Stripe's events arrive at once, each several times, some dates
paid by two sessions. What happened is gathered in an `Outcome`, whose `failures()` says, in
sentences, every way it differs from one booking per date and every email once."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from adapters.piccolo.processor_lock import PROCESSOR_LOCK_CLASS
from adapters.piccolo.unit_of_work import date_lock_key
from domain.event_date import EventDate
from tests.conftest import paid_session, sign, stripe_event
from tests.deployment.rig import Deployment
from tests.integration.conftest import WEBHOOK_SECRET
from tests.metrics_scrape import parse_samples

# Client addresses: Linux routes all of 127.0.0.0/8 to loopback, so nginx sees each as a
# different client. 127.0.0.1 is nginx's own (the trusted proxy).
FIRST_CLIENTS = [f"127.0.0.{n}" for n in range(2, 7)]
LATE_CLIENT = "127.0.0.7"
LOCK_PROBE_CLIENT = "127.0.0.8"
FORGED = "203.0.113.9"
HOLDS_EACH = 2  # HOLDS_PER_CLIENT in the rig
PAID_TWICE = 4  # dates also paid by a second session Elope never held
COPIES = 3  # each event delivered this many times at once
MIB = 1 << 20


@dataclass
class Outcome:
    dates: list[str] = field(default_factory=list)
    checkouts: dict[str, int] = field(default_factory=dict)  # "client #n" -> status
    over_limit: int = 0  # the first client's third hold
    over_limit_forged: int = 0  # the same, with a forged X-Forwarded-For
    limit_keys: set[str] = field(default_factory=set)  # whom Elope counted checkouts for
    lock_probe: tuple[int, str] = (0, "")  # a checkout for a date locked elsewhere
    body_caps: dict[str, int] = field(default_factory=dict)
    paid_sessions: set[str] = field(default_factory=set)
    deliveries: int = 0
    delivery_statuses: Counter[int] = field(default_factory=Counter)
    per_instance_webhooks: list[float] = field(default_factory=list)
    paid_per_date: dict[str, int] = field(default_factory=dict)
    losing_sessions: set[str] = field(default_factory=set)
    refunded_sessions: set[str] = field(default_factory=set)
    sent_mail: Counter[str] = field(default_factory=Counter)  # "confirmation" / "refund"
    confirmation_files: list[str] = field(default_factory=list)  # the To: of each file
    booked_emails: list[str] = field(default_factory=list)
    unsettled_events: int = 0
    # Who holds each instance's liveness lock (application_name): its listener's session.
    liveness_locks: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        """Each expectation this outcome misses, as a sentence (none: the storm passed)."""
        expected_keys = {*FIRST_CLIENTS, LATE_CLIENT, LOCK_PROBE_CLIENT}
        checks = [
            (all(s == 201 for s in self.checkouts.values()),
             f"every checkout within the hold limit is created: {self.checkouts}"),
            (self.over_limit == 429, f"a client's third hold is refused 429: {self.over_limit}"),
            (self.over_limit_forged == 429,
             f"a forged X-Forwarded-For gives no new client: {self.over_limit_forged}"),
            (self.limit_keys == expected_keys,
             f"Elope counts checkouts for the addresses nginx saw, never nginx's own or a "
             f"forged one: {sorted(self.limit_keys)}"),
            (self.lock_probe[0] == 409,
             f"a date locked elsewhere answers 409 after the lock timeout: {self.lock_probe}"),
            (self.body_caps.get("json 1.5 MiB") == 413 and self.body_caps.get("webhook 5 MiB") == 413
             and self.body_caps.get("webhook 3 MiB", 413) not in (413, 0),
             f"nginx refuses (413) what Elope would, and lets a 3 MiB webhook reach Elope: "
             f"{self.body_caps}"),
            (set(self.delivery_statuses) <= {200, 409},
             f"deliveries answer 200 or 409 (being processed), no 5xx: {self.delivery_statuses}"),
            (len(self.per_instance_webhooks) == 2 and min(self.per_instance_webhooks) > 0,
             f"both instances handled webhooks: {self.per_instance_webhooks}"),
            (self.paid_per_date == dict.fromkeys(self.dates, 1),
             f"one paid booking per date: {self.paid_per_date}"),
            (len(self.losing_sessions) == PAID_TWICE
             and self.refunded_sessions == self.losing_sessions,
             f"exactly the {PAID_TWICE} losing payments are refunded: "
             f"{len(self.refunded_sessions)} refunded, {len(self.losing_sessions)} lost"),
            (self.sent_mail == Counter(confirmation=len(self.dates), refund=PAID_TWICE),
             f"one confirmation per date and one apology per refund: {dict(self.sent_mail)}"),
            (sorted(self.confirmation_files) == sorted(self.booked_emails),
             f"each booked couple's confirmation is written once: "
             f"{len(self.confirmation_files)} files for {len(self.booked_emails)} bookings"),
            (self.unsettled_events == 0, f"every event is processed: {self.unsettled_events}"),
            (self.liveness_locks == ["elope-listener"] * 2,
             f"each instance's liveness lock is held by its listener's own session, not a"
             f" pooled connection: {self.liveness_locks}"),
        ]
        return [sentence for passed, sentence in checks if not passed]


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


async def _body_caps(deployment: Deployment) -> dict[str, int]:
    async with _client(deployment) as http:
        return {
            "json 1.5 MiB": (await http.post("/v1/bookings/checkout", content=b"{" * (3 * MIB // 2),
                                             headers={"Content-Type": "application/json"})).status_code,
            # Past nginx, refused by Elope for its signature: nginx let it through.
            "webhook 3 MiB": (await http.post("/v1/webhooks/stripe", content=b" " * (3 * MIB),
                                              headers={"Stripe-Signature": "t=1,v1=0"})).status_code,
            "webhook 5 MiB": (await http.post("/v1/webhooks/stripe", content=b" " * (5 * MIB),
                                              headers={"Stripe-Signature": "t=1,v1=0"})).status_code,
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
    outcome.body_caps = await _body_caps(deployment)

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
    outcome.confirmation_files = [_recipient(path.read_text()) for path in
                                  sorted(deployment.mail_dir.glob("*_confirmation.eml"))]
    outcome.limit_keys = {row["key"] for row in await _rows(
        dsn, "SELECT DISTINCT key FROM rate_counter WHERE name = 'checkout'")}
    outcome.liveness_locks = [row["application_name"] for row in await _rows(
        dsn, "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)"
             f" WHERE l.locktype = 'advisory' AND l.classid = {PROCESSOR_LOCK_CLASS}")]
    outcome.unsettled_events = len(await _rows(
        dsn, "SELECT 1 FROM webhook_event WHERE status <> 'PROCESSED'"))
    async with httpx.AsyncClient(timeout=10) as http:
        for url in deployment.instance_urls:
            samples = parse_samples((await http.get(f"{url}/metrics")).text)
            outcome.per_instance_webhooks.append(sum(
                v for (name, _), v in samples.items() if name == "elope_webhook_outcomes_total"))


def _recipient(eml: str) -> str:
    headers: dict[str, Any] = dict(line.split(": ", 1) for line in eml.split("\n\n", 1)[0]
                                   .splitlines() if ": " in line)
    return str(headers.get("To", ""))
