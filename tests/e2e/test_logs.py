"""SPEC §7's log lines over HTTP: an access line per request, named by its route."""

from __future__ import annotations

import httpx

from tests.e2e.conftest import MakeElope, MakeSettings, http_client
from tests.log_lines import captured_log_lines


async def test_each_request_gets_one_access_line_with_its_route_template(
    client: httpx.AsyncClient,
) -> None:
    with captured_log_lines("json") as logs:
        found = await client.get("/v1/packages/forest-vows", headers={"X-Request-ID": "acc-1"})
        missing = await client.get("/v1/no/such/path/forest-vows")
    assert found.status_code == 200 and missing.status_code == 404
    first, second = logs.of("elope.access")
    assert first == {**first, "level": "INFO", "message": "request", "method": "GET",
                     "route": "/v1/packages/{slug}", "status": 200, "correlation_id": "acc-1"}
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    # No route took it: a fixed label, not the client's path.
    assert second["route"] == "unmatched" and second["status"] == 404
    assert second["correlation_id"] == missing.headers["x-request-id"]
    assert "forest-vows" not in str(logs.of("elope.access"))


async def test_probes_and_scrapes_are_access_logged_at_debug_only(
    client: httpx.AsyncClient,
) -> None:
    with captured_log_lines("json") as logs:
        for path in ("/health/live", "/metrics"):
            assert (await client.get(path)).status_code == 200
    assert logs.of("elope.access") == []
    with captured_log_lines("json", level="DEBUG") as logs:
        assert (await client.get("/health/live")).status_code == 200
    [probe] = logs.of("elope.access")
    assert probe["level"] == "DEBUG" and probe["route"] == "/health/live"


async def test_access_log_off_writes_no_line_but_requests_are_still_measured(
    make_settings: MakeSettings, make_elope: MakeElope,
) -> None:
    app = await make_elope(make_settings(access_log=False))
    async with http_client(app) as client:
        with captured_log_lines("json") as logs:
            for _ in range(2):
                assert (await client.get("/v1/packages/forest-vows")).status_code == 200
            await client.get("/v1/no/such/path")
        metrics = (await client.get("/metrics")).text
    assert logs.of("elope.access") == []
    series = "elope_http_request_duration_seconds_count"
    assert f'{series}{{method="GET",route="/v1/packages/{{slug}}",status="200"}} 2.0' in metrics
    assert f'{series}{{method="GET",route="unmatched",status="404"}} 1.0' in metrics
    assert "/v1/no/such/path" not in metrics and "forest-vows" not in metrics
