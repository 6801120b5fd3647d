"""The JSON depth cap, judged before parsing (adapters/json_limits.py)."""

from __future__ import annotations

import json
import time

import pytest

from adapters.json_limits import MAX_JSON_DEPTH, nested_too_deep


def nested(depth: int) -> bytes:
    return b'{"a":[' * (depth // 2) + b"1" + b"]}" * (depth // 2)


@pytest.mark.parametrize("depth", [0, 2, 10, MAX_JSON_DEPTH])
def test_a_document_within_the_cap_passes(depth: int) -> None:
    assert not nested_too_deep(nested(depth))


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 2, 1000, 200_000])
def test_a_document_beyond_the_cap_is_too_deep(depth: int) -> None:
    assert nested_too_deep(nested(depth))


def test_brackets_inside_strings_are_text_not_nesting() -> None:
    raw = json.dumps({"a": "[" * 5000, "b": ['\\"[[[', "{" * 100]}).encode()
    assert not nested_too_deep(raw)


def test_an_escaped_quote_does_not_end_a_string() -> None:
    raw = b'["\\"' + b"[" * 100 + b'"]'
    assert not nested_too_deep(raw)


def test_unclosed_openings_count_as_levels() -> None:
    assert nested_too_deep(b"[" * 100_000)
    assert not nested_too_deep(b'{"a": [1, 2')  # malformed, left for the parser to say so


def test_many_shallow_brackets_are_not_deep() -> None:
    assert not nested_too_deep(b"[" + b"[1]," * 100_000 + b"[]]")


@pytest.mark.parametrize("raw", [
    b"[" * (1 << 20), b"[" * (1 << 19) + b"]" * (1 << 19), b"[]" * (1 << 19),
    b'"\\' * (1 << 19), b'"' * (1 << 20), b'"a"[' * (1 << 18),
], ids=["opens", "deep", "alternating", "escapes", "quotes", "strings-between"])
def test_a_hostile_mebibyte_is_judged_in_milliseconds(raw: bytes) -> None:
    started = time.perf_counter()
    nested_too_deep(raw)
    assert time.perf_counter() - started < 0.5  # linear: a backtracking pattern takes minutes
