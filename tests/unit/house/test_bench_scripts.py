"""Every script in bench/ still imports against today's code: a renamed function, a moved
module or a changed signature it imports by name fails here, in the suite, instead of on
the day someone runs the bench. Each says what it measures (its docstring) and runs only
as a script (a main guard), except the seed it shares with the tests."""

from __future__ import annotations

import ast
import importlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = sorted((ROOT / "bench").glob("*.py"))
LIBRARIES = {"learn_seed", "__init__"}  # imported by other scripts and tests, not run


def test_there_are_scripts() -> None:
    assert len(SCRIPTS) > 40


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.stem)
def test_the_script_imports_and_says_what_it_measures(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if path.stem != "__init__":
        assert ast.get_docstring(tree), f"{path.name} says nothing of what it measures"
    guarded = any(
        isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) for node in tree.body
    )
    assert guarded or path.stem in LIBRARIES, f"{path.name} runs when imported"
    monkeypatch.syspath_prepend(str(ROOT / "bench"))  # the scripts import each other
    importlib.import_module(f"bench.{path.stem}")
