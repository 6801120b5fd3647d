"""The README's shell blocks (```sh and ```bash fences), each with the section it is under, for
the tests that run them as a reader would type them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"
SHELL_FENCES = {"sh", "bash", "shell"}
_FENCE = re.compile(r"^```\s*([\w-]*)\s*$")


@dataclass(frozen=True)
class ShellBlock:
    section: str  # the `## ` heading it is under, without the hashes
    line: int  # README line of its opening fence, for failure messages
    text: str


def shell_blocks(readme: Path = README) -> list[ShellBlock]:
    """Every shell block of the README, in order."""
    blocks: list[ShellBlock] = []
    section, fence, opened, body = "", None, 0, []
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), start=1):
        match = _FENCE.match(line)
        if fence is None and match:
            fence, opened, body = match.group(1).lower(), number, []
        elif fence is not None and line.strip() == "```":
            if fence in SHELL_FENCES:
                blocks.append(ShellBlock(section, opened, "\n".join(body) + "\n"))
            fence = None
        elif fence is not None:
            body.append(line)
        elif line.startswith("## "):
            section = line.removeprefix("## ").strip()
    return blocks


def by_section(blocks: list[ShellBlock]) -> dict[str, list[ShellBlock]]:
    """The blocks grouped by section, in README order (one reader's shell per section)."""
    grouped: dict[str, list[ShellBlock]] = {}
    for block in blocks:
        grouped.setdefault(block.section, []).append(block)
    return grouped
