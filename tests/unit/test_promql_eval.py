"""The alert tests' PromQL evaluator agrees with Prometheus on what the rules use."""

from __future__ import annotations

import promql_parser as pp
import pytest

from tests.metrics_scrape import Samples
from tests.promql_eval import Unsupported, Window, evaluate

START: Samples = {
    ("req_total", frozenset({("code", "200"), ("job", "a")})): 100,
    ("req_total", frozenset({("code", "500"), ("job", "a")})): 10,
    ("req_total", frozenset({("code", "200"), ("job", "b")})): 50,
    ("used", frozenset({("job", "a")})): 1,
}
END: Samples = {
    ("req_total", frozenset({("code", "200"), ("job", "a")})): 160,
    ("req_total", frozenset({("code", "500"), ("job", "a")})): 4,   # reset: counted from 0
    ("req_total", frozenset({("code", "200"), ("job", "b")})): 50,
    ("req_total", frozenset({("code", "404"), ("job", "b")})): 7,   # born since: no rate yet
    ("used", frozenset({("job", "a")})): 5,
    ("used", frozenset({("job", "b")})): 2,
    ("size", frozenset({("job", "a")})): 5,
    ("size", frozenset({("job", "b")})): 10,
}
WINDOW = Window(START, END, seconds=60)


def run(expr: str) -> object:
    return evaluate(pp.parse(expr), WINDOW)


def test_increase_and_rate_compare_the_two_scrapes_and_survive_a_reset() -> None:
    assert run("sum by (job) (increase(req_total[1m]))") == {
        frozenset({("job", "a")}): 64, frozenset({("job", "b")}): 0}
    assert run('rate(req_total{code=~"5.."}[1m])') == {
        frozenset({("code", "500"), ("job", "a")}): 4 / 60}


def test_vector_matching_and_filters() -> None:
    assert run("used >= size") == {frozenset({("job", "a")}): 5}
    assert run("used / on(job) size") == {frozenset({("job", "a")}): 1.0,
                                           frozenset({("job", "b")}): 0.2}
    assert run("used > 3 and size > 1") == {frozenset({("job", "a")}): 5}


def test_or_fills_in_what_is_missing_and_an_empty_ratio_stays_empty() -> None:
    assert run('sum(rate(req_total{code="418"}[1m])) or vector(0)') == {frozenset(): 0}
    assert run('sum(rate(req_total{code="418"}[1m])) / sum(rate(req_total[1m]))') == {}
    assert run("(vector(0) / vector(0)) > 0.05") == {}  # NaN compares false


def test_what_it_does_not_implement_is_refused_not_guessed() -> None:
    for expr in ("histogram_quantile(0.9, rate(req_total[1m]))", "used offset 5m",
                 "used + on(job) group_left size", "topk(1, used)"):
        with pytest.raises(Unsupported):
            run(expr)
