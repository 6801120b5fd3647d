"""Just enough PromQL to evaluate the alert rules against the service's own scrapes.

promql-parser gives the syntax tree (and refuses what Prometheus would refuse); this walks
it over two scrapes taken one range apart: instant selectors read the later one, `rate` and
`increase` compare the two (a series missing from the first has no rate, as Prometheus needs
two samples). Only the constructs the rules use are here; anything else raises Unsupported,
so a rule that outgrows this evaluator fails its test instead of passing untested.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import promql_parser as pp

from tests.metrics_scrape import Labels, Samples

Vector = dict[Labels, float]  # labels without __name__: the rules never need it back
Value = Vector | float


class Unsupported(Exception):
    """The expression uses PromQL this evaluator does not implement."""


@dataclass(frozen=True)
class Window:
    """Two scrapes of the same service, `seconds` apart."""

    start: Samples
    end: Samples
    seconds: float


def selectors(expr: pp.Expr) -> Iterator[pp.VectorSelector]:
    """Every vector selector in `expr`, in matrix selectors too."""
    if isinstance(expr, pp.VectorSelector):
        yield expr
    elif isinstance(expr, pp.MatrixSelector):
        yield expr.vector_selector
    elif isinstance(expr, pp.Call):
        for arg in expr.args:
            yield from selectors(arg)
    elif isinstance(expr, pp.BinaryExpr):
        yield from selectors(expr.lhs)
        yield from selectors(expr.rhs)
    elif isinstance(expr, pp.AggregateExpr | pp.ParenExpr | pp.UnaryExpr | pp.SubqueryExpr):
        yield from selectors(expr.expr)


def select(samples: Samples, selector: pp.VectorSelector) -> Vector:
    """The samples `selector` picks from one scrape, keyed by their labels."""
    if selector.offset is not None or selector.at is not None or selector.name is None:
        raise Unsupported(f"{selector}: offset, @ and name-less selectors")
    picked: Vector = {}
    for (name, labels), value in samples.items():
        found = dict(labels)
        if name == selector.name and all(_matches(m, found.get(m.name, ""))
                                         for m in selector.matchers.matchers):
            picked[labels] = value
    return picked


def _matches(matcher: pp.Matcher, value: str) -> bool:
    # Regular expressions are anchored at both ends, as in Prometheus.
    if matcher.op == pp.MatchOp.Equal:
        return value == matcher.value
    if matcher.op == pp.MatchOp.NotEqual:
        return value != matcher.value
    if matcher.op == pp.MatchOp.Re:
        return re.fullmatch(matcher.value, value) is not None
    return re.fullmatch(matcher.value, value) is None


def evaluate(expr: pp.Expr, window: Window) -> Value:
    if isinstance(expr, pp.ParenExpr):
        return evaluate(expr.expr, window)
    if isinstance(expr, pp.NumberLiteral):
        return float(expr.val)
    if isinstance(expr, pp.VectorSelector):
        return select(window.end, expr)
    if isinstance(expr, pp.Call):
        return _call(expr, window)
    if isinstance(expr, pp.AggregateExpr):
        return _aggregate(expr, window)
    if isinstance(expr, pp.BinaryExpr):
        return _binary(expr, window)
    raise Unsupported(f"{type(expr).__name__}: {expr}")


def _call(call: pp.Call, window: Window) -> Value:
    name = call.func.name
    if name == "vector":
        scalar = evaluate(call.args[0], window)
        if not isinstance(scalar, float):
            raise Unsupported(f"{call}: vector() of a vector")
        return {frozenset(): scalar}
    if name in ("rate", "increase") and isinstance(call.args[0], pp.MatrixSelector):
        selector = call.args[0].vector_selector
        before, after = select(window.start, selector), select(window.end, selector)
        # A counter that went down was reset (a restart): it counted up from 0 since.
        grown = {labels: value - before[labels] if value >= before[labels] else value
                 for labels, value in after.items() if labels in before}
        if name == "increase":
            return grown
        return {labels: delta / window.seconds for labels, delta in grown.items()}
    raise Unsupported(f"{call}: only vector(), rate() and increase() over a selector")


_AGGREGATES: dict[str, Callable[[list[float]], float]] = {
    "sum": sum, "max": max, "min": min, "count": len,
    "avg": lambda values: sum(values) / len(values),
}


def _aggregate(agg: pp.AggregateExpr, window: Window) -> Vector:
    op = str(agg.op)
    if op not in _AGGREGATES or agg.param is not None:
        raise Unsupported(f"{agg}: aggregation {op}")
    inner = _vector(evaluate(agg.expr, window), agg)
    groups: dict[Labels, list[float]] = {}
    for labels, value in inner.items():
        groups.setdefault(_grouping(labels, agg.modifier), []).append(value)
    return {labels: float(_AGGREGATES[op](values)) for labels, values in groups.items()}


def _grouping(labels: Labels, modifier: pp.AggModifier | None) -> Labels:
    if modifier is None:
        return frozenset()
    if modifier.type == pp.AggModifierType.By:
        return frozenset((k, v) for k, v in labels if k in modifier.labels)
    return frozenset((k, v) for k, v in labels if k not in modifier.labels)


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul,
    "/": lambda a, b: a / b if b else (math.nan if a == 0 else math.copysign(math.inf, a)),
}
_COMPARISON: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
    "==": operator.eq, "!=": operator.ne,
}


def _binary(expr: pp.BinaryExpr, window: Window) -> Value:
    op, modifier = str(expr.op), expr.modifier
    lhs, rhs = evaluate(expr.lhs, window), evaluate(expr.rhs, window)
    if modifier is not None and (modifier.return_bool or modifier.card in (
            pp.VectorMatchCardinality.ManyToOne, pp.VectorMatchCardinality.OneToMany)):
        raise Unsupported(f"{expr}: bool and group_left/right")
    if op in ("and", "or", "unless"):
        return _set_operation(op, _vector(lhs, expr), _vector(rhs, expr), modifier)
    if isinstance(lhs, float) and isinstance(rhs, float):
        if op not in _ARITHMETIC:
            raise Unsupported(f"{expr}: a comparison of two scalars needs bool")
        return _ARITHMETIC[op](lhs, rhs)
    if isinstance(rhs, float) or isinstance(lhs, float):
        # Vector and scalar: the scalar meets every element; a comparison keeps the vector's.
        vector, scalar = (lhs, rhs) if isinstance(rhs, float) else (rhs, lhs)
        assert isinstance(vector, dict) and isinstance(scalar, float)
        with_scalar = {labels: ((v, scalar) if vector is lhs else (scalar, v))
                       for labels, v in vector.items()}
        return _apply(op, with_scalar, vector)
    return _apply(op, *_one_to_one(lhs, rhs, modifier))


def _one_to_one(
    lhs: Vector, rhs: Vector, modifier: pp.BinModifier | None,
) -> tuple[dict[Labels, tuple[float, float]], Vector]:
    """Pairs of lhs and rhs elements whose matching labels agree, by the result's labels
    (only the `on` labels when given), and the lhs value of each (what a filter keeps)."""
    right = {_key(labels, modifier): v for labels, v in rhs.items()}
    pairs: dict[Labels, tuple[float, float]] = {}
    kept: Vector = {}
    for labels, v in lhs.items():
        key = _key(labels, modifier)
        if key in right:
            result_labels = key if _on(modifier) else labels
            pairs[result_labels] = (v, right[key])
            kept[result_labels] = v
    return pairs, kept


def _apply(op: str, pairs: dict[Labels, tuple[float, float]], kept: Vector) -> Vector:
    if op in _ARITHMETIC:
        return {labels: _ARITHMETIC[op](a, b) for labels, (a, b) in pairs.items()}
    if op in _COMPARISON:
        return {labels: kept[labels] for labels, (a, b) in pairs.items()
                if _COMPARISON[op](a, b)}
    raise Unsupported(f"operator {op}")


def _set_operation(op: str, lhs: Vector, rhs: Vector, modifier: pp.BinModifier | None) -> Vector:
    right_keys = {_key(labels, modifier) for labels in rhs}
    if op == "and":
        return {k: v for k, v in lhs.items() if _key(k, modifier) in right_keys}
    if op == "unless":
        return {k: v for k, v in lhs.items() if _key(k, modifier) not in right_keys}
    left_keys = {_key(labels, modifier) for labels in lhs}
    return {**lhs, **{k: v for k, v in rhs.items() if _key(k, modifier) not in left_keys}}


def _on(modifier: pp.BinModifier | None) -> bool:
    matching = modifier.matching if modifier is not None else None
    return matching is not None and matching.type == pp.LabelModifierType.Include


def _key(labels: Labels, modifier: pp.BinModifier | None) -> Labels:
    matching = modifier.matching if modifier is not None else None
    if matching is None:
        return labels
    if matching.type == pp.LabelModifierType.Include:
        return frozenset((k, v) for k, v in labels if k in matching.labels)
    return frozenset((k, v) for k, v in labels if k not in matching.labels)


def _vector(value: Value, where: pp.Expr) -> Vector:
    if isinstance(value, float):
        raise Unsupported(f"{where}: a scalar where PromQL wants a vector")
    return value
