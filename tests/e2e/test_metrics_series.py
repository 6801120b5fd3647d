"""What an operator sees on /metrics after the request that should move it (issue 9): 409s
of checkout by reason, refused webhook signatures, refunds by reason, the outbox backlog and
its age, and one charset in the Content-Type. Both presets, same assertions."""

from __future__ import annotations

import httpx


async def test_metrics_answer_with_exactly_one_charset(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")

    assert response.headers.get_list("content-type") == [
        "text/plain; version=0.0.4; charset=utf-8"]
