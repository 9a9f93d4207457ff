"""Every command option that names a file to write goes through the one guarded writer.

The options are found by walking the parser the command line builds, so a new command
with an output option is covered without touching this file (or fails here, saying what
sample arguments it needs). Each is pointed at the workspace, at its -wal file while
another program holds committed changes in it, at another workspace and at an existing
text file: every one must be refused with a plain one-line message, the file unchanged.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import build_parser, main
from app.cli.output import output_kind

ORDERS = "customer_id,order_id,order_date,amount\nA1,O1,2026-01-05,10.00\nA2,O2,2026-02-01,4\n"
WAITING_CHANGES = 50

# Options that name a file or folder the command only reads (never writes).
READS = {
    ((), "--db"),
    ((), "--self-test-relaunch"),
    ((), "--self-test-settings"),
    (("import",), "paths"),
    (("workspace", "sync-back"), "--copy"),
    (("pack",), "--template"),
}
# What a command needs besides its output option to get as far as writing.
POSITIONALS = {
    (("export",), "what"): "scores",
    (("import",), "paths"): "{orders}",
    (("contacts", "list"), "customer"): "C1",
    (("pack",), "scope"): "book",
    (("alerts", "ticket"), "alert_id"): "1",
}
OPTIONS = {
    ("draft",): ["--batch", "--alerts", "severity=critical"],
    ("workspace", "take-offline"): ["--from", "postgresql+psycopg://radar@127.0.0.1:9/radar"],
    ("alerts", "ticket"): ["--to", "freshdesk"],
}
# A command that takes only some file names is given a link of such a name to the file.
NAMED = {("export",): ".csv", ("alerts", "ticket"): ".csv"}
FILE_LIKE = re.compile(r"FILE|PATH|DIR|OUT|CSV|XLSX")


def _walk(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser, argparse.Action]]:
    seen: set[int] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                if id(sub) not in seen:
                    seen.add(id(sub))
                    yield from _walk(sub, (*path, name))
        else:
            yield path, parser, action


def _name(action: argparse.Action) -> str:
    return action.option_strings[0] if action.option_strings else action.dest


def _names_a_file(path: tuple[str, ...], action: argparse.Action) -> bool:
    return bool(FILE_LIKE.search(str(action.metavar or ""))) and (path, _name(action)) not in READS


def _outputs() -> list[tuple[tuple[str, ...], argparse.ArgumentParser, argparse.Action]]:
    """Every option declared as output, and any other that names a file it does not read."""
    return [
        (p, parser, a)
        for p, parser, a in _walk(build_parser())
        if output_kind(a) or _names_a_file(p, a)
    ]


def test_every_option_naming_a_file_is_known_as_read_or_written() -> None:
    unknown = [
        f"{' '.join(path)} {_name(action)}"
        for path, _parser, action in _walk(build_parser())
        if _names_a_file(path, action) and not output_kind(action)
    ]
    # A new option naming a file: declare it with app.cli.output.add_output_option (it is
    # written through the guarded writer), or list it in READS when it is only read.
    assert unknown == []
    assert len(_outputs()) >= 9


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """A workspace with orders whose -wal holds changes another program committed (its
    connection stays open), another workspace, a text file and an orders export."""
    from tests.support.databases import migrated_file

    folder = tmp_path_factory.mktemp("outputs")
    empty = migrated_file(tmp_path_factory.mktemp("empty"))
    workspace = folder / "w.radar.sqlite"
    shutil.copyfile(empty, workspace)
    other = folder / "other.radar.sqlite"
    shutil.copyfile(empty, other)
    orders = folder / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    code = main(["--db", str(workspace), "import", str(orders)], io.StringIO(), io.StringIO())
    assert code == 0
    text = folder / "notes.txt"
    text.write_text("precious notes\n", encoding="utf-8")
    holder = sqlite3.connect(workspace)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("PRAGMA wal_autocheckpoint=0")  # the changes stay in the -wal file
    holder.execute("CREATE TABLE other_program (n INTEGER)")
    for n in range(WAITING_CHANGES):
        holder.execute("INSERT INTO other_program (n) VALUES (?)", (n,))
        holder.commit()
    wal = workspace.with_name(workspace.name + "-wal")
    assert wal.stat().st_size > 0
    yield {"workspace": workspace, "wal": wal, "other": other, "text": text, "orders": orders}
    holder.close()
    check = sqlite3.connect(workspace)
    try:
        rows = check.execute("SELECT count(*) FROM other_program").fetchone()
        assert rows == (WAITING_CHANGES,)  # the other program's changes survived
    finally:
        check.close()


def _argv(
    path: tuple[str, ...],
    parser: argparse.ArgumentParser,
    output: argparse.Action,
    target: Path,
    files: dict[str, Path],
) -> list[str]:
    argv = ["--db", str(files["workspace"]), *path]
    for action in parser._actions:
        if action.option_strings or isinstance(action, argparse._SubParsersAction):
            continue
        if action is output:
            argv.append(str(target))
        elif action.required:
            # A command with another required argument: add a sample value above.
            argv.append(POSITIONALS[(path, action.dest)].format(**files))
    argv += OPTIONS.get(path, [])
    if output.option_strings:
        argv += [output.option_strings[0], str(target)]
    return argv


@pytest.mark.parametrize("case", ["workspace", "wal", "other", "text"])
def test_no_output_option_writes_over_the_workspace_a_database_or_a_file(
    case: str, files: dict[str, Path]
) -> None:
    target = files[case]
    watched = [files["workspace"], files["wal"], target]
    before = {p: p.read_bytes() for p in watched}
    for path, parser, output in _outputs():
        has_force = any("--force" in a.option_strings for a in parser._actions)
        # --force replaces an ordinary file, never the workspace or a database.
        forced = [False, True] if has_force and case != "text" else [False]
        given = target
        if path in NAMED:
            given = target.with_name(f"{case}-link{NAMED[path]}")
            if not given.is_symlink():
                given.symlink_to(target)
        for force in forced:
            argv = _argv(path, parser, output, given, files) + (["--force"] if force else [])
            out, err = io.StringIO(), io.StringIO()
            code = main(argv, out, err)
            shown = " ".join(argv[2:])
            message = err.getvalue().strip().splitlines() or [""]
            assert code == 1, f"{shown}: exit {code}; {err.getvalue()}"
            assert message[-1].startswith("error: "), shown
            assert "unexpected failure" not in message[-1], shown
            assert given.name in message[-1], f"{shown}: {message[-1]}"
            for p in watched:
                assert p.read_bytes() == before[p], f"{shown} changed {p.name}"
