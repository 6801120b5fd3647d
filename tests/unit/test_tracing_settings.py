"""OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG: read like the OTel SDK reads them, and a
bad value stops start-up with one line naming it."""

from __future__ import annotations

import typing

import pytest

from adapters.telemetry.journey_sampler import SAMPLER_NAMES, sampler_for
from entrypoints.settings import Settings, SettingsError, load_settings


def test_the_default_is_the_otel_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_TRACES_SAMPLER", raising=False)
    monkeypatch.delenv("OTEL_TRACES_SAMPLER_ARG", raising=False)
    settings = load_settings()
    assert (settings.otel_traces_sampler, settings.otel_traces_sampler_arg) == (
        "parentbased_always_on", 1.0)


@pytest.mark.parametrize(("value", "expected"), [
    ("traceidratio", "traceidratio"),
    ("ParentBased_TraceIdRatio", "parentbased_traceidratio"),
    (" always_off ", "always_off"),
])
def test_the_sampler_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: str,
) -> None:
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", value)
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.25")
    settings = load_settings()
    assert (settings.otel_traces_sampler, settings.otel_traces_sampler_arg) == (expected, 0.25)


@pytest.mark.parametrize(("name", "value"), [
    ("OTEL_TRACES_SAMPLER", "jaeger_remote"),
    ("OTEL_TRACES_SAMPLER_ARG", "1.5"),
    ("OTEL_TRACES_SAMPLER_ARG", "-0.1"),
    ("OTEL_TRACES_SAMPLER_ARG", "half"),
])
def test_a_bad_value_stops_start_up_naming_it(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str,
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=name):
        load_settings()


def test_every_accepted_sampler_is_one_the_tracing_setup_builds() -> None:
    accepted = typing.get_args(Settings.model_fields["otel_traces_sampler"].annotation)
    assert set(accepted) == set(SAMPLER_NAMES)
    for name in accepted:
        sampler_for(name, 0.5)
