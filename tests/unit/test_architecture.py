"""The house rules a reader relies on: imports point inward only, migrations are frozen
history, and the application keeps no mutable state at module level (a cache there is shared
by every Elope in the process, and outlives the objects it was made for)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# What each top-level package may import from the project (DESIGN.md's arrows).
MAY_IMPORT = {
    "domain": {"domain"},
    "application": {"application", "domain"},
    # The migration runner finds the migration files through their package.
    "adapters": {"adapters", "application", "domain", "migrations"},
    "migrations": set(),
}
PROJECT = {"domain", "application", "adapters", "entrypoints", "migrations"}


def project_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & PROJECT


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_each_layer_imports_only_the_layers_beneath_it(package: str) -> None:
    crossings = {
        str(path.relative_to(ROOT)): sorted(found - MAY_IMPORT[package])
        for path in (ROOT / package).rglob("*.py")
        if (found := project_imports(path)) - MAY_IMPORT[package]
    }
    assert crossings == {}


def application_modules() -> list[str]:
    import application

    return sorted(m.name for m in pkgutil.walk_packages(application.__path__, "application."))


@pytest.mark.parametrize("name", application_modules())
def test_the_application_keeps_no_mutable_state_at_module_level(name: str) -> None:
    module = importlib.import_module(name)
    mutable = sorted(
        attribute for attribute, value in vars(module).items()
        if isinstance(value, dict | list | set | bytearray)
        # An UPPER_CASE table (COMMAND_HANDLERS, TEMPLATES) is configuration, written once.
        and not attribute.isupper() and not attribute.startswith("__")
    )
    assert mutable == []
