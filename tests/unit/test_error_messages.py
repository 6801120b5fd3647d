"""SPEC §8's message is cut: an error quoting the caller's input must not send a megabyte of
it back. The edge's bounds refuse most such input first; this is the net behind them."""

from __future__ import annotations

from entrypoints.http.errors import MAX_MESSAGE, _printable


def test_a_message_quoting_a_huge_input_is_cut_to_the_limit() -> None:
    text = _printable(f"no package '{'x' * 500_000}'")
    assert len(text) == MAX_MESSAGE and text.endswith("…")


def test_a_lone_surrogate_in_a_message_is_replaced_not_raised() -> None:
    assert _printable("bad \ud800 value") == "bad ? value"
