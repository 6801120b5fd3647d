"""The `.env` file: settings written down once for every `elope` command run from a directory.

`./.env` by default; `ELOPE_ENV_FILE` names another file, or, empty, turns the file off (the
test suite does, so a developer's `.env` cannot change a test). Real environment variables win
over the file (pydantic-settings' order). A line the file's parser cannot read stops start-up:
it is most likely a setting its writer believes is in effect.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from dotenv.parser import parse_stream

ENV_FILE_VARIABLE = "ELOPE_ENV_FILE"
DEFAULT_ENV_FILE = Path(".env")


class EnvFileError(ValueError):
    """The env file named cannot be read, or has a line that is not NAME=value."""


def settings_env_file() -> Path | None:
    """The env file to read settings from, checked line by line; None when there is none."""
    named = os.environ.get(ENV_FILE_VARIABLE)
    if named is not None and not named.strip():
        return None
    path = Path(named) if named is not None else DEFAULT_ENV_FILE
    if not path.is_file():
        if named is None:  # no ./.env: nothing to read, as intended
            return None
        raise EnvFileError(f"{ENV_FILE_VARIABLE}: {path} is not a file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvFileError(f"{path} cannot be read: {exc}") from None
    for statement in parse_stream(io.StringIO(text)):
        if statement.error:
            # The line itself is not shown: it may hold a secret.
            raise EnvFileError(f"{path}, line {statement.original.line}: not NAME=value"
                               " (or a quote left open)")
    return path
