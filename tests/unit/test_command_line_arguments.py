"""What `elope` accepts on its command line: a wrong argument is one line and exit code 2
(not argparse's usage block), and every command and option says what it does, its default
and what it allows."""

from __future__ import annotations

import argparse

import pytest

from entrypoints.cli.arguments import parser

ELOPE = parser("0.0.0")


def refusal(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exited:
        ELOPE.parse_args(argv)
    assert exited.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.splitlines()) == 1, captured.err
    return captured.err


@pytest.mark.parametrize(("argv", "words"), [
    (["webhooks", "replay", "--status", "bogus"],
     ["elope: webhooks replay: argument --status: invalid choice: 'BOGUS'",
      "'PENDING', 'PROCESSED', 'FAILED', 'DUPLICATE'", "`elope webhooks replay --help`"]),
    (["webhooks", "replay", "--status", "FAILED", "--dead-letters"],
     ["argument --dead-letters: not allowed with argument --status"]),
    (["create-admin", "--email", "not-an-address"],
     ["elope: create-admin: argument --email: 'not-an-address' is not a valid email address"]),
    (["create-admin", "--email", "ops@example.com", "--password", "abc"],
     ["argument --password: a password needs at least 5 characters"]),
    (["create-admin"], ["the following arguments are required: --email"]),
    (["serve", "--port", "70000"], ["argument --port: expected a port number from 1 to 65535"]),
    (["serve", "--port", "0"], ["argument --port: expected a port number from 1 to 65535"]),
    (["serve", "--workers", "none"], ["argument --workers: expected a whole number of at least 1"]),
    (["serve", "--bogus"], ["elope: unrecognized arguments: --bogus"]),
    (["frobnicate"], ["elope: argument COMMAND: invalid choice: 'frobnicate'", "'serve'"]),
    ([], ["elope: the following arguments are required: COMMAND", "`elope --help`"]),
    (["webhooks"], ["elope: webhooks: the following arguments are required: TOOL"]),
])
def test_a_wrong_argument_is_one_line_naming_it_and_where_the_help_is(
    argv: list[str], words: list[str], capsys: pytest.CaptureFixture[str],
) -> None:
    line = refusal(argv, capsys)
    for word in words:
        assert word in line


def test_the_status_is_taken_in_any_case_and_failed_by_default() -> None:
    assert ELOPE.parse_args(["webhooks", "replay", "--status", "pending"]).status == "PENDING"
    defaults = ELOPE.parse_args(["webhooks", "replay"])
    assert (defaults.status, defaults.dead_letters) == ("FAILED", False)


def test_the_email_is_kept_as_it_will_be_stored() -> None:
    args = ELOPE.parse_args(["create-admin", "--email", "Ops@Example.com"])
    assert (args.email, args.password) == ("ops@example.com", None)


@pytest.mark.parametrize("argv", [
    ["--debug", "migrate"], ["migrate", "--debug"], ["webhooks", "replay", "--debug"],
    ["--debug", "serve", "--port", "3999"],
])
def test_debug_is_taken_before_or_after_the_command(argv: list[str]) -> None:
    assert ELOPE.parse_args(argv).debug is True


def test_without_debug_there_is_no_traceback_to_show() -> None:
    assert ELOPE.parse_args(["serve"]).debug is False


def every_parser(root: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [root]
    for action in root._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.extend(every_parser(sub))
    return found


@pytest.mark.parametrize("command", every_parser(ELOPE), ids=lambda p: p.prog)
def test_every_command_and_option_has_a_description_and_names_its_default(
    command: argparse.ArgumentParser,
) -> None:
    assert command.description
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            assert all(choice.help for choice in action._choices_actions)
            continue
        assert action.help, action.option_strings
        if action.option_strings and action.option_strings[0] not in (
                "-h", "--version", "--debug") and not action.required:
            assert "default" in action.help, action.option_strings
        if action.choices:
            assert all(str(choice) in action.help for choice in action.choices)


def test_the_help_says_what_the_mock_preset_keeps_and_why_serve_stops(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for argv, words in ((["reconcile"], "keeps nothing between processes"),
                        (["webhooks", "replay"], "keeps nothing between processes"),
                        (["migrate"], "keeps nothing between processes"),
                        (["serve"], "can never become ready by itself")):
        with pytest.raises(SystemExit):
            ELOPE.parse_args([*argv, "--help"])
        assert words in capsys.readouterr().out
