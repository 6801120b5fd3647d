"""Statements Piccolo builds once, run many times with new values.

Building a Piccolo query and compiling it to SQL costs more CPU than PostgreSQL spends
running the statement: on the booking path it was a third of the process's time. The
statements of the hot paths are therefore built once, at import, with a placeholder in place
of each value; a call binds the values to that SQL. (asyncpg then finds the statement in its
per-connection cache of prepared statements by the same text.)

A placeholder stands where Piccolo would put a bound value. Piccolo turns `col == None` into
`IS NULL`, which a placeholder cannot: compare only values that are never None.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from piccolo.query.base import Query
from piccolo.query.methods.count import Count
from piccolo.query.methods.exists import Exists
from piccolo.query.methods.objects import Objects
from piccolo.query.methods.select import Select
from piccolo.querystring import QueryString


@dataclass(frozen=True)
class Statement:
    """SQL and its values, ready to run."""

    sql: str
    args: tuple[Any, ...]
    # A plain read: it needs no transaction (see LazyTransaction).
    reads_only: bool


class _Placeholder(str):
    """Stands for a call argument. A str, so Piccolo passes it through untouched even where
    it would convert other values (a JSON column serializes anything but a string)."""

    name: str

    def __new__(cls, name: str) -> _Placeholder:
        placeholder = super().__new__(cls, f"<placeholder {name}>")
        placeholder.name = name
        return placeholder


def reads_only(query: Query[Any, Any] | QueryString) -> bool:
    if isinstance(query, Select | Objects):
        return query.lock_rows_delegate._lock_rows is None
    return isinstance(query, Exists | Count)


def compile_query(query: Query[Any, Any] | QueryString) -> Statement:
    """A Piccolo query (or raw QueryString, taken as a write) as a Statement."""
    if isinstance(query, QueryString):
        querystring = query
    else:
        (querystring,) = query.querystrings
    sql, args = querystring.compile_string(engine_type="postgres")
    return Statement(sql, tuple(args), reads_only(query))


class Prepared:
    """`Prepared(lambda a, b: <Piccolo query using a and b>)`; call it with a and b."""

    def __init__(
        self, build: Callable[..., Query[Any, Any] | QueryString], *, reads_only: bool = False,
    ) -> None:
        """`reads_only`: a raw QueryString that only reads (Piccolo queries say so
        themselves)."""
        self._build = build
        self._declared_read = reads_only
        self._template: Statement | None = None
        self._slots: list[tuple[int, Any]] = []

    def __call__(self, *values: Any) -> Statement:
        template = self._template or self._compile()
        return Statement(template.sql, tuple(values[i] if i >= 0 else constant
                                             for i, constant in self._slots),
                         template.reads_only or self._declared_read)

    def _compile(self) -> Statement:
        # On first use, not at import: Piccolo compiles for the engine its tables are bound
        # to, which the database binds when the process opens it.
        names = list(inspect.signature(self._build).parameters)
        template = compile_query(self._build(*(_Placeholder(n) for n in names)))
        # Per SQL parameter: the index of the call argument it takes, or a constant Piccolo
        # bound itself (a literal in the query's code).
        self._slots = [(names.index(a.name), None) if isinstance(a, _Placeholder) else (-1, a)
                       for a in template.args]
        unused = set(range(len(names))) - {i for i, _ in self._slots}
        if unused:
            # Piccolo turned a value into something else (or dropped it): binding the call's
            # value would not do what the query says.
            raise TypeError(f"{self._build}: no parameter takes {[names[i] for i in unused]}")
        self._template = template
        return template
