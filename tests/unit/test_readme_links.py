"""The README links only what a clone has: files of the repository, no outside documents."""

from __future__ import annotations

import re

from tests.readme_blocks import README

# [text](target) and ![alt](target); the target ends at the first space or parenthesis.
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)[^)]*\)")
ROOT = README.parent.resolve()


def test_every_link_is_a_file_of_the_repository() -> None:
    text = README.read_text(encoding="utf-8")
    targets = _LINK.findall(text)
    assert targets, "the README's links were not found: is the pattern still right?"
    for target in targets:
        path = (ROOT / target.split("#")[0]).resolve()
        assert "://" not in target and not target.startswith(("/", "mailto:")), target
        assert path.is_relative_to(ROOT), f"{target} is outside the repository"
        assert path.exists(), f"{target} does not exist"


def test_it_cites_no_document_the_clone_does_not_have() -> None:
    text = README.read_text(encoding="utf-8")
    assert "../" not in text
    assert not re.search(r"\bSPEC\b|\bDESIGN\.md\b|\bSTYLE\.md\b", text)
