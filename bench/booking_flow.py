"""Benchmark: the booking path through the real ASGI app on the mock preset, in process.

    .venv/bin/python bench/booking_flow.py [--bookings 300] [--storm 50]
    .venv/bin/python bench/booking_flow.py --database-url postgresql://...   # real preset

With --database-url it runs on the real preset against that database (migrated first; use a
throwaway database: the benchmark books hundreds of dates in it).

Prints checkouts and paid webhooks per second (sequential, distinct dates), and the time to
settle a storm of simultaneous deliveries of one event. Figures, not assertions: compare runs
on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from adapters.piccolo.migrations_runner import apply_migrations
from entrypoints.asgi import prepare_mock_preset
from entrypoints.bootstrap import bootstrap
from entrypoints.http.app import create_asgi
from entrypoints.settings import load_settings


async def run(bookings: int, storm: int, database_url: str | None) -> None:
    preset: dict[str, object] = {}
    if database_url:
        await apply_migrations(database_url)
        preset = {"adapters_preset": "real", "database_url": database_url,
                  "jwt_secret": "bench-" * 8, "stripe_secret_key": "sk_bench",
                  "stripe_webhook_secret": "whsec_bench"}
    settings = load_settings(mail_sink_dir=Path(tempfile.mkdtemp()) / "mail",
                             log_level="WARNING", **preset)
    elope = bootstrap(settings)
    await elope.start()
    await prepare_mock_preset(elope)
    # The relay runs beside the requests, as under `elope serve`: the emails cost CPU in the
    # same process, but no answer waits for them.
    relay = asyncio.create_task(elope.relay.run(sweep_seconds=settings.outbox_relay_interval_seconds))
    transport = httpx.ASGITransport(app=create_asgi(elope, run_background=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        package = (await http.get("/v1/packages")).json()[0]
        today = dt.date.today()
        checkout_ms, paid_ms = [], []
        started = time.perf_counter()
        for i in range(bookings):
            day = (today + dt.timedelta(days=1 + i)).isoformat()
            t0 = time.perf_counter()
            r = await http.post("/v1/bookings/checkout", json={
                "packageSlug": package["slug"], "eventDate": day, "coupleName": "Bench",
                "email": f"bench{i}@example.com", "addOnIds": []})
            t1 = time.perf_counter()
            assert r.status_code == 201, r.text
            raw, sig = elope.local_checkout.pay(r.json()["sessionId"])  # type: ignore[union-attr]
            w = await http.post("/v1/webhooks/stripe", content=raw,
                                headers={"Stripe-Signature": sig})
            t2 = time.perf_counter()
            assert w.status_code == 200, w.text
            checkout_ms.append((t1 - t0) * 1000)
            paid_ms.append((t2 - t1) * 1000)
        total = time.perf_counter() - started

        day = (today + dt.timedelta(days=bookings + 5)).isoformat()
        r = await http.post("/v1/bookings/checkout", json={
            "packageSlug": package["slug"], "eventDate": day, "coupleName": "Storm",
            "email": "storm@example.com", "addOnIds": []})
        raw, sig = elope.local_checkout.pay(r.json()["sessionId"])  # type: ignore[union-attr]
        t0 = time.perf_counter()
        answers = await asyncio.gather(*(
            http.post("/v1/webhooks/stripe", content=raw, headers={"Stripe-Signature": sig})
            for _ in range(storm)))
        storm_ms = (time.perf_counter() - t0) * 1000
    relay.cancel()
    await asyncio.gather(relay, return_exceptions=True)
    await elope.relay.drain()
    emails = len(list(settings.mail_sink_dir.glob("*.eml")))
    await elope.stop()

    def p(values: list[float], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1]

    print(f"preset: {settings.adapters_preset}")
    print(f"bookings: {bookings} in {total:.2f}s = {bookings / total:.0f} booked dates/s")
    print(f"checkout ms: p50 {p(checkout_ms, 50):.2f}  p95 {p(checkout_ms, 95):.2f}")
    print(f"paid webhook ms: p50 {p(paid_ms, 50):.2f}  p95 {p(paid_ms, 95):.2f}")
    print(f"confirmation emails sent: {emails}")
    codes = sorted({a.status_code for a in answers})
    print(f"storm: {storm} simultaneous deliveries of one event settled in {storm_ms:.1f} ms,"
          f" status codes {codes}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bookings", type=int, default=300)
    parser.add_argument("--storm", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.bookings, args.storm, args.database_url))


if __name__ == "__main__":
    main()
