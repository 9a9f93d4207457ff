"""Requests past what the app can compute or the disk can hold end in one plain line:
a date option outside the years the app computes with, and an output file name too long
for the disk. Nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.commands.test_cli import one_line_error, run
from tests.cli.commands.test_hardening import workspace

__all__ = ["workspace"]  # the fixture, shared

RANGE = "is out of range; give a date between 1900-01-01 and 2199-12-31"


def _usage_error(stderr: str) -> str:
    """argparse's own refusal: the usage, then one line naming the option."""
    assert "Traceback" not in stderr
    return stderr.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["report", "renewals", "--as-of", "9999-12-31"], "argument --as-of: 9999-12-31 "),
        (["report", "retention", "--since", "0001-01-01", "--until", "9999-12-31"],
         "argument --since: 0001-01-01 "),
        (["report", "retention", "--until", "9999-12-31"], "argument --until: 9999-12-31 "),
        (["score", "--as-of", "1066-10-14"], "argument --as-of: 1066-10-14 "),
        (["export", "customers", "out.csv", "--since", "9999-12-31"],
         "argument --since: 9999-12-31 "),
    ],
)  # fmt: skip
def test_a_date_out_of_range_is_refused_plainly(
    tmp_path: Path, workspace: Path, args: list[str], words: str
) -> None:
    result = run("--db", str(workspace), *args, home=tmp_path)
    assert result.returncode == 2
    assert _usage_error(result.stderr).endswith(words + RANGE)
    assert not (tmp_path / "out.csv").exists()


def test_a_file_name_too_long_is_refused_plainly(tmp_path: Path, workspace: Path) -> None:
    name = "a" * 300 + ".csv"
    result = run(
        "--db", str(workspace), "export", "activities", "--to", "csv", "--output", name,
        home=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    line = one_line_error(result)
    assert line.startswith("error: The file name aaaa")
    assert line.endswith(
        ".csv is too long for this disk; nothing was written. Give a shorter name."
    )
    assert "…" in line
    assert len(line) < 200
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith((".a", "a"))] == []
