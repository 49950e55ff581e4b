"""Imports run one way (ARCHITECTURE.md): a test reads every import of the packages and
fails on one that runs against the flow, however deep in a function it hides."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGES = ("tracker", "config", "storage", "alerts")
# The tracker's leaves: they import nothing of the project, and every package may import
# them (the version, the error tree and the backoff policy are shared by all).
LEAVES = {"tracker", "tracker.errors", "tracker.backoff"}
# What each part may import besides itself and the leaves; the tracker's stages in the
# order an article flows through them, each allowed what lies before it.
ENGINE = {"tracker.text", "tracker.articles", "tracker.sources", "tracker.stories"}
ALLOWED = {
    "config": set(),
    "storage": set(),
    "alerts": {"config", "storage"},
    "tracker.text": {"config"},
    "tracker.articles": {"config", "tracker.text"},
    "tracker.sources": {"config", "tracker.text", "tracker.articles"},
    "tracker.stories": {"config", "storage", "tracker.text", "tracker.articles"},
    "tracker.service": {"config", "storage", "alerts", *ENGINE},
    "tracker.cli": {"config", "storage", "alerts", *ENGINE, "tracker.service"},
    "tracker.__main__": {"tracker.cli"},
}


def _part(module: str) -> str:
    """The part of the house a module belongs to (`tracker.stories.index` → tracker.stories)."""
    if module in LEAVES:
        return module
    pieces = module.split(".")
    return pieces[0] if pieces[0] != "tracker" else ".".join(pieces[:2])


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            relative = path.relative_to(ROOT).with_suffix("")
            name = ".".join(relative.parts).removesuffix(".__init__")
            found[name] = path
    return found


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {n for n in names if n.split(".")[0] in PACKAGES}


def _target(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an imported name refers to (a module, or a name in one)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


MODULES = _modules()


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way(module: str) -> None:
    part = _part(module)
    wrong = set()
    for name in _imports(MODULES[module]):
        target = _target(name, MODULES)
        if target is None or target == module:
            continue
        their_part = _part(target)
        if part in LEAVES:
            wrong.add(target)  # a leaf imports nothing of the project
        elif their_part not in (part, *LEAVES, *ALLOWED[part]):
            wrong.add(target)
    assert not wrong, f"{module} ({part}) imports against the flow: {sorted(wrong)}"


def test_nothing_imports_the_command_line() -> None:
    importers = {
        module
        for module, path in MODULES.items()
        if not module.startswith("tracker.cli") and module != "tracker.__main__"
        for name in _imports(path)
        if (_target(name, MODULES) or "").startswith("tracker.cli")
    }
    assert not importers
