"""A /metrics page read as Prometheus reads it: every sample, by metric name and labels."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
from prometheus_client.parser import text_string_to_metric_families

Labels = frozenset[tuple[str, str]]
Samples = dict[tuple[str, Labels], float]


def parse_samples(text: str) -> Samples:
    """Every sample line of an exposition, keyed by (sample name, labels)."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    return parse_samples(response.text)


def value(samples: Samples, name: str, **labels: str) -> float | None:
    """The sample `name{labels}` exactly (None when it is not exported)."""
    return samples.get((name, frozenset(labels.items())))


def by_label(samples: Samples, name: str, label: str) -> Mapping[str, float]:
    """Every sample of `name`, by the value of its one label `label`."""
    return {dict(labels)[label]: v for (n, labels), v in samples.items()
            if n == name and label in dict(labels)}
