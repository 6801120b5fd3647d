"""The password `elope create-admin` reads when it is not on the command line."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from entrypoints.cli.password_input import PasswordInputError, read_password


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def answers(*typed: str) -> tuple[Callable[[str], str], list[str]]:
    """A stand-in for getpass: answers in turn, and the prompts it was shown."""
    prompts: list[str] = []
    replies = iter(typed)

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return next(replies)

    return ask, prompts


def test_in_a_terminal_the_password_is_asked_twice() -> None:
    ask, prompts = answers("s3cret pass", "s3cret pass")

    assert read_password(Terminal(), ask) == "s3cret pass"
    assert len(prompts) == 2


def test_in_a_terminal_two_different_answers_change_nothing() -> None:
    ask, _ = answers("s3cret pass", "s3cret pas")

    with pytest.raises(PasswordInputError, match="differ"):
        read_password(Terminal(), ask)


def test_in_a_terminal_an_end_of_input_is_no_password() -> None:
    def closed(prompt: str) -> str:
        raise EOFError

    with pytest.raises(PasswordInputError, match="no password"):
        read_password(Terminal(), closed)


def test_piped_the_first_line_is_the_password_without_its_line_ending() -> None:
    assert read_password(io.StringIO(" spaced out \r\nsecond line\n")) == " spaced out "
    assert read_password(io.StringIO("no newline at the end")) == "no newline at the end"


def test_piped_nothing_is_no_password() -> None:
    with pytest.raises(PasswordInputError, match="no password"):
        read_password(io.StringIO(""))
