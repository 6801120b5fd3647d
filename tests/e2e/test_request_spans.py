"""SPEC §7, what a booking's trace holds when traces are exported: a span per request named
by its route, the command, webhook and subscriber spans, the calls to outside services - and
not a span per ASGI message, per SQL statement, or per health probe and metrics scrape.

The tracer provider is process-wide and can be installed once, so the app runs in a fresh
interpreter, set up exactly as `elope serve` sets up a worker."""

from __future__ import annotations

import asyncio
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from entrypoints.env_file import ENV_FILE_VARIABLE
from tests.e2e.conftest import REAL_JWT_SECRET, REAL_STRIPE_SECRET_KEY, REAL_WEBHOOK_SECRET

ROOT = Path(__file__).resolve().parents[2]

_BOOK_AND_PROBE = textwrap.dedent("""
    import asyncio, datetime as dt, json, os, sys
    from contextlib import ExitStack
    import httpx
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
    from adapters.telemetry.otel_tracing import setup_tracing
    from entrypoints.asgi import prepare_mock_preset
    from entrypoints.bootstrap import bootstrap
    from entrypoints.http.app import create_asgi
    from entrypoints.settings import load_settings
    from tests.e2e.conftest import cheap_argon2_hasher, payment_side
    from tests.fakes.stripe_server import fake_stripe

    preset, database_url, mail_dir, jwt, key, whsec = sys.argv[1:7]

    async def main(stack):
        values = {"adapters_preset": preset, "mail_sink_dir": mail_dir,
                  "otel_exporter_otlp_endpoint": "http://127.0.0.1:9"}
        fake = None
        if preset == "real":
            fake, base = stack.enter_context(fake_stripe(key, whsec))
            values.update(database_url=database_url, jwt_secret=jwt, stripe_secret_key=key,
                          stripe_webhook_secret=whsec, stripe_api_base=base)
        settings = load_settings(**values)
        provider = setup_tracing(settings.otel_service_name, settings.otel_exporter_otlp_endpoint,
                                 settings.otel_traces_sampler, settings.otel_traces_sampler_arg)
        exporter = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        elope = bootstrap(settings, hasher=cheap_argon2_hasher())
        await elope.start()
        await prepare_mock_preset(elope)
        transport = httpx.ASGITransport(app=create_asgi(elope, run_background=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://elope.test") as http:
            for path in ("/health/live", "/health/ready", "/metrics", "/v1/packages",
                         "/v1/packages/sunrise-cliffs"):
                assert (await http.get(path)).status_code == 200, path
            day = (dt.date.today() + dt.timedelta(days=120)).isoformat()
            checkout = await http.post(
                "/v1/bookings/checkout", headers={"X-Request-ID": "journey-1"},
                json={"packageSlug": "sunrise-cliffs", "eventDate": day,
                      "coupleName": "Ada & Grace", "email": "spans@example.com"})
            assert checkout.status_code == 201, checkout.text
            raw, signature = payment_side(elope, fake).pay(checkout.json()["sessionId"])
            paid = await http.post("/v1/webhooks/stripe", content=raw,
                                   headers={"Stripe-Signature": signature,
                                            "X-Request-ID": "webhook-1"})
            assert paid.status_code == 200, paid.text
        await elope.relay.drain()
        await elope.stop()
        return [{"name": s.name, "kind": s.kind.name, "trace": s.context.trace_id,
                 "id": s.context.span_id, "parent": s.parent.span_id if s.parent else None,
                 "attributes": {k: str(v) for k, v in (s.attributes or {}).items()}}
                for s in exporter.get_finished_spans()]

    with ExitStack() as stack:
        spans = asyncio.run(main(stack))
    print(json.dumps(spans))
    sys.stdout.flush()
    os._exit(0)  # skip the exit-time export to an endpoint nobody listens on
""")


async def _spans_of_a_booking(preset: str, database_url: str | None, tmp_path: Path
                              ) -> list[dict[str, Any]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _BOOK_AND_PROBE, preset, database_url or "", str(tmp_path / "mail"),
        REAL_JWT_SECRET, REAL_STRIPE_SECRET_KEY, REAL_WEBHOOK_SECRET,
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), ENV_FILE_VARIABLE: ""},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()[-3000:]
    spans: list[dict[str, Any]] = json.loads(out)
    return spans


async def test_a_booking_is_traced_by_request_command_and_outside_call_and_no_finer(
    preset: str, database_url: str | None, tmp_path: Path,
) -> None:
    spans = await _spans_of_a_booking(preset, database_url, tmp_path)
    names = {s["name"] for s in spans}
    assert {"GET /v1/packages", "POST /v1/bookings/checkout", "POST /v1/webhooks/stripe",
            "command CreateCheckout", "stripe event", "subscriber email_couple"} <= names
    # No span per ASGI message, per SQL statement, or per probe and scrape.
    assert not [n for n in names if n.endswith((" http send", " http receive"))]
    assert not [s["name"] for s in spans if any(k.startswith("db.") for k in s["attributes"])]
    assert not [n for n in names if "/health" in n or "/metrics" in n]

    by_name = {s["name"]: s for s in spans}
    # A route with a parameter is named by its template, once the router has run: a tracing
    # UI then groups requests by route, not by slug or booking id.
    package = [s for s in spans if s["attributes"].get("url.path") == "/v1/packages/sunrise-cliffs"]
    assert [s["name"] for s in package] == ["GET /v1/packages/{slug}"]
    assert package[0]["attributes"]["http.route"] == "/v1/packages/{slug}"
    assert package[0]["kind"] == "SERVER"
    checkout = by_name["POST /v1/bookings/checkout"]
    assert checkout["kind"] == "SERVER"
    assert checkout["attributes"]["http.route"] == "/v1/bookings/checkout"
    assert checkout["attributes"]["correlation.id"] == "journey-1"
    # Everything the checkout request did is in its trace and carries its correlation id.
    in_checkout = [s for s in spans if s["trace"] == checkout["trace"]]
    assert {s["attributes"]["correlation.id"] for s in in_checkout} == {"journey-1"}
    assert by_name["command CreateCheckout"]["trace"] == checkout["trace"]
    if preset == "real":  # the call to Stripe is a client span of its own
        assert [s for s in in_checkout if s["kind"] == "CLIENT"]
    assert by_name["stripe event"]["attributes"]["booking.correlation_id"] == "journey-1"
    assert by_name["POST /v1/webhooks/stripe"]["attributes"]["correlation.id"] == "webhook-1"
