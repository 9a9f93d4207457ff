"""Every command's --help reads as written, and docs/command-line.md lists the choices the
parser takes."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import build_parser, main

DOCS = Path(__file__).resolve().parents[3] / "docs" / "command-line.md"


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    yield path, parser
    seen: set[int] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    yield from _commands(sub, (*path, name))


def test_every_help_reads_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    # argparse fills in %-placeholders in help strings but not in descriptions or
    # epilogs: a "%%" there is printed as it is ("95%% interval").
    for path, _parser in _commands(build_parser()):
        assert main([*path, "--help"]) == 0, path
        shown = capsys.readouterr().out
        assert "usage:" in shown, path
        assert "%%" not in shown, f"{' '.join(path)} --help: {shown}"
        assert "%(" not in shown, path


def _documented_choices() -> Iterator[tuple[tuple[str, ...], str, set[str]]]:
    """(command, option, choices) for every `--option a|b|c` of the docs' command list."""
    block = DOCS.read_text(encoding="utf-8").split("## The commands", 1)[1].split("```")[1]
    path: tuple[str, ...] = ()
    for line in block.splitlines():
        line = line.split("#", 1)[0]
        if line.startswith("python main.py"):
            words = line.removeprefix("python main.py").split()
            path = tuple(w for w in words[:2] if re.fullmatch(r"[a-z][a-z-]*", w))
        for option, values in re.findall(r"(--[a-z-]+) ([a-z_]+(?:\|[a-z_]+)+)", line):
            yield path, option, set(values.split("|"))


def test_the_documented_choices_are_the_parsers() -> None:
    parsers = dict(_commands(build_parser()))
    checked = 0
    for path, option, documented in _documented_choices():
        # "report effectiveness": the longest command the line names.
        command = path if path in parsers else path[:1]
        action = next(a for a in parsers[command]._actions if option in a.option_strings)
        choices = action.choices or getattr(action.type, "choices", None)
        assert choices is not None, (command, option)
        assert documented == set(choices), f"{' '.join(command)} {option}"
        checked += 1
    assert checked >= 10
